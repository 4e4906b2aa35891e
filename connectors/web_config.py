"""Settings of the web channel, read from its credentials section and checked at start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from connectors.web_auth import ChannelConfigError, TokenVerifier
from connectors.web_demo import DemoLogin
from ratelimit import RateLimit, RateLimitConfigError

WIDGET_DIR = Path(__file__).resolve().parent.parent / "widget"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# Generous for people, real for scripts: a customer types far slower than 30 a minute.
DEFAULT_RATE_LIMITS = {
    "rate_limit_customer": "30/minute",  # messages per signed-in customer (or visitor)
    "rate_limit_ip": "300/minute",  # messages and API requests per client address
    "rate_limit_connect_ip": "120/minute",  # socket connections (token checks) per address
}


@dataclass(frozen=True)
class WebRateLimits:
    customer: RateLimit | None
    ip: RateLimit | None
    connect_ip: RateLimit | None
    store: str = ""  # empty: this process; redis://...: shared by every instance

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> WebRateLimits:
        customer, ip, connect_ip = (_rate_limit(settings, key) for key in DEFAULT_RATE_LIMITS)
        store = str(settings.get("rate_limit_store") or "").strip()
        if store not in ("", "memory") and not store.startswith(("redis://", "rediss://")):
            raise ChannelConfigError(
                "connectors.web.BankWebInput: rate_limit_store must be empty, memory "
                "or a redis:// URL"
            )
        return cls(customer, ip, connect_ip, store)


@dataclass(frozen=True)
class WebChannelConfig:
    verifier: TokenVerifier
    cors_allowed_origins: list[str] | str | None
    demo_login: DemoLogin | None
    widget_dir: Path = WIDGET_DIR
    # Several Rasa instances: Socket.IO emits go through Redis to every instance's sockets.
    socketio_redis_url: str = ""
    rate_limits: WebRateLimits = field(default_factory=lambda: WebRateLimits.from_settings({}))

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None) -> WebChannelConfig:
        settings = dict(credentials or {})
        verifier = TokenVerifier.from_key_file(
            algorithm=_required(settings, "jwt_algorithm").upper(),
            key_file=_required(settings, "jwt_key_file"),
            issuer=_required(settings, "jwt_issuer"),
            audience=_required(settings, "jwt_audience"),
            leeway_seconds=_integer(settings, "jwt_leeway_seconds", 30),
        )
        demo_login = None
        if _boolean(settings, "demo_login"):
            key_file = _required(settings, "demo_signing_key_file")
            demo_login = DemoLogin.from_key_file(key_file, verifier)
        widget_dir = Path(str(settings.get("widget_dir") or WIDGET_DIR))
        origins = _origins(settings.get("cors_allowed_origins"))
        redis_url = _redis_url(settings, "socketio_redis_url")
        limits = WebRateLimits.from_settings(settings)
        return cls(verifier, origins, demo_login, widget_dir, redis_url, limits)


def _required(settings: Mapping[str, Any], key: str) -> str:
    value = settings.get(key)
    if value is None or not str(value).strip():
        raise ChannelConfigError(f"connectors.web.BankWebInput: {key} is required")
    return str(value).strip()


def _redis_url(settings: Mapping[str, Any], key: str) -> str:
    """Empty (one process) or a redis:// or rediss:// URL."""
    text = str(settings.get(key) or "").strip()
    if text and urlparse(text).scheme not in ("redis", "rediss"):
        raise ChannelConfigError(
            f"connectors.web.BankWebInput: {key} must be empty or a redis:// URL"
        )
    return text


def _rate_limit(settings: Mapping[str, Any], key: str) -> RateLimit | None:
    value = settings.get(key)
    if value is None or str(value).strip() == "":
        value = DEFAULT_RATE_LIMITS[key]
    try:
        return RateLimit.parse(value)
    except RateLimitConfigError as error:
        raise ChannelConfigError(f"connectors.web.BankWebInput: {key}: {error}") from None


def _integer(settings: Mapping[str, Any], key: str, default: int) -> int:
    value = settings.get(key)
    if value is None or str(value).strip() == "":
        return default
    try:
        return int(str(value).strip())
    except ValueError:
        raise ChannelConfigError(
            f"connectors.web.BankWebInput: {key} must be a whole number"
        ) from None


def _boolean(settings: Mapping[str, Any], key: str) -> bool:
    value = settings.get(key)
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ChannelConfigError(f"connectors.web.BankWebInput: {key} must be true or false")


def _origins(value: object) -> list[str] | str | None:
    """``*``, a comma-separated list, or nothing (same origin only)."""
    text = str(value or "").strip()
    if text == "*":
        return "*"
    origins = [origin.strip().rstrip("/") for origin in text.split(",") if origin.strip()]
    return origins or None
