"""The in-flight vault: the real values of personal slots that an active form still needs.

The tracker store keeps only masked events; while e.g. ``contact_details_form`` runs,
the new email it will commit lives here, one row per conversation, and is put back
into the slot when the tracker is loaded. The row is deleted when the form is no longer
active (and by the retention purge). With Rasa's SQL tracker store the table sits in
the same database (``privacy_inflight_slots``); other stores use process memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from sqlalchemy import Column, MetaData, String, Table, Text, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Delete

from sqlstore import UTCDateTime

metadata = MetaData()
inflight_slots = Table(
    "privacy_inflight_slots",
    metadata,
    Column("sender_id", String(255), primary_key=True),
    Column("form", String(255), nullable=False),
    Column("slots", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Kept:
    form: str
    slots: dict[str, Any]


class Vault(Protocol):
    def put(self, sender_id: str, kept: Kept) -> None: ...
    def get(self, sender_id: str) -> Kept | None: ...
    def clear(self, sender_id: str) -> None: ...


def _rows_of(sender_id: str) -> Delete:
    return delete(inflight_slots).where(inflight_slots.c.sender_id == sender_id)


class MemoryVault:
    def __init__(self) -> None:
        self._rows: dict[str, Kept] = {}

    def put(self, sender_id: str, kept: Kept) -> None:
        self._rows[sender_id] = kept

    def get(self, sender_id: str) -> Kept | None:
        return self._rows.get(sender_id)

    def clear(self, sender_id: str) -> None:
        self._rows.pop(sender_id, None)


class SQLVault:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine, tables=[inflight_slots])

    def put(self, sender_id: str, kept: Kept) -> None:
        row = {
            "sender_id": sender_id,
            "form": kept.form,
            "slots": json.dumps(kept.slots),
            "updated_at": datetime.now(timezone.utc),
        }
        with self._engine.begin() as connection:
            connection.execute(_rows_of(sender_id))
            connection.execute(inflight_slots.insert().values(**row))

    def get(self, sender_id: str) -> Kept | None:
        query = select(inflight_slots.c.form, inflight_slots.c.slots).where(
            inflight_slots.c.sender_id == sender_id
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return Kept(row.form, json.loads(row.slots)) if row else None

    def clear(self, sender_id: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(_rows_of(sender_id))
