"""TunedSQLTrackerStore reads back exactly what Rasa's SQLTrackerStore reads, on SQLite and
PostgreSQL, and runs SQLite in WAL mode."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import text

from sqlstore.rasa_tracker_store import TunedSQLTrackerStore
from tests.support import temporary_postgres_database

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_SERVER_URL = os.environ.get(
    "SQLSTORE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict]:
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "tracker.sqlite3")}
    else:
        with temporary_postgres_database(POSTGRES_SERVER_URL, "sqlstore_test") as url:
            yield {"dialect": "postgresql", "host": url}  # a whole URL, as endpoints.yml's `url`


def two_sessions(domain: Domain, sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, domain.slots)
    for event in (
        ActionExecuted("action_session_start", timestamp=999.0),
        SessionStarted(timestamp=1000.0),
        ActionExecuted("action_listen", timestamp=1001.0),
        UserUttered("hi", {"name": "greet", "confidence": 1.0}, timestamp=1002.0),
        BotUttered("Hello!", timestamp=1003.0),
        ActionExecuted("action_session_start", timestamp=2000.0),
        SessionStarted(timestamp=2000.5),
        SlotSet("language", "en", timestamp=2000.6),
        ActionExecuted("action_listen", timestamp=2001.0),
        UserUttered("my balance", {"name": "check_balance", "confidence": 1.0}, timestamp=2002.0),
    ):
        tracker.update(event)
    return tracker


async def test_reads_what_rasas_store_reads(domain: Domain, settings: dict):
    endpoint = {k: v for k, v in settings.items() if k != "host"}  # endpoints.yml spells it url
    if "host" in settings:
        endpoint["url"] = settings["host"]
    config = EndpointConfig.from_dict(
        {"type": "sqlstore.rasa_tracker_store.TunedSQLTrackerStore", **endpoint}
    )
    tuned = TrackerStore.create(config, domain=domain)
    assert isinstance(tuned, TunedSQLTrackerStore)
    await tuned.save(two_sessions(domain, "conversation-1"))

    rasas = SQLTrackerStore(domain, **settings)
    for read in ("retrieve", "retrieve_full_tracker"):
        ours = await getattr(tuned, read)("conversation-1")
        theirs = await getattr(rasas, read)("conversation-1")
        assert list(ours.events) == list(theirs.events), read
        assert ours.current_state() == theirs.current_state()
    latest = await tuned.retrieve("conversation-1")
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["my balance"]
    assert await tuned.retrieve("nobody") is None

    latest.update(BotUttered("Your balance is ...", timestamp=2003.0))  # a later turn appends
    await tuned.save(latest)
    full = await rasas.retrieve_full_tracker("conversation-1")
    assert len(full.events) == len(two_sessions(domain, "x").events) + 1


def test_sqlite_runs_in_wal_mode(domain: Domain, tmp_path: Path):
    store = TunedSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.sqlite3"))
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


async def test_writes_the_rows_rasas_store_writes(domain: Domain, tmp_path: Path):
    tuned = TunedSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tuned.sqlite3"))
    rasas = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "rasa.sqlite3"))
    for store in (tuned, rasas):
        await store.save(two_sessions(domain, "conversation-1"))
        next_turn = await store.retrieve("conversation-1")  # the latest session, as Rasa loads it
        next_turn.update(BotUttered("Your balance is ...", timestamp=2003.0))
        await store.save(next_turn)  # only the new event is appended

    def rows(store: SQLTrackerStore) -> list[tuple]:
        columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
        with store.engine.connect() as connection:
            return list(connection.execute(text(f"SELECT {columns} FROM events ORDER BY id")))

    assert rows(tuned) == rows(rasas)
    assert len(rows(tuned)) == len(two_sessions(domain, "x").events) + 1


class RecordingBroker(EventBroker):
    """Keeps what is published (a stand-in for RabbitMQ in this unit test)."""

    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


async def test_publishes_what_rasas_store_publishes(domain: Domain, tmp_path: Path):
    published = []
    for name, store_class in (("tuned", TunedSQLTrackerStore), ("rasa", SQLTrackerStore)):
        broker = RecordingBroker()
        store = store_class(domain, dialect="sqlite", db=str(tmp_path / f"{name}.sqlite3"))
        store.event_broker = broker
        await store.save(two_sessions(domain, "conversation-1"))
        next_turn = await store.retrieve("conversation-1")
        next_turn.update(BotUttered("Your balance is ...", timestamp=2003.0))
        await store.save(next_turn)
        await store.save(next_turn)  # nothing new: nothing published
        published.append(broker.published)
    assert published[0] == published[1]
    assert len(published[0]) == len(two_sessions(domain, "x").events) + 1
