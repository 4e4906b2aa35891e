"""The voice channel's settings, read from its credentials section and checked at load.

Every value may arrive as a string (Rasa expands ``${VAR}`` in credentials.yml), so
numbers and flags are parsed here; a bad value fails the start with the key's name, the
way Rasa's own ``twilio_voice.py`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlparse

from rasa.shared.exceptions import InvalidConfigException

from ratelimit import RateLimit, RateLimitConfigError

# Responses the actions send when a question needs a known customer. On the phone they
# are replaced by the keypad verification; the caller's question is asked again after it.
DEFAULT_SIGN_IN_RESPONSES = (
    "utter_balance_unauthenticated",
    "utter_applications_unauthenticated",
    "utter_contact_sign_in",
)
BASIC_VOICES = ("man", "woman", "alice")
SSML_VOICE = re.compile(r"^(Polly|Google)\.[A-Za-z0-9-]+$")
SPEECH_MODELS = ("default", "numbers_and_commands", "phone_call", "experimental_conversations")
T = TypeVar("T")


@dataclass(frozen=True)
class VoiceConfig:
    auth_token: str
    core_banking_url: str
    core_banking_api_key: str
    public_url: str = (
        ""  # the channel's public base URL, e.g. https://bank.example/webhooks/bank_voice
    )
    voice: str = "Polly.Joanna-Neural"
    language: str = "en-US"
    ssml: bool = True
    response_budget_seconds: float = 8.0
    core_banking_timeout_seconds: float = 3.0
    gather_timeout_seconds: int = 5
    speech_timeout: str = "2"
    speech_model: str = "phone_call"
    max_silences: int = 3
    max_holds: int = 3
    max_code_requests: int = 3
    state_ttl_seconds: int = 3600
    state_redis_url: str = ""  # empty: calls live in this process; set: shared by instances
    sign_in_responses: tuple[str, ...] = field(default=DEFAULT_SIGN_IN_RESPONSES)
    # A call posts once per turn: 60 a minute is far beyond any caller. Every call comes
    # from Twilio's few addresses, so the per-address limit is for floods, not callers.
    rate_limit_call: RateLimit | None = RateLimit(60, 60.0)
    rate_limit_ip: RateLimit | None = RateLimit(1200, 60.0)
    rate_limit_store: str = ""  # empty: this process; redis://...: shared by instances


def _fail(key: str, problem: str) -> InvalidConfigException:
    return InvalidConfigException(f"bank_voice credentials: '{key}' {problem}")


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(key, f"must be a string, got {type(value).__name__}")
    return value.strip()


def _required(key: str, value: Any) -> str:
    text = _text(key, value)
    if not text:
        raise _fail(key, "is required and must not be empty")
    return text


def _http_url(key: str, value: Any, *, allow_empty: bool = False) -> str:
    text = _text(key, value) if allow_empty else _required(key, value)
    if not text:
        return ""
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query:
        raise _fail(key, "must be an http(s) URL without a query string")
    return text.rstrip("/")


def _redis_url(key: str, value: Any) -> str:
    text = "" if value is None else _text(key, value)
    if text and urlparse(text).scheme not in ("redis", "rediss"):
        raise _fail(key, "must be empty or a redis:// or rediss:// URL")
    return text


def _rate_limit(key: str, value: Any) -> RateLimit | None:
    if value is None or str(value).strip() == "":  # an unset ${VAR}: the default
        default: RateLimit | None = VoiceConfig.__dataclass_fields__[key].default  # type: ignore[assignment]
        return default
    try:
        return RateLimit.parse(value)
    except RateLimitConfigError as error:
        raise _fail(key, str(error)) from None


def _limit_store(key: str, value: Any) -> str:
    text = "" if value is None else _text(key, value)
    if text in ("", "memory"):
        return ""
    return _redis_url(key, text)


def _flag(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(key, value).lower()
    if text not in ("true", "false"):
        raise _fail(key, "must be true or false")
    return text == "true"


def _number(cast: Callable[[str], T], low: float, high: float) -> Callable[[str, Any], T]:
    def parse(key: str, value: Any) -> T:
        try:
            number = cast(str(value).strip())
        except ValueError:
            raise _fail(key, f"must be a number between {low:g} and {high:g}") from None
        if not low <= number <= high:  # type: ignore[operator]
            raise _fail(key, f"must be between {low:g} and {high:g}")
        return number

    return parse


def _names(key: str, value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise _fail(key, "must be a list of response names")
    return tuple(item.strip() for item in items if item.strip())


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "auth_token": _required,
    "core_banking_url": _http_url,
    "core_banking_api_key": _required,
    "public_url": lambda key, value: _http_url(key, value, allow_empty=True),
    "voice": _required,
    "language": _required,
    "ssml": _flag,
    # Twilio gives up on a webhook after 15 s: the budget leaves room for the rest.
    "response_budget_seconds": _number(float, 0.5, 12),
    "core_banking_timeout_seconds": _number(float, 0.1, 10),
    "gather_timeout_seconds": _number(int, 1, 30),
    "speech_timeout": _required,
    "speech_model": _required,
    "max_silences": _number(int, 1, 10),
    "max_holds": _number(int, 1, 10),
    "max_code_requests": _number(int, 1, 10),
    "state_ttl_seconds": _number(int, 60, 86400),
    "state_redis_url": _redis_url,
    "sign_in_responses": _names,
    "rate_limit_call": _rate_limit,
    "rate_limit_ip": _rate_limit,
    "rate_limit_store": _limit_store,
}


def load_voice_config(credentials: Mapping[str, Any] | None) -> VoiceConfig:
    """Parse and check the credentials section; raises InvalidConfigException naming the key."""
    credentials = dict(credentials or {})
    for key in credentials:
        if key not in _PARSERS:
            raise _fail(key, f"is not a setting of this channel (known: {', '.join(_PARSERS)})")
    for key in ("auth_token", "core_banking_url", "core_banking_api_key"):
        if credentials.get(key) is None:
            raise _fail(key, "is required and must not be empty")
    values = {key: _PARSERS[key](key, value) for key, value in credentials.items()}
    config = VoiceConfig(**values)
    _check_combinations(config)
    return config


def _check_combinations(config: VoiceConfig) -> None:
    if config.voice not in BASIC_VOICES and not SSML_VOICE.match(config.voice):
        raise _fail("voice", "must be man, woman, alice or a Polly.* / Google.* voice")
    if config.ssml and not SSML_VOICE.match(config.voice):
        raise _fail("ssml", f"needs a Polly.* or Google.* voice; {config.voice!r} reads tags aloud")
    if config.speech_model not in SPEECH_MODELS:
        raise _fail("speech_model", f"must be one of {', '.join(SPEECH_MODELS)}")
    timeout = config.speech_timeout
    if timeout != "auto" and not (timeout.isdigit() and 1 <= int(timeout) <= 30):
        raise _fail("speech_timeout", "must be 'auto' or whole seconds between 1 and 30")
    if timeout == "auto" and config.speech_model != "numbers_and_commands":
        raise _fail("speech_timeout", "'auto' needs speech_model numbers_and_commands")
    if config.core_banking_timeout_seconds >= config.response_budget_seconds:
        raise _fail("core_banking_timeout_seconds", "must be shorter than response_budget_seconds")
