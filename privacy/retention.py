"""Delete what is older than the retention period (``retention_days``, bot/privacy.yml).

    python -m privacy.retention                      # the stores of `make run` (var/)
    python -m privacy.retention --days 30 --dry-run  # count only

- Rasa's SQL tracker store: every event of a conversation whose last event is older
  than the cut-off, and its in-flight vault row (``--tracker-store-url``).
- The handoff queue: closed tickets closed before the cut-off, with their messages
  (``--desk-database-url``).
- The profile store: interactions and sentiment readings recorded before the cut-off
  (``--profile-store-url``). Profiles, consents and the offer audit are kept.

Defaults come from the same environment variables as the stack (``RASA_TRACKER_STORE_URL``,
``DESK_DATABASE_URL``, ``PROFILE_STORE_URL``). Tables that do not exist are skipped, so a
store that was never used is not an error. Prints one line per table.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import MetaData, Table, delete, func, inspect, select
from sqlalchemy.engine import Connection, Engine

from privacy.policy import DEFAULT_POLICY_FILE, load_policy
from sqlstore import create_engine

VAR = Path(__file__).resolve().parent.parent / "var"
DEFAULT_URLS = {
    "tracker": f"sqlite:///{VAR / 'rasa_tracker.sqlite3'}",
    "desk": f"sqlite:///{VAR / 'handoff.sqlite3'}",
    "profile": f"sqlite:///{VAR / 'profile_store.sqlite3'}",
}


@dataclass(frozen=True)
class Purged:
    table: str
    rows: int


def _tables(connection: Connection, *names: str) -> dict[str, Table] | None:
    present = set(inspect(connection).get_table_names())
    if not set(names) <= present:
        return None
    metadata = MetaData()
    return {name: Table(name, metadata, autoload_with=connection) for name in names}


def _naive_if_sqlite(cutoff: datetime, connection: Connection) -> datetime:
    """sqlstore's UTCDateTime keeps naive UTC in SQLite."""
    if connection.dialect.name == "sqlite":
        return cutoff.astimezone(timezone.utc).replace(tzinfo=None)
    return cutoff


def purge_conversations(engine: Engine, cutoff: datetime, dry_run: bool = False) -> list[Purged]:
    """Conversations (Rasa's ``events`` table) whose newest event is older than ``cutoff``."""
    with engine.begin() as connection:
        tables = _tables(connection, "events")
        if tables is None:
            return []
        events = tables["events"]
        old = (
            select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(func.max(events.c.timestamp) < cutoff.timestamp())
        )
        senders = [row.sender_id for row in connection.execute(old)]
        purged = [Purged("events", _delete_in(connection, events, "sender_id", senders, dry_run))]
        vault = _tables(connection, "privacy_inflight_slots")
        if vault is not None:
            table = vault["privacy_inflight_slots"]
            purged.append(
                Purged(table.name, _delete_in(connection, table, "sender_id", senders, dry_run))
            )
        return purged


def purge_handoff(engine: Engine, cutoff: datetime, dry_run: bool = False) -> list[Purged]:
    """Closed tickets closed before ``cutoff``, with their messages."""
    with engine.begin() as connection:
        tables = _tables(connection, "handoff_tickets", "handoff_ticket_messages")
        if tables is None:
            return []
        tickets, messages = tables["handoff_tickets"], tables["handoff_ticket_messages"]
        old = select(tickets.c.id).where(
            tickets.c.status == "closed",
            tickets.c.closed_at < _naive_if_sqlite(cutoff, connection),
        )
        ids = [row.id for row in connection.execute(old)]
        return [
            Purged(messages.name, _delete_in(connection, messages, "ticket_id", ids, dry_run)),
            Purged(tickets.name, _delete_in(connection, tickets, "id", ids, dry_run)),
        ]


def purge_profile_history(engine: Engine, cutoff: datetime, dry_run: bool = False) -> list[Purged]:
    """Interactions and sentiment readings recorded before ``cutoff``."""
    purged = []
    with engine.begin() as connection:
        for name, column in (("interactions", "occurred_at"), ("sentiment_history", "recorded_at")):
            tables = _tables(connection, name)
            if tables is None:
                continue
            table = tables[name]
            condition = table.c[column] < _naive_if_sqlite(cutoff, connection)
            count = connection.execute(select(func.count()).where(condition)).scalar_one()
            if not dry_run and count:
                connection.execute(delete(table).where(condition))
            purged.append(Purged(name, int(count)))
    return purged


def _delete_in(connection: Connection, table: Table, column: str, keys: list, dry_run: bool) -> int:
    total = 0
    for chunk in _chunks(keys, 500):
        condition = table.c[column].in_(chunk)
        total += connection.execute(select(func.count()).where(condition)).scalar_one()
        if not dry_run:
            connection.execute(delete(table).where(condition))
    return int(total)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def purge_all(
    urls: dict[str, str], days: int, now: datetime | None = None, dry_run: bool = False
) -> list[Purged]:
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    steps = {
        "tracker": purge_conversations,
        "desk": purge_handoff,
        "profile": purge_profile_history,
    }
    purged: list[Purged] = []
    for store, purge in steps.items():
        url = urls.get(store)
        if not url:
            continue
        engine = create_engine(url)
        try:
            purged += purge(engine, cutoff, dry_run)
        finally:
            engine.dispose()
    return purged


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="python -m privacy.retention",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--days", type=int, help="overrides retention_days of the policy")
    parser.add_argument("--policy", default=str(DEFAULT_POLICY_FILE), help="bot/privacy.yml")
    parser.add_argument(
        "--tracker-store-url", default=env.get("RASA_TRACKER_STORE_URL", DEFAULT_URLS["tracker"])
    )
    parser.add_argument(
        "--desk-database-url", default=env.get("DESK_DATABASE_URL", DEFAULT_URLS["desk"])
    )
    parser.add_argument(
        "--profile-store-url", default=env.get("PROFILE_STORE_URL", DEFAULT_URLS["profile"])
    )
    parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    days = args.days if args.days is not None else load_policy(args.policy).retention_days
    if days < 1:
        print("--days must be at least 1", file=sys.stderr)
        return 2
    urls = {
        "tracker": args.tracker_store_url,
        "desk": args.desk_database_url,
        "profile": args.profile_store_url,
    }
    verb = "would delete" if args.dry_run else "deleted"
    for purged in purge_all(urls, days, dry_run=args.dry_run):
        print(f"retention: {verb} {purged.rows} rows from {purged.table} (older than {days} days)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
