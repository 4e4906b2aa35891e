"""The agents' JSON API behind the desk UI: session, queue, ticket, claim, reply, close.

Every route but sign-in needs a session cookie; every change also needs the
``X-Desk-Request: 1`` header (``sessions``). Logs carry event names and ids only.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from connectors.agent_desk import sessions
from connectors.agent_desk.agents import Agent, AgentStore
from connectors.agent_desk.errors import ApiError
from connectors.agent_desk.limits import limit_sign_in
from connectors.agent_desk.rasa import (
    OUTCOMES,
    RasaClient,
    RasaUnavailable,
    agent_reply_events,
    close_events,
)
from connectors.agent_desk.schemas import (
    MessageCreate,
    SignIn,
    TicketClose,
    message_json,
    queue_item,
    ticket_detail,
)
from connectors.agent_desk.sessions import AgentDep
from connectors.handoff import (
    AlreadyClaimed,
    Ticket,
    TicketClosed,
    TicketError,
    TicketMessage,
    TicketNotFound,
    TicketStore,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/desk/api")
MAX_ID = 2**63 - 1  # the largest id SQL stores
changes = [Depends(sessions.require_desk_header)]


def _agent_json(agent: Agent) -> dict[str, Any]:
    return {"id": agent.id, "name": agent.display_name}


@router.post("/session", dependencies=changes)
async def sign_in(body: SignIn, request: Request, response: Response) -> dict[str, Any]:
    await limit_sign_in(request, body.agent_id)
    agents: AgentStore = request.app.state.agents
    agent = await agents.authenticate(body.agent_id, body.password)
    if agent is None:
        raise ApiError(401, "sign_in_failed", "Wrong agent name or password.")
    settings = request.app.state.settings
    token = sessions.mint_session(agent, settings.session_secret, settings.session_hours)
    response.set_cookie(
        sessions.COOKIE,
        token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )
    return {"agent": _agent_json(agent), "outcomes": _outcomes()}


@router.get("/session")
async def who_am_i(agent: AgentDep) -> dict[str, Any]:
    return {"agent": _agent_json(agent), "outcomes": _outcomes()}


@router.delete("/session", status_code=204, dependencies=changes)
async def sign_out(agent: AgentDep, request: Request, response: Response) -> Response:
    await request.app.state.agents.sign_out_everywhere(agent.id)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="strict")
    response.status_code = 204
    return response


@router.get("/queue")
async def queue(agent: AgentDep, request: Request) -> dict[str, Any]:
    tickets = await _store(request).open_tickets()
    names = await _names(request, tickets)
    now = request.app.state.clock()
    return {"tickets": [queue_item(ticket, names, now) for ticket in tickets]}


@router.get("/tickets/{ticket_id}")
async def ticket(ticket_id: int, agent: AgentDep, request: Request) -> dict[str, Any]:
    found = await _ticket(request, ticket_id)
    messages = await _store(request).messages(found.id)
    names = await _names(request, [found])
    return {"ticket": ticket_detail(found, messages, names, request.app.state.clock())}


@router.get("/tickets/{ticket_id}/messages")
async def messages(
    ticket_id: int,
    agent: AgentDep,
    request: Request,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,  # fuzzing: 2**63 crashed SQLite
) -> dict[str, Any]:
    found = await _ticket(request, ticket_id)
    newer = await _store(request).messages(found.id, after_id=after)
    return {"status": found.status, "messages": [message_json(m) for m in newer]}


@router.post("/tickets/{ticket_id}/claim", dependencies=changes)
async def claim(ticket_id: int, agent: AgentDep, request: Request) -> dict[str, Any]:
    await _ticket(request, ticket_id)
    try:
        claimed = await _store(request).claim(ticket_id, agent.id)
    except AlreadyClaimed as exc:
        names = await request.app.state.agents.names({exc.claimed_by} - {None})
        who = names.get(exc.claimed_by or "", "another agent")
        raise ApiError(409, "already_claimed", f"{who} has already claimed this ticket.") from None
    except TicketClosed:
        raise ApiError(409, "ticket_closed", "This ticket is closed.") from None
    names = {agent.id: agent.display_name}
    return {"ticket": queue_item(claimed, names, request.app.state.clock())}


@router.post("/tickets/{ticket_id}/messages", status_code=201, dependencies=changes)
async def send(
    ticket_id: int, body: MessageCreate, agent: AgentDep, request: Request
) -> dict[str, Any]:
    found = _chat_ticket(await _ticket(request, ticket_id), agent)
    if not body.text.strip():
        raise ApiError(400, "invalid_request", "text: must not be blank", field="text")
    message = await _store(request).add_message(found.id, "agent", body.text, delivery="pending")
    return await _deliver(request, found, message, agent)


@router.post(
    "/tickets/{ticket_id}/messages/{message_id}/retry", status_code=201, dependencies=changes
)
async def retry(ticket_id: int, message_id: int, agent: AgentDep, request: Request) -> Any:
    found = _chat_ticket(await _ticket(request, ticket_id), agent)
    try:
        message = await _store(request).get_message(found.id, message_id)
    except TicketNotFound:
        raise ApiError(404, "message_not_found", "No such message on this ticket.") from None
    if message.sender != "agent" or message.delivery == "delivered":
        raise ApiError(409, "already_delivered", "This message needs no retry.")
    return await _deliver(request, found, message, agent)


@router.post("/tickets/{ticket_id}/close", dependencies=changes)
async def close(
    ticket_id: int, body: TicketClose, agent: AgentDep, request: Request
) -> dict[str, Any]:
    if body.outcome not in OUTCOMES:
        raise ApiError(
            400,
            "invalid_request",
            f"outcome: must be one of {', '.join(OUTCOMES)}",
            field="outcome",
        )
    found = _own(await _ticket(request, ticket_id), agent)
    if found.kind == "live":
        try:
            await _rasa(request).post_events(
                found.conversation_id, found.channel or "bank_web", close_events(body.outcome)
            )
        except RasaUnavailable:
            raise ApiError(
                502,
                "rasa_unreachable",
                "The assistant could not be reached, so the customer is still with you and "
                "the ticket stays open. Try closing again in a moment.",
            ) from None
    label = OUTCOMES[body.outcome][0]
    note = f"{label}: {body.note.strip()}" if body.note.strip() else label
    try:
        closed = await _store(request).close(found.id, agent.id, note)
    except TicketError:
        raise ApiError(409, "ticket_closed", "This ticket is already closed.") from None
    names = {agent.id: agent.display_name}
    return {"ticket": ticket_detail(closed, [], names, request.app.state.clock())}


# -- helpers -----------------------------------------------------------------------


async def _deliver(
    request: Request, ticket: Ticket, message: TicketMessage, agent: Agent
) -> dict[str, Any]:
    """Post an agent message to Rasa and record whether it arrived (502 when not)."""
    store = _store(request)
    try:
        await _rasa(request).post_events(
            ticket.conversation_id,
            ticket.channel or "bank_web",
            agent_reply_events(message.text, agent.display_name),
        )
    except RasaUnavailable:
        failed = await store.set_delivery(ticket.id, message.id, "failed")
        raise ApiError(
            502,
            "rasa_unreachable",
            "Not delivered: the assistant could not be reached. Your message is saved; "
            "retry when it is back.",
            undelivered=message_json(failed),
        ) from None
    delivered = await store.set_delivery(ticket.id, message.id, "delivered")
    logger.info(
        "handoff.message.agent_sent ticket_id=%s message_id=%s agent_id=%s",
        ticket.id,
        message.id,
        agent.id,
    )
    return {"message": message_json(delivered)}


def _own(ticket: Ticket, agent: Agent) -> Ticket:
    if ticket.status == "closed":
        raise ApiError(409, "ticket_closed", "This ticket is closed.")
    if ticket.status != "claimed" or ticket.claimed_by != agent.id:
        raise ApiError(403, "not_your_ticket", "Claim this ticket first.")
    return ticket


def _chat_ticket(ticket: Ticket, agent: Agent) -> Ticket:
    _own(ticket, agent)
    if ticket.kind != "live":
        raise ApiError(409, "callback_ticket", "A callback ticket has no live chat.")
    return ticket


async def _ticket(request: Request, ticket_id: int) -> Ticket:
    try:
        return await _store(request).get(ticket_id)
    except (TicketNotFound, ValueError):
        raise ApiError(404, "ticket_not_found", "No such ticket.") from None


async def _names(request: Request, tickets: list[Ticket]) -> dict[str, str]:
    claimants = {t.claimed_by for t in tickets if t.claimed_by}
    agents: AgentStore = request.app.state.agents
    return await agents.names(claimants)


def _store(request: Request) -> TicketStore:
    store: TicketStore = request.app.state.tickets
    return store


def _rasa(request: Request) -> RasaClient:
    client: RasaClient = request.app.state.rasa
    return client


def _outcomes() -> list[dict[str, str]]:
    return [{"code": code, "label": label} for code, (label, _) in OUTCOMES.items()]
