"""The persistent queue of human-handoff tickets, in SQLite (default) or PostgreSQL.

A ticket is opened for a conversation the bot hands to a person; it waits in the
queue (``queued``), one agent takes it (``claimed``) and that agent ends it
(``closed``) with an outcome note. A conversation has at most one open ticket.
A ``live`` ticket is a chat with a paused bot; a ``callback`` ticket asks an agent to
call the customer back (the bot is not paused). Messages exchanged while the ticket
is open are kept in order with it (``connectors.handoff.messages``).

Every call validates its arguments (``ValueError``), then runs one short transaction
in a worker thread. Tables are created on first use. Claiming is one conditional
UPDATE, so exactly one of several agents claiming at once wins. Logs carry event
names and ids only, never message text, context or outcome notes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from connectors.handoff import records as check
from connectors.handoff.records import (
    KINDS,
    OPEN_STATUSES,
    AlreadyClaimed,
    NotClaimant,
    Ticket,
    TicketClosed,
    TicketError,
    TicketNotFound,
    utc_now,
)
from connectors.handoff.tables import create_schema, tickets
from sqlstore import create_engine, ensure_sqlite_directory, is_memory_sqlite

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _ticket(row: Row) -> Ticket:
    return Ticket(**row._mapping)


class StoreBase:
    """Engine, schema on first use and one transaction per call in a worker thread."""

    def __init__(self, database_url: str, *, clock: Callable[[], datetime] = utc_now) -> None:
        """Creating a store does not connect; the first call creates missing tables."""
        self._engine = create_engine(database_url)
        self._clock = clock
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._serial = threading.Lock() if is_memory_sqlite(database_url) else None

    def dispose(self) -> None:
        """Close pooled connections; a later call opens new ones (``close`` ends a ticket)."""
        self._engine.dispose()

    @staticmethod
    def _get(connection: Connection, ticket_id: int, *, lock: bool = False) -> Ticket:
        statement = select(tickets).where(tickets.c.id == ticket_id)
        if lock and connection.dialect.name == "postgresql":
            statement = statement.with_for_update()
        row = connection.execute(statement).first()
        if row is None:
            raise TicketNotFound(f"no ticket {ticket_id}", ticket_id)
        return _ticket(row)

    async def _run(self, work: Callable[[Connection], T]) -> T:
        return await asyncio.to_thread(self._transaction, work)

    def _transaction(self, work: Callable[[Connection], T]) -> T:
        with self._serial or nullcontext():
            self._ensure_schema()
            with self._engine.begin() as connection:
                return work(connection)

    def _ensure_schema(self) -> None:
        """Create missing tables once per store; safe when several processes start at once."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            ensure_sqlite_directory(self._engine)
            with self._engine.begin() as connection:
                create_schema(connection)
            self._schema_ready = True
            logger.info("handoff_tickets.schema.ready dialect=%s", self._engine.dialect.name)


