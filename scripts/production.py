"""The production shape of the stack (``STACK_PROFILE=production``, docs/production.md).

Rasa keeps conversations in PostgreSQL (SQL tracker store), serialises each conversation's
messages across instances with Redis (lock store), and publishes every event to RabbitMQ
(pika broker); core banking, the profile store and the agent desk use PostgreSQL too. The
Socket.IO server and the voice channel's call state share the lock store's Redis, so any
instance can serve any message. Defaults point at the services on this machine.

python scripts/production.py create-databases   # the PostgreSQL databases, if missing
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from scripts.dev import StackConfig

PROFILES = ("development", "production")
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432"


class ProfileError(ValueError):
    """STACK_PROFILE or one of the production URLs is not usable."""


def profile_defaults(profile: str, base: StackConfig) -> StackConfig:
    """``base`` for development; with this machine's PostgreSQL, Redis and RabbitMQ for
    production (each still overridden by its environment variable in ``from_env``)."""
    if profile not in PROFILES:
        raise ProfileError(f"STACK_PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}")
    if profile == "development":
        return base
    return dataclasses.replace(
        base,
        profile=profile,
        core_database_url=f"{LOCAL_POSTGRES}/bank_core",
        profile_store_url=f"{LOCAL_POSTGRES}/bank_profiles",
        desk_database_url=f"{LOCAL_POSTGRES}/bank_handoff",
        tracker_store_url=f"{LOCAL_POSTGRES}/bank_rasa",
        lock_store_url="redis://127.0.0.1:6379/1",
        event_broker_url="amqp://guest:guest@127.0.0.1:5672",
    )


def rasa_env(config: StackConfig) -> dict[str, str]:
    """The variables bot/endpoints.production.yml and bot/credentials.yml read, from the
    stack's URLs; nothing in development."""
    if config.profile != "production":
        return {}
    redis = urlparse(config.lock_store_url)
    broker = urlparse(config.event_broker_url)
    if redis.scheme not in ("redis", "rediss") or broker.scheme not in ("amqp", "amqps"):
        raise ProfileError(
            "RASA_LOCK_STORE_URL must be redis://… and RASA_EVENT_BROKER_URL amqp://…"
        )
    return {
        "RASA_TRACKER_STORE_URL": config.tracker_store_url,
        "RASA_LOCK_STORE_HOST": redis.hostname or "127.0.0.1",
        "RASA_LOCK_STORE_PORT": str(redis.port or 6379),
        "RASA_LOCK_STORE_DB": redis.path.strip("/") or "0",
        "RASA_LOCK_STORE_PASSWORD": unquote(redis.password or ""),
        "RASA_EVENT_BROKER_HOST": broker.hostname or "127.0.0.1",
        "RASA_EVENT_BROKER_PORT": str(broker.port or 5672),
        "RASA_EVENT_BROKER_USERNAME": unquote(broker.username or "guest"),
        "RASA_EVENT_BROKER_PASSWORD": unquote(broker.password or "guest"),
        "RASA_EVENT_BROKER_QUEUE": config.event_broker_queue,
        "RASA_EVENT_BROKER_EXCHANGE": config.event_broker_queue,
        "BANK_WEB_SOCKETIO_REDIS_URL": config.lock_store_url,
        "BANK_VOICE_STATE_REDIS_URL": config.lock_store_url,
    }


def database_urls(config: StackConfig) -> list[str]:
    return [
        config.core_database_url,
        config.profile_store_url,
        config.desk_database_url,
        config.tracker_store_url,
    ]


def create_databases(urls: Iterable[str]) -> set[str]:
    """Create each PostgreSQL database that does not exist yet; return the created URLs."""
    created: set[str] = set()
    for url in urls:
        parsed = make_url(url)
        if not parsed.drivername.startswith("postgresql"):
            raise ProfileError(f"production databases are PostgreSQL, not {parsed.drivername}")
        name = parsed.database or ""
        server = create_engine(parsed.set(database="postgres"), future=True)
        try:
            with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                exists = connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).scalar()
                if not exists:
                    quoted = server.dialect.identifier_preparer.quote(name)
                    connection.execute(text(f"CREATE DATABASE {quoted}"))
                    created.add(url)
                    print(f"[production] created database {name}", flush=True)
        finally:
            server.dispose()
    return created


def prepare(config: StackConfig, seed: Callable[[StackConfig], None]) -> None:
    """Create the missing databases; seed core banking only into a new database."""
    created = create_databases(database_urls(config))
    if config.core_database_url in created:
        seed(config)
    else:
        print("[seed] using existing core-banking data in PostgreSQL", flush=True)


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from scripts.dev import StackConfig

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["create-databases"])
    parser.parse_args()
    config = StackConfig.from_env()
    if config.profile != "production":
        print("STACK_PROFILE=production is not set: nothing to create", file=sys.stderr)
        return 1
    create_databases(database_urls(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
