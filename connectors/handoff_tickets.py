"""The persistent queue of human-handoff tickets, in SQLite (default) or PostgreSQL.

A ticket is opened for a conversation the bot hands to a person; it waits in the
queue (``queued``), one agent takes it (``claimed``) and that agent ends it
(``closed``) with an outcome note. A conversation has at most one open ticket.
Messages exchanged while the ticket is open are kept in order with it.

Every call validates its arguments (``ValueError``), then runs one short transaction
in a worker thread. Tables are created on first use. Claiming is one conditional
UPDATE, so exactly one of several agents claiming at once wins. Logs carry event
names and ids only, never message text, context or outcome notes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from sqlstore import UTCDateTime, create_engine, ensure_sqlite_directory, is_memory_sqlite

logger = logging.getLogger(__name__)

T = TypeVar("T")

STATUSES = ("queued", "claimed", "closed")
OPEN_STATUSES = ("queued", "claimed")
SENDERS = ("customer", "agent", "bot")
ID_LENGTH = 128
MAX_PRIORITY = 100
MAX_TEXT = 4000
MAX_CONTEXT_CHARS = 64_000
_REASON = re.compile(r"[a-z][a-z0-9_]{0,49}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
_ID = re.compile(r"[A-Za-z0-9._:@+-]{1,128}")
_SCHEMA_LOCK_KEY = 0x68616E64  # PostgreSQL advisory lock taken while creating tables


def _in(column: str, values: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


metadata = MetaData()

tickets = Table(
    "handoff_tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(ID_LENGTH), nullable=False),
    Column("customer_id", String(ID_LENGTH), nullable=True),
    Column("status", String(10), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("reason", String(50), nullable=False),
    Column("language", String(12), nullable=False),
    Column("context", JSON, nullable=False),
    Column("claimed_by", String(ID_LENGTH), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("outcome", Text, nullable=True),
    CheckConstraint(_in("status", STATUSES), name="ck_handoff_tickets_status"),
    # At most one open ticket per conversation, enforced by the database itself.
    Index(
        "uq_handoff_tickets_open_conversation",
        "conversation_id",
        unique=True,
        sqlite_where=text(_in("status", OPEN_STATUSES)),
        postgresql_where=text(_in("status", OPEN_STATUSES)),
    ),
    Index("ix_handoff_tickets_queue", "status", "priority", "created_at"),
)

ticket_messages = Table(
    "handoff_ticket_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("handoff_tickets.id"), nullable=False),
    Column("sender", String(10), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint(_in("sender", SENDERS), name="ck_handoff_ticket_messages_sender"),
    Index("ix_handoff_ticket_messages_ticket", "ticket_id", "id"),
)


# -- records and errors -----------------------------------------------------------


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


@dataclass(frozen=True)
class TicketMessage:
    id: int
    ticket_id: int
    sender: str
    text: str
    created_at: datetime


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


# -- validation (messages name the argument, never echo the value) -----------------


def _identifier(name: str, value: object) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ValueError(f"{name} must be 1-{ID_LENGTH} characters of letters, digits, ._:@+-")
    return value


def _pattern(name: str, value: object, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"{name} must match {pattern.pattern}")
    return value


def _ticket_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("ticket_id must be a positive integer")
    return value


def _priority(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PRIORITY:
        raise ValueError(f"priority must be an integer from 0 to {MAX_PRIORITY}")
    return value


def _context(value: object) -> dict[str, Any]:
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


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise ValueError(f"{name} must be non-blank text of at most {MAX_TEXT} characters")
    return value


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}")
    return str(value)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _ticket(row: Row) -> Ticket:
    return Ticket(**row._mapping)


# -- the store --------------------------------------------------------------------


class TicketStore:
    """The handoff queue behind one async interface; safe across threads and processes."""

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

    async def open_ticket(
        self,
        conversation_id: str,
        *,
        reason: str,
        customer_id: str | None = None,
        priority: int = 0,
        language: str = "en",
        context: Mapping[str, Any] | None = None,
    ) -> Ticket:
        """Queue a ticket; if the conversation already has an open one, return that."""
        cid = _identifier("conversation_id", conversation_id)
        values: dict[str, object] = {
            "conversation_id": cid,
            "customer_id": None if customer_id is None else _identifier("customer_id", customer_id),
            "reason": _pattern("reason", reason, _REASON),
            "priority": _priority(priority),
            "language": _pattern("language", language, _LANGUAGE),
            "context": _context({} if context is None else context),
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
            "%s ticket_id=%s conversation_id=%s reason=%s priority=%s",
            event,
            ticket.id,
            ticket.conversation_id,
            ticket.reason,
            ticket.priority,
        )
        return ticket

    async def open_ticket_for(self, conversation_id: str) -> Ticket | None:
        """The conversation's queued or claimed ticket, or ``None``."""
        cid = _identifier("conversation_id", conversation_id)
        return await self._run(lambda connection: self._open_for(connection, cid))

    async def get(self, ticket_id: int) -> Ticket:
        tid = _ticket_id(ticket_id)
        return await self._run(lambda connection: self._get(connection, tid))

    async def queue(self) -> list[Ticket]:
        """Queued tickets, highest priority first, then oldest first."""
        statement = (
            select(tickets)
            .where(tickets.c.status == "queued")
            .order_by(tickets.c.priority.desc(), tickets.c.created_at, tickets.c.id)
        )
        rows = await self._run(lambda connection: connection.execute(statement).all())
        return [_ticket(row) for row in rows]

    async def queue_position(self, ticket_id: int) -> int | None:
        """1 for the next ticket to be served; ``None`` once the ticket is claimed or closed."""
        ticket_id = _ticket_id(ticket_id)

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

    async def claim(self, ticket_id: int, agent_id: str) -> Ticket:
        """Give a queued ticket to ``agent_id``; ``AlreadyClaimed`` if someone got it first."""
        ticket_id = _ticket_id(ticket_id)
        agent = _identifier("agent_id", agent_id)
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
        ticket_id = _ticket_id(ticket_id)
        agent = _identifier("agent_id", agent_id)
        note = _text("outcome", outcome)
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

    async def add_message(self, ticket_id: int, sender: str, text: str) -> TicketMessage:
        """Append a message to an open ticket's transcript."""
        ticket_id = _ticket_id(ticket_id)
        checked_sender = _choice("sender", sender, SENDERS)
        checked_text = _text("text", text)
        now = self._clock()

        def work(connection: Connection) -> TicketMessage:
            if self._get(connection, ticket_id).status == "closed":
                raise TicketClosed(f"ticket {ticket_id} is closed", ticket_id)
            result = connection.execute(
                ticket_messages.insert().values(
                    ticket_id=ticket_id, sender=checked_sender, text=checked_text, created_at=now
                )
            )
            return TicketMessage(
                result.inserted_primary_key[0], ticket_id, checked_sender, checked_text, now
            )

        message = await self._run(work)
        logger.debug(
            "handoff.message.added ticket_id=%s message_id=%s sender=%s",
            ticket_id,
            message.id,
            message.sender,
        )
        return message

    async def messages(self, ticket_id: int, after_id: int | None = None) -> list[TicketMessage]:
        """The ticket's messages in order; only those after ``after_id`` when given."""
        ticket_id = _ticket_id(ticket_id)
        c = ticket_messages.c
        statement = select(ticket_messages).where(c.ticket_id == ticket_id).order_by(c.id)
        if after_id is not None:
            if isinstance(after_id, bool) or not isinstance(after_id, int):
                raise ValueError("after_id must be an integer")
            statement = statement.where(c.id > after_id)

        def work(connection: Connection) -> list[TicketMessage]:
            self._get(connection, ticket_id)
            return [TicketMessage(**row._mapping) for row in connection.execute(statement)]

        return await self._run(work)

    # -- plumbing -------------------------------------------------------------------

    @staticmethod
    def _get(connection: Connection, ticket_id: int) -> Ticket:
        row = connection.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
        if row is None:
            raise TicketNotFound(f"no ticket {ticket_id}", ticket_id)
        return _ticket(row)

    @staticmethod
    def _open_for(connection: Connection, conversation_id: str) -> Ticket | None:
        row = connection.execute(
            select(tickets).where(
                tickets.c.conversation_id == conversation_id,
                tickets.c.status.in_(OPEN_STATUSES),
            )
        ).first()
        return None if row is None else _ticket(row)

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
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY}
                    )
                metadata.create_all(connection)
            self._schema_ready = True
            logger.info("handoff_tickets.schema.ready dialect=%s", self._engine.dialect.name)
