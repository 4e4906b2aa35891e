"""Database plumbing of the connectors' stores: engine and UTC datetimes.

SQLite (a file under ``var/`` by default) or PostgreSQL, chosen by URL. Creating an
engine does not connect; nothing here runs at import time. This mirrors
``actions/stores/db.py`` on purpose: connectors do not import from ``actions``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.engine import create_engine as sa_create_engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns aware UTC datetimes."""

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

    Writers (threads or processes) on the same file then queue for up to the busy
    timeout instead of failing with "database is locked" when two upgrade at once.
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
