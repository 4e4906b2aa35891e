"""The agent desk's configuration: the only place that reads the environment."""

from __future__ import annotations

from pydantic import BaseSettings, Field, ValidationError, validator

from connectors.agent_desk.hours import AgentHours
from ratelimit import RateLimit, RateLimitConfigError
from sqlstore import is_memory_sqlite

ENV_PREFIX = "DESK_"
# Settings shared with other processes keep their own names (no DESK_ prefix).
_SHARED_NAMES = {
    "service_token": "HANDOFF_SERVICE_TOKEN",
    "rasa_url": "RASA_URL",
    "rasa_api_token": "RASA_API_TOKEN",
}


class ConfigurationError(ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


class Settings(BaseSettings):
    """Settings read from the environment (or passed in by tests)."""

    database_url: str = "sqlite:///var/handoff.sqlite3"
    service_token: str = Field(..., min_length=16, env="HANDOFF_SERVICE_TOKEN")
    rasa_url: str = Field("http://127.0.0.1:5005", env="RASA_URL")
    rasa_api_token: str | None = Field(None, env="RASA_API_TOKEN")
    rasa_timeout_seconds: float = Field(3.0, gt=0, le=60)
    agent_hours: str = "always"
    session_secret: str = Field(..., min_length=32)
    session_hours: float = Field(10.0, gt=0, le=24 * 7)
    cookie_secure: bool = False
    demo_agents: bool = False
    demo_agent_password: str = Field("demo-agent-password", min_length=8)
    sync_interval_seconds: float = Field(1.0, gt=0, le=600)
    # Abuse limits ("N/minute", "N/5min", "off"): sign-ins slow password guessing down.
    rate_limit_sign_in_agent: str = "10/5min"
    rate_limit_sign_in_ip: str = "30/5min"
    rate_limit_service: str = "1200/minute"  # the action server's calls, per service token
    rate_limit_store: str = ""  # empty: this process; redis://...: shared by instances
    max_body_bytes: int = Field(262_144, ge=1_024, le=16_777_216)

    class Config:
        env_prefix = ENV_PREFIX

    @validator("database_url")
    def _known_database(cls, value: str) -> str:
        if value.startswith("postgres://"):
            value = "postgresql://" + value[len("postgres://") :]
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        if is_memory_sqlite(value):
            raise ValueError("must be a file or a server: an in-memory database is not shared")
        return value

    @validator("service_token", "session_secret")
    def _printable_secret(cls, value: str) -> str:
        if not value.isascii() or not value.isprintable() or " " in value:
            raise ValueError("must be printable ASCII without spaces")
        return value

    @validator("rate_limit_sign_in_agent", "rate_limit_sign_in_ip", "rate_limit_service")
    def _readable_limit(cls, value: str) -> str:
        try:
            RateLimit.parse(value)
        except RateLimitConfigError as error:
            raise ValueError(str(error)) from None
        return value

    @validator("rate_limit_store")
    def _limit_store(cls, value: str) -> str:
        value = value.strip()
        if value not in ("", "memory") and not value.startswith(("redis://", "rediss://")):
            raise ValueError("must be empty, memory or a redis:// URL")
        return value

    def limit(self, name: str) -> RateLimit | None:
        """``limit("sign_in_agent")``: the parsed ``rate_limit_sign_in_agent``."""
        return RateLimit.parse(getattr(self, f"rate_limit_{name}"))

    @validator("rasa_url")
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @validator("rasa_api_token")
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @validator("agent_hours")
    def _parsable_hours(cls, value: str) -> str:
        AgentHours.parse(value)
        return value

    @property
    def hours(self) -> AgentHours:
        return AgentHours.parse(self.agent_hours)


def env_name(field: str) -> str:
    return _SHARED_NAMES.get(field, f"{ENV_PREFIX}{field.upper()}")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, failing with a message naming the bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{env_name(str(error['loc'][0]))}: {error['msg']}" for error in exc.errors()
        )
        raise ConfigurationError(f"invalid agent desk configuration: {problems}") from exc
