"""The action server's side of the desk's service API (docs/handoff.md, section 2).

Any contact-centre system that answers these calls can take the handoffs; the
built-in agent desk (connectors/agent_desk) is the default.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from actions.settings import Settings

logger = logging.getLogger(__name__)


class DeskUnavailable(Exception):
    """The desk did not take the ticket (down, slow, or refused it)."""


@dataclass(frozen=True)
class DeskTicket:
    ticket_id: int
    mode: str  # "live": an agent will join; "callback": outside agent hours
    queue_position: int | None
    estimated_wait_minutes: int | None


class DeskClient:
    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self._settings = settings
        self._transport = transport

    async def open_ticket(self, ticket: Mapping[str, Any]) -> DeskTicket:
        settings = self._settings
        headers = {"Authorization": f"Bearer {settings.handoff_service_token}"}
        try:
            async with httpx.AsyncClient(
                base_url=settings.handoff_desk_url,
                timeout=settings.handoff_timeout_seconds,
                transport=self._transport,
            ) as client:
                answer = await client.post("/api/tickets", json=dict(ticket), headers=headers)
        except httpx.HTTPError as error:
            logger.warning("handoff.desk.unreachable error=%s", type(error).__name__)
            raise DeskUnavailable(type(error).__name__) from None
        if answer.status_code not in (200, 201):
            logger.warning("handoff.desk.refused status=%s", answer.status_code)
            raise DeskUnavailable(f"status {answer.status_code}")
        try:
            body = answer.json()
            return DeskTicket(
                ticket_id=int(body["ticket"]["id"]),
                mode=str(body.get("mode") or "live"),
                queue_position=_optional_int(body.get("queue_position")),
                estimated_wait_minutes=_optional_int(body.get("estimated_wait_minutes")),
            )
        except (ValueError, KeyError, TypeError):
            logger.warning("handoff.desk.invalid_answer")
            raise DeskUnavailable("invalid answer") from None


def _optional_int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]
