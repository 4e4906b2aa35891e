"""Database plumbing: engine and session factories, UTC datetime column type."""

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.engine import create_engine as sa_create_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns aware UTC datetimes.

    SQLite has no time zones and drops ``tzinfo``; PostgreSQL keeps it. Either
    way the application only ever sees ``datetime`` objects in UTC.
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


def _is_memory_sqlite(url: str) -> bool:
    database = make_url(url).database
    return database in (None, "", ":memory:")


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on; each transaction takes the write lock up front (BEGIN IMMEDIATE).

    pysqlite's default deferred transactions can fail with "database is locked"
    when two requests upgrade from reading to writing at once; taking the lock
    at BEGIN makes concurrent requests queue (up to the busy timeout) instead.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(database_url: str) -> Engine:
    """An engine for SQLite (default) or PostgreSQL; creating it does not connect."""
    if not database_url.startswith("sqlite"):
        return sa_create_engine(database_url, future=True, pool_pre_ping=True)
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if _is_memory_sqlite(database_url):
        options["poolclass"] = StaticPool
    engine = sa_create_engine(database_url, future=True, **options)
    _configure_sqlite(engine)
    return engine


def ensure_sqlite_directory(engine: Engine) -> None:
    """Create the folder of a file-based SQLite database (e.g. ``var/``) if it is missing."""
    if engine.dialect.name != "sqlite" or _is_memory_sqlite(str(engine.url)):
        return
    database = engine.url.database
    if database:
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def create_session_factory(engine: Engine) -> sessionmaker:
    """Sessions keep loaded values after commit so responses can be built from them."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False, class_=Session)
