"""Fixtures for the connector tests: the handoff ticket store on SQLite and PostgreSQL.

SQLite: a fresh file per test under ``tmp_path`` (in a ``var/`` folder that does not
exist yet). PostgreSQL: a uniquely named database on the server at
``HANDOFF_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres)
for the session, dropped afterwards, with the tables dropped before each test. When
the server is unreachable the postgresql tests are skipped, unless REQUIRE_POSTGRES=1,
which makes them fail (the same rule as tests/actions and tests/core_mock).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from connectors.handoff import TicketStore, metadata
from tests.support import (
    BACKENDS,
    FakeClock,
    empty_database_url,
    temporary_postgres_database,
)

POSTGRES_SERVER_URL = os.environ.get(
    "HANDOFF_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database for this test session."""
    with temporary_postgres_database(POSTGRES_SERVER_URL, "handoff_test") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no tables) on each backend."""
    return empty_database_url(request, tmp_path, "handoff.sqlite3", metadata)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def open_store(database_url: str, clock: FakeClock) -> Iterator[Callable[[], TicketStore]]:
    """Open another store on the same database (a restart, or another process)."""
    opened: list[TicketStore] = []

    def open_one() -> TicketStore:
        opened.append(TicketStore(database_url, clock=clock))
        return opened[-1]

    yield open_one
    for store in opened:
        store.dispose()


@pytest.fixture
def store(open_store: Callable[[], TicketStore]) -> TicketStore:
    return open_store()
