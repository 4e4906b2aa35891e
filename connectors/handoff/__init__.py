"""The human-handoff ticket queue (SQLite or PostgreSQL), shared by the agent desk.

``TicketStore`` is the whole interface; ``records`` holds what it stores and refuses,
``tables`` the schema, ``store`` the ticket lifecycle and ``messages`` the transcript.
"""

from connectors.handoff.messages import TicketStore, sync_cursor
from connectors.handoff.records import (
    KINDS,
    OPEN_STATUSES,
    SENDERS,
    STATUSES,
    AlreadyClaimed,
    NotClaimant,
    Ticket,
    TicketClosed,
    TicketError,
    TicketMessage,
    TicketNotFound,
    TrackerMessage,
)
from connectors.handoff.tables import metadata, ticket_messages, tickets

__all__ = [
    "KINDS",
    "OPEN_STATUSES",
    "SENDERS",
    "STATUSES",
    "AlreadyClaimed",
    "NotClaimant",
    "Ticket",
    "TicketClosed",
    "TicketError",
    "TicketMessage",
    "TicketNotFound",
    "TicketStore",
    "TrackerMessage",
    "metadata",
    "sync_cursor",
    "ticket_messages",
    "tickets",
]
