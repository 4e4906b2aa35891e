"""Messages of a ticket, and ``TicketStore``: the whole queue behind one async interface.

Agent messages carry a delivery state (``pending`` while being sent, ``delivered``
once Rasa accepted them, ``failed`` until a retry succeeds), so none is silently lost.
Customer messages are copied from Rasa's tracker together with the ticket's cursor (the last copied
event's timestamp) in one transaction, and each event id is stored at most once per
ticket, so a restart or a second desk process neither loses nor repeats one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from connectors.handoff import records as check
from connectors.handoff.records import (
    DELIVERIES,
    SENDERS,
    Ticket,
    TicketClosed,
    TicketMessage,
    TrackerMessage,
)
from connectors.handoff.store import TicketLifecycle
from connectors.handoff.tables import ticket_messages, tickets

logger = logging.getLogger(__name__)


def sync_cursor(ticket: Ticket) -> float:
    """Tracker events after this epoch timestamp are new to the ticket."""
    if ticket.synced_until is not None:
        return ticket.synced_until
    return ticket.created_at.timestamp()


class TicketStore(TicketLifecycle):
    """The handoff queue: tickets and their messages; safe across threads and processes."""

    async def add_message(
        self, ticket_id: int, sender: str, text: str, *, delivery: str | None = None
    ) -> TicketMessage:
        """Append a message to an open ticket's transcript."""
        ticket_id = check.ticket_id(ticket_id)
        checked_sender = check.choice("sender", sender, SENDERS)
        checked_text = check.message_text("text", text)
        state = None if delivery is None else check.choice("delivery", delivery, DELIVERIES)
        now = self._clock()

        def work(connection: Connection) -> TicketMessage:
            if self._get(connection, ticket_id).status == "closed":
                raise TicketClosed(f"ticket {ticket_id} is closed", ticket_id)
            result = connection.execute(
                ticket_messages.insert().values(
                    ticket_id=ticket_id,
                    sender=checked_sender,
                    text=checked_text,
                    created_at=now,
                    delivery=state,
                )
            )
            return TicketMessage(
                result.inserted_primary_key[0], ticket_id, checked_sender, checked_text, now, state
            )

        message = await self._run(work)
        logger.debug(
            "handoff.message.added ticket_id=%s message_id=%s sender=%s",
            ticket_id,
            message.id,
            message.sender,
        )
        return message

    async def get_message(self, ticket_id: int, message_id: int) -> TicketMessage:
        """One message of the ticket (``TicketNotFound`` when the ticket has no such one)."""
        ticket_id = check.ticket_id(ticket_id)
        message_id = check.ticket_id(message_id)
        c = ticket_messages.c
        statement = select(ticket_messages).where(c.id == message_id, c.ticket_id == ticket_id)

        def work(connection: Connection) -> TicketMessage:
            row = connection.execute(statement).first()
            if row is None:
                raise check.TicketNotFound(f"no message {message_id}", ticket_id)
            return TicketMessage(**row._mapping)

        return await self._run(work)

    async def set_delivery(self, ticket_id: int, message_id: int, delivery: str) -> TicketMessage:
        """Record whether Rasa accepted an agent message."""
        state = check.choice("delivery", delivery, DELIVERIES)
        message = await self.get_message(ticket_id, message_id)
        c = ticket_messages.c
        await self._run(
            lambda connection: connection.execute(
                update(ticket_messages).where(c.id == message.id).values(delivery=state)
            )
        )
        logger.info(
            "handoff.message.%s ticket_id=%s message_id=%s", state, message.ticket_id, message.id
        )
        return TicketMessage(**{**message.__dict__, "delivery": state})

    async def messages(self, ticket_id: int, after_id: int | None = None) -> list[TicketMessage]:
        """The ticket's messages in order; only those after ``after_id`` when given."""
        ticket_id = check.ticket_id(ticket_id)
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

    async def record_customer_messages(
        self, ticket_id: int, found: Sequence[TrackerMessage]
    ) -> list[TicketMessage]:
        """Store the tracker's customer messages newer than the ticket's cursor, once each.

        The cursor moves to the newest stored event in the same transaction. Nothing is
        stored for a closed ticket.
        """
        ticket_id = check.ticket_id(ticket_id)
        candidates = sorted(found, key=lambda message: message.timestamp)

        def work(connection: Connection) -> list[TicketMessage]:
            ticket = self._get(connection, ticket_id, lock=True)
            if not ticket.is_open:
                return []
            cursor = sync_cursor(ticket)
            known = {
                row.external_id
                for row in connection.execute(
                    select(ticket_messages.c.external_id).where(
                        ticket_messages.c.ticket_id == ticket_id,
                        ticket_messages.c.external_id.is_not(None),
                    )
                )
            }
            stored: list[TicketMessage] = []
            for message in candidates:
                if message.timestamp <= cursor or message.external_id in known:
                    continue
                stored.append(self._insert_customer_message(connection, ticket_id, message))
                known.add(message.external_id)
            if stored:
                connection.execute(
                    update(tickets)
                    .where(tickets.c.id == ticket_id)
                    .values(synced_until=max(m.timestamp for m in candidates))
                )
            return stored

        stored = await self._run(work)
        for message in stored:
            logger.info(
                "handoff.message.customer_synced ticket_id=%s message_id=%s", ticket_id, message.id
            )
        return stored

    @staticmethod
    def _insert_customer_message(
        connection: Connection, ticket_id: int, message: TrackerMessage
    ) -> TicketMessage:
        text = check.message_text("text", message.text[: check.MAX_TEXT])
        external_id = message.external_id[: check.ID_LENGTH]
        sent_at = datetime.fromtimestamp(message.timestamp, tz=timezone.utc)
        result = connection.execute(
            ticket_messages.insert().values(
                ticket_id=ticket_id,
                sender="customer",
                text=text,
                created_at=sent_at,
                external_id=external_id,
            )
        )
        return TicketMessage(
            result.inserted_primary_key[0], ticket_id, "customer", text, sent_at, None, external_id
        )
