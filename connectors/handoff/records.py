"""What the handoff queue stores and refuses: records, errors and argument checks.

Validation messages name the argument and never echo its value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

STATUSES = ("queued", "claimed", "closed")
OPEN_STATUSES = ("queued", "claimed")
SENDERS = ("customer", "agent", "bot")
KINDS = ("live", "callback")
DELIVERIES = ("pending", "delivered", "failed")
ID_LENGTH = 128
MAX_PRIORITY = 100
MAX_TEXT = 4000
MAX_CONTEXT_CHARS = 64_000
REASON = re.compile(r"[a-z][a-z0-9_]{0,49}")
CHANNEL = re.compile(r"[a-z][a-z0-9_]{0,49}")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
_ID = re.compile(r"[A-Za-z0-9._:@+-]{1,128}")


@dataclass(frozen=True)
class Ticket:
    id: int
    conversation_id: str
    customer_id: str | None
    status: str
    priority: int
    reason: str
    language: str
    context: dict[str, Any]
    claimed_by: str | None
    created_at: datetime
    claimed_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    kind: str = "live"
    channel: str | None = None
    synced_until: float | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class TicketMessage:
    id: int
    ticket_id: int
    sender: str
    text: str
    created_at: datetime
    delivery: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class TrackerMessage:
    """A customer message read from Rasa's tracker: its event id, time (epoch) and text."""

    external_id: str
    timestamp: float
    text: str


class TicketError(Exception):
    """A ticket operation that the ticket's state does not allow."""

    def __init__(self, message: str, ticket_id: int) -> None:
        super().__init__(message)
        self.ticket_id = ticket_id


class TicketNotFound(TicketError):
    pass


class AlreadyClaimed(TicketError):
    """Another agent (or this one, earlier) claimed the ticket first."""

    def __init__(self, ticket_id: int, claimed_by: str | None) -> None:
        super().__init__(f"ticket {ticket_id} is already claimed by {claimed_by}", ticket_id)
        self.claimed_by = claimed_by


class NotClaimant(TicketError):
    """Only the agent holding the claim may close the ticket."""


class TicketClosed(TicketError):
    """The ticket is closed: it cannot be claimed, closed again or written to."""


def identifier(name: str, value: object) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ValueError(f"{name} must be 1-{ID_LENGTH} characters of letters, digits, ._:@+-")
    return value


def pattern(name: str, value: object, expected: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not expected.fullmatch(value):
        raise ValueError(f"{name} must match {expected.pattern}")
    return value


def ticket_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("ticket_id must be a positive integer")
    return value


def priority(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PRIORITY:
        raise ValueError(f"priority must be an integer from 0 to {MAX_PRIORITY}")
    return value


def context(value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError("context must be a mapping")
    try:
        encoded = json.dumps(dict(value), allow_nan=False)
    except (TypeError, ValueError):
        raise ValueError("context must be JSON-serialisable") from None
    if len(encoded) > MAX_CONTEXT_CHARS:
        raise ValueError(f"context must encode to at most {MAX_CONTEXT_CHARS} characters")
    decoded: dict[str, Any] = json.loads(encoded)
    return decoded


def message_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise ValueError(f"{name} must be non-blank text of at most {MAX_TEXT} characters")
    return value


def choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}")
    return str(value)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
