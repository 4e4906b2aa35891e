"""Rasa's SQL tracker store, tuned for our two profiles (bot/endpoints.yml, .production.yml).

Same tables, same settings, same events as Rasa 3.6's ``SQLTrackerStore``, plus:

- **Connections are checked before use.** Rasa builds its engine without
  ``pool_pre_ping``. After PostgreSQL restarts (or a failover drops the connections) the
  first ``retrieve`` on a dead pooled connection fails, and Rasa's ``FailSafeTrackerStore``
  then answers that message from an *empty* tracker and stores nothing: the conversation
  loses the message and the bot its context. Pinging each connection as it leaves the pool
  replaces dead ones before they are used.
- **Loading a tracker reads only the events' JSON, a save inserts the new events in one
  statement and publishes them to the event broker without loading the tracker again.**
  Rasa builds an ORM object per event row, to read its ``data`` column and to write it (12%
  and 8% of the Rasa server's CPU under load), and reloads the whole session to find what
  to publish. The rows and the published events are Rasa's.
- **SQLite (the embedded default) keeps its connections** (SQLAlchemy 1.4 opens one per
  session) **and runs in WAL mode** with ``synchronous=NORMAL``: a save no longer waits for
  two syncs to disk. A crash of the process loses nothing; a power cut may lose the last
  turns (production is PostgreSQL).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY


class TunedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` (same settings): pinged connections, lean reads, SQLite in WAL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        untuned: sa.engine.Engine = self.engine  # type: ignore[has-type]
        url = untuned.url
        untuned.dispose()
        if url.get_backend_name() == "sqlite":
            # SQLAlchemy 1.4 opens a new SQLite connection per session (NullPool): 7% of the
            # Rasa server's CPU. Keep a few, shared with the vault's reads and writes.
            self.engine = sa.create_engine(
                url,
                poolclass=sa.pool.QueuePool,
                pool_size=2,
                connect_args={"check_same_thread": False},
            )
            sa.event.listen(self.engine, "connect", _sqlite_wal)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            rows = query.with_entities(self.SQLEvent.data).all()
        events = [json.loads(data) for (data,) in rows]
        if not self.domain or not events:
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events not stored yet (one INSERT), then publish the same events to
        the event broker. Rasa's save loads the conversation once more to find what to
        publish (the same count-based difference) and publishes before storing."""
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            if new_events:
                rows = [_event_row(tracker.sender_id, event) for event in new_events]
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()
        if self.event_broker is not None and new_events:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)


def _event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The row Rasa's ``SQLTrackerStore.save`` writes for ``event``."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _sqlite_wal(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
