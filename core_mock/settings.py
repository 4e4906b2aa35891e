"""Configuration of the core-banking mock; the only place that reads the environment."""

from pydantic import BaseSettings, Field, ValidationError, validator

from ratelimit import RateLimit, RateLimitConfigError

ENV_PREFIX = "CORE_MOCK_"


class ConfigurationError(ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


class Settings(BaseSettings):
    """Settings read from ``CORE_MOCK_*`` environment variables (or passed in by tests)."""

    database_url: str = "sqlite:///var/core_mock.sqlite3"
    api_key: str = Field("dev-core-banking-key", min_length=8)
    latency_ms: int = Field(0, ge=0, le=60_000)
    error_rate: float = Field(0.0, ge=0.0, le=1.0)
    otp_ttl_seconds: int = Field(300, ge=1, le=86_400)
    otp_max_attempts: int = Field(3, ge=1, le=10)
    # Abuse limits ("N/minute", "N/10s", "off"). The action server is one client with one
    # key: its limit is far above what the assistant sends. Wrong keys are limited hard.
    rate_limit_key: str = "6000/minute"
    rate_limit_ip: str = "6000/minute"
    rate_limit_auth_failures_ip: str = "30/minute"
    rate_limit_store: str = ""  # empty: this process; redis://...: shared by instances
    max_body_bytes: int = Field(65_536, ge=1_024, le=16_777_216)

    class Config:
        env_prefix = ENV_PREFIX

    @validator("database_url")
    def _known_database(cls, value: str) -> str:
        if value.startswith("postgres://"):
            value = "postgresql://" + value[len("postgres://") :]
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @validator("rate_limit_key", "rate_limit_ip", "rate_limit_auth_failures_ip")
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
        """``limit("key")``: the parsed ``rate_limit_key``."""
        return RateLimit.parse(getattr(self, f"rate_limit_{name}"))

    @validator("api_key")
    def _printable_key(cls, value: str) -> str:
        if not value.isascii() or not value.isprintable() or " " in value:
            raise ValueError("must be printable ASCII without spaces")
        return value


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, failing with a message naming the bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{str(error['loc'][0]).upper()}: {error['msg']}" for error in exc.errors()
        )
        raise ConfigurationError(f"invalid core_mock configuration: {problems}") from exc
