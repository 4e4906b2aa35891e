"""python -m privacy.retention against real stores on SQLite: Rasa's SQL tracker store
written by MaskingTrackerStore, the handoff queue and the profile store."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta, timezone

from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.stores.profile_store import ProfileStore
from connectors.handoff.messages import TicketStore
from privacy.retention import main, purge_all
from tests.privacy.test_tracker_store import domain, in_form_with_email, masking_store  # noqa: F401

NOW = datetime.now(timezone.utc)


async def conversation(store, domain, sender: str, age_days: float) -> None:  # noqa: F811
    tracker = DialogueStateTracker(sender, domain.slots)
    at = time.time() - age_days * 86400
    tracker.update(ActionExecuted("action_listen", timestamp=at))
    tracker.update(UserUttered("hello", {"name": "greet"}, timestamp=at))
    await store.save(tracker)


def senders(db) -> set[str]:
    with sqlite3.connect(db) as connection:
        return {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")}


async def test_old_conversations_go_and_recent_ones_stay(domain, tmp_path):  # noqa: F811
    db = tmp_path / "tracker.sqlite3"
    store = masking_store(domain, db)
    await conversation(store, domain, "old", age_days=40)
    await conversation(store, domain, "recent", age_days=2)
    await store.save(in_form_with_email(domain, "old-in-form"))
    with sqlite3.connect(db) as connection:  # a form left open 40 days ago
        connection.execute("UPDATE events SET timestamp = timestamp - 40 * 86400 "
                           "WHERE sender_id = 'old-in-form'")  # fmt: skip

    dry = purge_all({"tracker": f"sqlite:///{db}"}, days=30, dry_run=True)
    assert senders(db) == {"old", "recent", "old-in-form"}
    assert {p.table: p.rows for p in dry} == {"events": 2 + 10, "privacy_inflight_slots": 1}

    purge_all({"tracker": f"sqlite:///{db}"}, days=30)
    assert senders(db) == {"recent"}
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM privacy_inflight_slots").fetchone() == (0,)


async def test_closed_tickets_and_old_interactions_go(tmp_path, capsys):
    desk_url = f"sqlite:///{tmp_path / 'handoff.sqlite3'}"
    profile_url = f"sqlite:///{tmp_path / 'profile.sqlite3'}"
    long_ago = TicketStore(desk_url, clock=lambda: NOW - timedelta(days=100))
    closed = await long_ago.open_ticket("web-old", reason="customer_request")
    await long_ago.claim(closed.id, "ava")
    await long_ago.add_message(closed.id, "customer", "my email is ali@example.org")
    await long_ago.close(closed.id, "ava", "resolved")
    waiting = await long_ago.open_ticket("web-waiting", reason="customer_request")
    recent = TicketStore(desk_url)
    done = await recent.open_ticket("web-recent", reason="customer_request")
    await recent.claim(done.id, "sam")
    await recent.close(done.id, "sam", "resolved")
    profiles = ProfileStore(profile_url)
    await profiles.record_interaction("CUST-0001", "update_contact_details", "changed")

    with sqlite3.connect(tmp_path / "profile.sqlite3") as connection:
        long_ago_naive = (NOW - timedelta(days=100)).replace(tzinfo=None).isoformat(" ")
        connection.execute("UPDATE interactions SET occurred_at = ?", (long_ago_naive,))
    await profiles.record_interaction("CUST-0001", "check_balance", "answered")

    assert main(["--days", "90", "--tracker-store-url", "", "--desk-database-url", desk_url,
                 "--profile-store-url", profile_url]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "deleted 1 rows from interactions" in printed
    assert "deleted 1 rows from handoff_tickets" in printed
    assert "deleted 1 rows from handoff_ticket_messages" in printed
    with sqlite3.connect(tmp_path / "handoff.sqlite3") as connection:
        left = {row[0] for row in connection.execute("SELECT id FROM handoff_tickets")}
    assert left == {waiting.id, done.id}  # open tickets stay, however old
    with sqlite3.connect(tmp_path / "profile.sqlite3") as connection:
        topics = [row[0] for row in connection.execute("SELECT topic FROM interactions")]
    assert topics == ["check_balance"]
