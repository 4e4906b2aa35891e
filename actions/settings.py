"""Action-server settings: every environment read of ``actions`` happens here.

Values are validated when they are loaded; a bad value fails with a message that
names the environment variable, so a misconfigured deployment says what to fix.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingsError(ValueError):
    """A configuration value is missing or invalid; the message names the key."""


@dataclass(frozen=True)
class Settings:
    core_banking_url: str = "http://127.0.0.1:8800"
    core_banking_api_key: str = "dev-core-banking-key"
    core_banking_timeout_seconds: float = 1.0
    core_banking_retries: int = 2
    core_banking_deadline_seconds: float = 2.0
    identity_from_sender_id: bool = False
    profile_store_url: str = "sqlite:///var/profile_store.sqlite3"
    handoff_desk_url: str = "http://127.0.0.1:8900"
    handoff_service_token: str = "dev-handoff-service-token"  # noqa: S105 (development default)
    handoff_timeout_seconds: float = 3.0

    def __post_init__(self) -> None:
        _check_url("CORE_BANKING_URL", self.core_banking_url)
        if not self.core_banking_api_key.strip():
            raise SettingsError("CORE_BANKING_API_KEY must not be empty")
        _check_range("CORE_BANKING_TIMEOUT_SECONDS", self.core_banking_timeout_seconds, 0.01, 60)
        _check_range("CORE_BANKING_RETRIES", self.core_banking_retries, 0, 10)
        _check_range("CORE_BANKING_DEADLINE_SECONDS", self.core_banking_deadline_seconds, 0.01, 120)
        _check_database_url("PROFILE_STORE_URL", self.profile_store_url)
        _check_url("HANDOFF_DESK_URL", self.handoff_desk_url)
        if len(self.handoff_service_token.strip()) < 16:
            raise SettingsError("HANDOFF_SERVICE_TOKEN must be at least 16 characters")
        _check_range("HANDOFF_TIMEOUT_SECONDS", self.handoff_timeout_seconds, 0.1, 10)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default: ``os.environ``); unset keys keep defaults."""
        env = os.environ if env is None else env
        defaults = cls()

        def read(key: str, parse: Callable[[str, str], T], default: T) -> T:
            raw = env.get(key)
            if raw is None or raw.strip() == "":
                return default
            return parse(key, raw.strip())

        return cls(
            core_banking_url=read("CORE_BANKING_URL", _text, defaults.core_banking_url).rstrip("/"),
            core_banking_api_key=read("CORE_BANKING_API_KEY", _text, defaults.core_banking_api_key),
            core_banking_timeout_seconds=read(
                "CORE_BANKING_TIMEOUT_SECONDS", _float, defaults.core_banking_timeout_seconds
            ),
            core_banking_retries=read("CORE_BANKING_RETRIES", _int, defaults.core_banking_retries),
            core_banking_deadline_seconds=read(
                "CORE_BANKING_DEADLINE_SECONDS", _float, defaults.core_banking_deadline_seconds
            ),
            identity_from_sender_id=read(
                "IDENTITY_FROM_SENDER_ID", _bool, defaults.identity_from_sender_id
            ),
            profile_store_url=read("PROFILE_STORE_URL", _database_url, defaults.profile_store_url),
            handoff_desk_url=read("HANDOFF_DESK_URL", _text, defaults.handoff_desk_url).rstrip("/"),
            handoff_service_token=read(
                "HANDOFF_SERVICE_TOKEN", _text, defaults.handoff_service_token
            ),
            handoff_timeout_seconds=read(
                "HANDOFF_TIMEOUT_SECONDS", _float, defaults.handoff_timeout_seconds
            ),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use (not at import)."""
    return Settings.from_env()


def _text(key: str, raw: str) -> str:
    return raw


def _float(key: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{key} must be a number of seconds, got {raw!r}") from None


def _int(key: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{key} must be a whole number, got {raw!r}") from None


def _bool(key: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingsError(f"{key} must be true or false, got {raw!r}")


def _database_url(key: str, raw: str) -> str:
    """Accept Heroku-style ``postgres://`` as SQLAlchemy's ``postgresql://``."""
    if raw.startswith("postgres://"):
        return "postgresql://" + raw[len("postgres://") :]
    return raw


def _check_range(key: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise SettingsError(f"{key} must be between {low} and {high}, got {value}")


def _check_url(key: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(
            f"{key} must be an http(s) URL such as http://127.0.0.1:8800, got {value!r}"
        )


def _check_database_url(key: str, value: str) -> None:
    """A SQLAlchemy URL for SQLite or PostgreSQL; errors do not echo it (it may hold a password)."""
    example = "sqlite:///var/profile_store.sqlite3 or postgresql://user@host:5432/db"
    try:
        backend = make_url(value).get_backend_name()
    except (ArgumentError, ValueError):
        raise SettingsError(f"{key} must be a database URL such as {example}") from None
    if backend not in ("sqlite", "postgresql"):
        raise SettingsError(f"{key} must be a SQLite or PostgreSQL URL such as {example}")