class TicketLifecycle(StoreBase):
    """Opening, finding, queueing, claiming and closing tickets."""

    async def open_ticket(self, conversation_id: str, *, reason: str, **options: Any) -> Ticket:
        """Queue a ticket; if the conversation already has an open one, return that."""
        ticket, _created = await self.open_or_reuse(conversation_id, reason=reason, **options)
        return ticket

    async def open_or_reuse(
        self,
        conversation_id: str,
        *,
        reason: str,
        customer_id: str | None = None,
        priority: int = 0,
        language: str = "en",
        context: Mapping[str, Any] | None = None,
        kind: str = "live",
        channel: str | None = None,
    ) -> tuple[Ticket, bool]:
        """The conversation's open ticket and ``False``, or a new queued one and ``True``."""
        cid = check.identifier("conversation_id", conversation_id)
        values: dict[str, object] = {
            "conversation_id": cid,
            "customer_id": None
            if customer_id is None
            else check.identifier("customer_id", customer_id),
            "reason": check.pattern("reason", reason, check.REASON),
            "priority": check.priority(priority),
            "language": check.pattern("language", language, check.LANGUAGE),
            "context": check.context({} if context is None else context),
            "kind": check.choice("kind", kind, KINDS),
            "channel": None
            if channel is None
            else check.pattern("channel", channel, check.CHANNEL),
            "status": "queued",
            "created_at": self._clock(),
        }

        def work(connection: Connection) -> tuple[Ticket, bool]:
            existing = self._open_for(connection, cid)
            if existing is not None:
                return existing, False
            new_id = connection.execute(tickets.insert().values(**values)).inserted_primary_key[0]
            return self._get(connection, new_id), True

        try:
            ticket, created = await self._run(work)
        except IntegrityError:  # another caller opened one for this conversation just now
            ticket, created = await self._run(work)
        event = "handoff.ticket.created" if created else "handoff.ticket.reused"
        logger.info(
            "%s ticket_id=%s conversation_id=%s reason=%s priority=%s kind=%s",
            event,
            ticket.id,
            ticket.conversation_id,
            ticket.reason,
            ticket.priority,
            ticket.kind,
        )
        return ticket, created

    async def open_ticket_for(self, conversation_id: str) -> Ticket | None:
        """The conversation's queued or claimed ticket, or ``None``."""
        cid = check.identifier("conversation_id", conversation_id)
        return await self._run(lambda connection: self._open_for(connection, cid))

    async def get(self, ticket_id: int) -> Ticket:
        tid = check.ticket_id(ticket_id)
        return await self._run(lambda connection: self._get(connection, tid))

    async def queue(self) -> list[Ticket]:
        """Queued tickets, highest priority first, then oldest first."""
        return await self._ordered(("queued",))

    async def open_tickets(self) -> list[Ticket]:
        """Queued and claimed tickets, highest priority first, then oldest first."""
        return await self._ordered(OPEN_STATUSES)

    async def queue_position(self, ticket_id: int) -> int | None:
        """1 for the next ticket to be served; ``None`` once the ticket is claimed or closed."""
        ticket_id = check.ticket_id(ticket_id)

        def work(connection: Connection) -> int | None:
            ticket = self._get(connection, ticket_id)
            if ticket.status != "queued":
                return None
            c = tickets.c
            ahead = or_(
                c.priority > ticket.priority,
                and_(c.priority == ticket.priority, c.created_at < ticket.created_at),
                and_(
                    c.priority == ticket.priority,
                    c.created_at == ticket.created_at,
                    c.id < ticket.id,
                ),
            )
            count = select(func.count()).where(c.status == "queued", ahead)
            return int(connection.execute(count).scalar_one()) + 1

        return await self._run(work)

    async def recent_handling_seconds(self, limit: int = 20) -> list[float]:
        """Claim-to-close durations of the ``limit`` most recently closed tickets."""
        c = tickets.c
        statement = (
            select(c.claimed_at, c.closed_at)
            .where(c.status == "closed", c.claimed_at.is_not(None))
            .order_by(c.closed_at.desc())
            .limit(limit)
        )
        rows = await self._run(lambda connection: connection.execute(statement).all())
        return [(row.closed_at - row.claimed_at).total_seconds() for row in rows]

    async def claim(self, ticket_id: int, agent_id: str) -> Ticket:
        """Give a queued ticket to ``agent_id``; ``AlreadyClaimed`` if someone got it first."""
        ticket_id = check.ticket_id(ticket_id)
        agent = check.identifier("agent_id", agent_id)
        now = self._clock()

        def work(connection: Connection) -> Ticket:
            taken = connection.execute(
                update(tickets)
                .where(tickets.c.id == ticket_id, tickets.c.status == "queued")
                .values(status="claimed", claimed_by=agent, claimed_at=now)
            )
            ticket = self._get(connection, ticket_id)
            if taken.rowcount == 1:
                return ticket
            if ticket.status == "closed":
                raise TicketClosed(f"ticket {ticket_id} is closed", ticket_id)
            raise AlreadyClaimed(ticket_id, ticket.claimed_by)

        try:
            ticket = await self._run(work)
        except TicketError as refused:
            logger.info(
                "handoff.ticket.claim_refused ticket_id=%s agent_id=%s error=%s",
                ticket_id,
                agent,
                type(refused).__name__,
            )
            raise
        logger.info("handoff.ticket.claimed ticket_id=%s agent_id=%s", ticket_id, agent)
        return ticket

    async def close(self, ticket_id: int, agent_id: str, outcome: str) -> Ticket:
        """End a claimed ticket; only its agent may, and only once (else ``TicketError``)."""
        ticket_id = check.ticket_id(ticket_id)
        agent = check.identifier("agent_id", agent_id)
        note = check.message_text("outcome", outcome)
        now = self._clock()

        def work(connection: Connection) -> Ticket:
            ended = connection.execute(
                update(tickets)
                .where(
                    tickets.c.id == ticket_id,
                    tickets.c.status == "claimed",
                    tickets.c.claimed_by == agent,
                )
                .values(status="closed", closed_at=now, outcome=note)
            )
            ticket = self._get(connection, ticket_id)
            if ended.rowcount == 1:
                return ticket
            if ticket.status == "closed":
                raise TicketClosed(f"ticket {ticket_id} is already closed", ticket_id)
            raise NotClaimant(f"ticket {ticket_id} is not claimed by agent {agent}", ticket_id)

        ticket = await self._run(work)
        logger.info("handoff.ticket.closed ticket_id=%s agent_id=%s", ticket_id, agent)
        return ticket

    async def _ordered(self, statuses: tuple[str, ...]) -> list[Ticket]:
        c = tickets.c
        statement = (
            select(tickets)
            .where(c.status.in_(statuses))
            .order_by(c.priority.desc(), c.created_at, c.id)
        )
        rows = await self._run(lambda connection: connection.execute(statement).all())
        return [_ticket(row) for row in rows]

    @staticmethod
    def _open_for(connection: Connection, conversation_id: str) -> Ticket | None:
        row = connection.execute(
            select(tickets).where(
                tickets.c.conversation_id == conversation_id,
                tickets.c.status.in_(OPEN_STATUSES),
            )
        ).first()
        return None if row is None else _ticket(row)
