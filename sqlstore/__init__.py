"""SQL plumbing shared by the action server's stores and the connectors' stores.

Engine, UTC datetimes and upserts for SQLite (a file under ``var/`` by default) or
PostgreSQL, chosen by URL. Creating an engine does not connect; nothing here runs at
import time. ``core_mock`` keeps its own (it imports nothing of ours).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.engine import create_engine as sa_create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns aware UTC datetimes.

    SQLite has no time zones and drops ``tzinfo``; PostgreSQL keeps it. Either way
    callers only ever see ``datetime`` objects in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("UTCDateTime columns accept only timezone-aware datetimes")
        utc = value.astimezone(timezone.utc)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def is_memory_sqlite(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def create_engine(database_url: str) -> Engine:
    """An engine for SQLite or PostgreSQL; creating it does not connect."""
    backend = make_url(database_url).get_backend_name()
    if backend == "postgresql":
        return sa_create_engine(database_url, future=True, pool_pre_ping=True)
    if backend != "sqlite":
        raise ValueError(f"unsupported database backend {backend!r}: use sqlite or postgresql")
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if is_memory_sqlite(database_url):
        options["poolclass"] = StaticPool
    engine = sa_create_engine(database_url, future=True, **options)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """Each transaction takes the write lock up front (BEGIN IMMEDIATE).

    Two stores (threads or processes) writing the same file then queue for up to
    the busy timeout instead of failing with "database is locked" when both
    upgrade from reading to writing at once.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def ensure_sqlite_directory(engine: Engine) -> None:
    """Create the folder of a file-based SQLite database (e.g. ``var/``) if it is missing."""
    if engine.dialect.name != "sqlite" or is_memory_sqlite(str(engine.url)):
        return
    database = engine.url.database
    if database:
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def upsert(
    session: Session,
    table: Table,
    values: Mapping[str, Any],
    *,
    key: Iterable[str],
    update: Iterable[str],
) -> None:
    """INSERT ``values``, or on a conflict of ``key`` UPDATE the ``update`` columns.

    One atomic statement on both backends, so two writers creating the same row at
    once cannot fail with a duplicate-key error.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={column: statement.excluded[column] for column in update},
    )
    session.execute(statement)
