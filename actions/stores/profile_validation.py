"""Checks on everything the profile store writes; each failure is a ``ValueError``.

Messages name the argument and the rule, never the value, which may be personal
data. Labels and codes are constrained to short identifiers so that free text
(and with it names, numbers or addresses) cannot end up in history tables.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone

from actions.stores.profile_models import (
    CODE_LENGTH,
    CUSTOMER_ID_LENGTH,
    LABEL_LENGTH,
    MEMORY_VALUE_LENGTH,
    OFFER_DECISIONS,
    PREFERRED_NAME_LENGTH,
)
from actions.stores.profile_records import CONSENT_KEYS
from bot.signals import SENTIMENT_LABELS, SUPPORTED_LANGUAGES

CHANNELS = ("chat", "voice", "sms", "email", "push", "letter")
MEMORY_KEYS = ("last_account_id", "last_account_type", "last_application_reference")
MAX_REASONS = 20
MAX_DATA_FIELDS = 50

_CUSTOMER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
_LABEL = re.compile(r"[a-z][a-z0-9_]*")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
_DATA_FIELD = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


def _matching(name: str, value: object, pattern: re.Pattern[str], length: int, rule: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    if not 1 <= len(value) <= length:
        raise ValueError(f"{name} must be 1 to {length} characters long")
    if not pattern.fullmatch(value):
        raise ValueError(f"{name} must be {rule}")
    return value


def customer_id(value: object) -> str:
    return _matching(
        "customer_id", value, _CUSTOMER_ID, CUSTOMER_ID_LENGTH, "letters, digits and _.:-"
    )


def label(name: str, value: object) -> str:
    """A snake_case label such as a topic, outcome or reason code."""
    return _matching(name, value, _LABEL, LABEL_LENGTH, "snake_case (a-z, 0-9, _)")


def code(name: str, value: object) -> str:
    """A code such as ``CC-CASHBACK-2026`` (offers, nudges, remembered ids)."""
    return _matching(name, value, _CODE, CODE_LENGTH, "letters, digits and _.:-")


def preferred_name(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("preferred_name must be a string or None")
    stripped = value.strip()
    if not 1 <= len(stripped) <= PREFERRED_NAME_LENGTH:
        raise ValueError(f"preferred_name must be 1 to {PREFERRED_NAME_LENGTH} characters long")
    if not stripped.isprintable():
        raise ValueError("preferred_name must not contain control characters")
    return stripped


def language(value: object) -> str | None:
    if value is None:
        return None
    normalised = value.strip().lower() if isinstance(value, str) else value
    if normalised not in SUPPORTED_LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(SUPPORTED_LANGUAGES)} or None")
    return str(normalised)


def channel(value: object) -> str:
    if value not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
    return str(value)


def channels(values: object) -> tuple[str, ...]:
    """Contact channels in order of preference, each at most once."""
    checked = tuple(channel(v) for v in _sequence("channels", values))
    if len(set(checked)) != len(checked):
        raise ValueError("channels must not repeat")
    return checked


def consents(values: Mapping[str, object]) -> dict[str, bool]:
    if not values:
        raise ValueError(f"give at least one consent: {', '.join(CONSENT_KEYS)}")
    for key, granted in values.items():
        if key not in CONSENT_KEYS:
            raise ValueError(f"unknown consent; known: {', '.join(CONSENT_KEYS)}")
        if not isinstance(granted, bool):
            raise ValueError(f"consent {key} must be True or False")
    return {key: bool(granted) for key, granted in values.items()}


def sentiment(label_value: object, score: object) -> tuple[str, float]:
    if label_value not in SENTIMENT_LABELS:
        raise ValueError(f"sentiment label must be one of {', '.join(SENTIMENT_LABELS)}")
    if isinstance(score, bool) or not isinstance(score, int | float):
        raise ValueError("sentiment score must be a number")
    if not math.isfinite(score) or not 0.0 <= score <= 1.0:
        raise ValueError("sentiment score must be between 0 and 1")
    return str(label_value), float(score)


def decision(value: object) -> str:
    if value not in OFFER_DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(OFFER_DECISIONS)}")
    return str(value)


def reasons(values: object) -> tuple[str, ...]:
    return _bounded("reasons", values, MAX_REASONS, lambda v: label("reason", v))


def data_fields(values: object) -> tuple[str, ...]:
    """Names of data fields (``accounts.balance``); a value such as a number is refused."""

    def one(value: object) -> str:
        rule = "a field name such as accounts.balance, not a value"
        return _matching("data_used entry", value, _DATA_FIELD, 2 * LABEL_LENGTH, rule)

    return _bounded("data_used", values, MAX_DATA_FIELDS, one)


def memory_key(value: object) -> str:
    if value not in MEMORY_KEYS:
        raise ValueError(f"key must be one of {', '.join(MEMORY_KEYS)}")
    return str(value)


def memory_value(value: object) -> str:
    return _matching(
        "value", value, _CODE, MEMORY_VALUE_LENGTH, "an id or code (letters, digits and _.:-)"
    )


def moment(name: str, value: object, clock: Callable[[], datetime]) -> datetime:
    """``value`` (or the clock's now when None) as an aware UTC datetime."""
    when = clock() if value is None else value
    if not isinstance(when, datetime) or when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return when.astimezone(timezone.utc)


def limit(name: str, value: object, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ValueError(f"{name} must be a whole number from 1 to {maximum}")
    return value


def _sequence(name: str, values: object) -> Iterable[object]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be a list")
    return list(values)


def _bounded(
    name: str, values: object, maximum: int, check: Callable[[object], str]
) -> tuple[str, ...]:
    items = tuple(check(v) for v in _sequence(name, values))
    if len(items) > maximum:
        raise ValueError(f"{name} must have at most {maximum} entries")
    return items
