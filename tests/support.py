"""Helpers shared by the test packages: a movable clock and throwaway PostgreSQL databases.

(A plain module with a unique name: test modules must not import ``conftest``.)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError


class FakeClock:
    """A clock the tests move forward instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def postgres_unavailable(reason: str) -> None:
    """Skip, or fail when REQUIRE_POSTGRES=1 (as in CI)."""
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but unavailable: {reason}")
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@contextmanager
def temporary_postgres_database(
    server_url: str, prefix: str, options: str | None = None
) -> Iterator[str]:
    """Create a uniquely named database on ``server_url``; yield its URL; drop it after."""
    server = create_engine(server_url, future=True, connect_args={"connect_timeout": 3})
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        server.dispose()
        postgres_unavailable(str(exc.orig).strip())
    url = make_url(server_url).set(database=name)
    if options:
        url = url.update_query_dict({"options": options})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


# Parametrise a ``database_url`` fixture with these to run a store's tests on both backends.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_name: str, metadata: MetaData
) -> str:
    """An empty database (no tables of ``metadata``) on ``request.param``'s backend.

    SQLite: a new file in a ``var/`` folder that does not exist yet. PostgreSQL: the
    session's ``postgres_url`` fixture with the tables dropped.
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/var/{sqlite_name}"
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url, future=True)
    metadata.drop_all(engine)
    engine.dispose()
    return url
