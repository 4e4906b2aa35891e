"""The handoff queue's tables and their creation on first use.

Tables are created when missing. Columns added since the first release (``kind``,
``channel``, ``synced_until`` on tickets; ``delivery`` and ``external_id`` on
messages) are added to an existing database in the same step, with defaults that
keep old rows meaningful, and logged; nothing else about an existing table is changed.
"""

from __future__ import annotations

import logging

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    text,
)
from sqlalchemy.engine import Connection

from connectors.handoff.records import (
    ID_LENGTH,
    KINDS,
    OPEN_STATUSES,
    SENDERS,
    STATUSES,
)
from sqlstore import UTCDateTime

logger = logging.getLogger(__name__)

SCHEMA_LOCK_KEY = 0x68616E64  # PostgreSQL advisory lock taken while creating tables


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
    Column("kind", String(10), nullable=False, server_default="live"),
    Column("channel", String(50), nullable=True),
    # Rasa event timestamp of the last customer message copied from the tracker.
    Column("synced_until", Float, nullable=True),
    CheckConstraint(_in("status", STATUSES), name="ck_handoff_tickets_status"),
    CheckConstraint(_in("kind", KINDS), name="ck_handoff_tickets_kind"),
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
    # Agent messages: "pending" while posting to Rasa, then "delivered" or "failed".
    Column("delivery", String(10), nullable=True),
    # Customer messages copied from Rasa's tracker: the event's id, so none is stored twice.
    Column("external_id", String(ID_LENGTH), nullable=True),
    CheckConstraint(_in("sender", SENDERS), name="ck_handoff_ticket_messages_sender"),
    Index("ix_handoff_ticket_messages_ticket", "ticket_id", "id"),
    Index("uq_handoff_ticket_messages_external", "ticket_id", "external_id", unique=True),
)

# Columns a database created before they existed gets on first use: (table, column, DDL type).
_ADDED_COLUMNS = (
    (tickets, "kind", "VARCHAR(10) NOT NULL DEFAULT 'live'"),
    (tickets, "channel", "VARCHAR(50)"),
    (tickets, "synced_until", "FLOAT"),
    (ticket_messages, "delivery", "VARCHAR(10)"),
    (ticket_messages, "external_id", f"VARCHAR({ID_LENGTH})"),
)
_ADDED_INDEXES = ("uq_handoff_ticket_messages_external",)


def create_schema(connection: Connection) -> None:
    """Create missing tables, then add columns and indexes newer than an existing table."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
    metadata.create_all(connection)
    inspector = inspect(connection)
    for table, column, ddl in _ADDED_COLUMNS:
        existing = {c["name"] for c in inspector.get_columns(table.name)}
        if column not in existing:
            connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column} {ddl}"))
            logger.info(
                "handoff_tickets.schema.column_added table=%s column=%s", table.name, column
            )
    names = {i["name"] for i in inspect(connection).get_indexes(ticket_messages.name)}
    for index in ticket_messages.indexes:
        if index.name in _ADDED_INDEXES and index.name not in names:
            index.create(connection)
            logger.info("handoff_tickets.schema.index_added index=%s", index.name)
