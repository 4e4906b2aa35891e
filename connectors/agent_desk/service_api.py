"""The service API the action server calls (docs/handoff.md section 2).

``Authorization: Bearer <HANDOFF_SERVICE_TOKEN>`` on every call, compared in constant time.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from connectors.agent_desk.errors import ApiError
from connectors.agent_desk.limits import limit_service
from connectors.agent_desk.schemas import TicketCreate, estimate_wait_minutes, service_ticket
from connectors.handoff import Ticket, TicketStore


async def require_service_token(request: Request) -> None:
    expected: str = request.app.state.settings.service_token
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "A valid service token is required.")
    await limit_service(request)


router = APIRouter(prefix="/api", dependencies=[Depends(require_service_token)])


def invalid(exc: ValueError) -> ApiError:
    """The store's ``ValueError`` messages start with the field's name."""
    message = str(exc)
    return ApiError(400, "invalid_request", message, field=message.split(" ", 1)[0])


async def ticket_answer(store: TicketStore, ticket: Ticket) -> dict[str, Any]:
    position = await store.queue_position(ticket.id)
    wait = None
    if position is not None and ticket.kind == "live":
        wait = estimate_wait_minutes(position, await store.recent_handling_seconds())
    return {
        "ticket": service_ticket(ticket),
        "mode": ticket.kind,
        "queue_position": position,
        "estimated_wait_minutes": wait,
    }


@router.post(
    "/tickets",
    status_code=201,
    responses={
        200: {"description": "The conversation's open ticket, reused (nothing new created)"}
    },
)
async def create_ticket(body: TicketCreate, request: Request) -> JSONResponse:
    store: TicketStore = request.app.state.tickets
    settings = request.app.state.settings
    kind = "live" if settings.hours.on_duty(request.app.state.clock()) else "callback"
    try:
        ticket, created = await store.open_or_reuse(
            body.conversation_id,
            channel=body.channel,
            customer_id=body.customer_id,
            reason=body.reason,
            priority=body.priority,
            language=body.language,
            context=body.context.dict(exclude_unset=True),
            kind=kind,
        )
    except ValueError as exc:
        raise invalid(exc) from None
    answer = await ticket_answer(store, ticket)
    return JSONResponse(answer, status_code=201 if created else 200)


@router.get("/tickets/open")
async def open_ticket(request: Request, conversation_id: str = Query(...)) -> dict[str, Any]:
    store: TicketStore = request.app.state.tickets
    try:
        ticket = await store.open_ticket_for(conversation_id)
    except ValueError as exc:
        raise invalid(exc) from None
    if ticket is None:
        raise ApiError(404, "ticket_not_found", "The conversation has no open ticket.")
    return await ticket_answer(store, ticket)
