"""Request bodies and the public JSON of tickets and messages (tables stay internal)."""

from __future__ import annotations

import math
from datetime import datetime
from statistics import mean
from typing import Any, TypeVar

from pydantic import BaseModel, Extra, StrictStr, ValidationError, conint, constr
from pydantic.error_wrappers import ErrorWrapper
from pydantic.errors import DictError
from pydantic.utils import ROOT_KEY

from connectors.handoff import Ticket, TicketMessage
from connectors.handoff.records import MAX_TEXT

DEFAULT_HANDLING_MINUTES = 4.0
BodyT = TypeVar("BodyT", bound="Body")


class Body(BaseModel):
    """A request body is a JSON object: pydantic 1 would take [["reason", "x"]] as a dict."""

    @classmethod
    def validate(cls: type[BodyT], value: Any) -> BodyT:
        if not isinstance(value, dict | cls):
            raise DictError()
        return super().validate(value)

    @classmethod
    def parse_obj(cls: type[BodyT], obj: Any) -> BodyT:
        # Fuzzing found: [[None, None]] became {None: None}, then a TypeError, not a 4xx.
        if not isinstance(obj, dict):
            raise ValidationError([ErrorWrapper(DictError(), loc=ROOT_KEY)], cls)
        return super().parse_obj(obj)


class TicketContext(Body):
    """What the agent sees about the conversation; extra keys are kept as given."""

    customer: dict[str, Any] | None = None
    transcript: list[dict[str, Any]] = []
    intents: list[dict[str, Any]] = []
    sentiment: list[dict[str, Any]] = []
    bot_actions: list[StrictStr] = []
    summary: constr(strict=True, max_length=2000) | None = None  # type: ignore[valid-type]
    callback: dict[str, Any] | None = None

    class Config:
        extra = Extra.allow


class TicketCreate(Body):
    conversation_id: StrictStr
    channel: StrictStr
    customer_id: StrictStr | None = None
    reason: StrictStr
    priority: conint(strict=True, ge=0, le=100)  # type: ignore[valid-type]
    language: StrictStr = "en"
    context: TicketContext = TicketContext()


class SignIn(Body):
    agent_id: constr(strict=True, max_length=64)  # type: ignore[valid-type]
    password: constr(strict=True, max_length=1024)  # type: ignore[valid-type]


class MessageCreate(Body):
    text: constr(strict=True, min_length=1, max_length=MAX_TEXT)  # type: ignore[valid-type]


class TicketClose(Body):
    outcome: StrictStr
    note: constr(strict=True, max_length=1000) = ""  # type: ignore[valid-type]


def estimate_wait_minutes(position: int, handling_seconds: list[float]) -> int:
    """Position × the average claim-to-close time of recently closed tickets (4 minutes
    each when there are none), rounded up to whole minutes."""
    each = mean(handling_seconds) / 60 if handling_seconds else DEFAULT_HANDLING_MINUTES
    return max(1, math.ceil(position * each))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def service_ticket(ticket: Ticket) -> dict[str, Any]:
    """A ticket as the action server sees it (no context echoed back)."""
    return {
        "id": ticket.id,
        "status": ticket.status,
        "kind": ticket.kind,
        "conversation_id": ticket.conversation_id,
        "channel": ticket.channel,
        "reason": ticket.reason,
        "priority": ticket.priority,
        "language": ticket.language,
        "created_at": _iso(ticket.created_at),
    }


def customer_label(ticket: Ticket) -> str | None:
    customer = ticket.context.get("customer")
    if not isinstance(customer, dict):
        return None
    name = customer.get("preferred_name") or customer.get("name")
    return name if isinstance(name, str) else None


def queue_item(ticket: Ticket, names: dict[str, str], now: datetime) -> dict[str, Any]:
    summary = ticket.context.get("summary")
    return {
        **service_ticket(ticket),
        "customer_name": customer_label(ticket),
        "summary": summary if isinstance(summary, str) else None,
        "waiting_seconds": max(0, int((now - ticket.created_at).total_seconds())),
        "claimed_by": _agent(ticket.claimed_by, names),
    }


def ticket_detail(
    ticket: Ticket, messages: list[TicketMessage], names: dict[str, str], now: datetime
) -> dict[str, Any]:
    return {
        **queue_item(ticket, names, now),
        "customer_id": ticket.customer_id,
        "context": ticket.context,
        "claimed_at": _iso(ticket.claimed_at),
        "closed_at": _iso(ticket.closed_at),
        "outcome": ticket.outcome,
        "messages": [message_json(message) for message in messages],
    }


def message_json(message: TicketMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "created_at": _iso(message.created_at),
        "delivery": message.delivery,
    }


def _agent(agent_id: str | None, names: dict[str, str]) -> dict[str, str] | None:
    if agent_id is None:
        return None
    return {"id": agent_id, "name": names.get(agent_id, agent_id)}
