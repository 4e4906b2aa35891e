"""The profile store on SQLite and on PostgreSQL: every test runs on both backends.

SQLite: a fresh file per test under ``tmp_path`` (in a ``var/`` folder that does not
exist yet). PostgreSQL: a uniquely named database on the server at
``PROFILE_STORE_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres)
for the session, dropped afterwards, with the tables dropped before each test. When
the server is unreachable the postgresql tests are skipped, unless REQUIRE_POSTGRES=1,
which makes them fail (the same rule as tests/core_mock).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from actions.settings import get_settings
from actions.stores import (
    Consents,
    Interaction,
    Profile,
    ProfileStore,
    close_shared_profile_store,
    shared_profile_store,
)
from actions.stores.profile_models import Base
from tests.support import (
    BACKENDS,
    FakeClock,
    empty_database_url,
    temporary_postgres_database,
)

POSTGRES_SERVER_URL = os.environ.get(
    "PROFILE_STORE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
ALICE = "CUST-0001"
BRUNO = "CUST-0002"
TABLES = {
    "profiles",
    "consents",
    "interactions",
    "sentiment_history",
    "offer_decisions",
    "nudges",
    "profile_memory",
}


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database for this test session."""
    with temporary_postgres_database(POSTGRES_SERVER_URL, "profile_store_test") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no tables) on each backend."""
    return empty_database_url(request, tmp_path, "profile_store.sqlite3", Base.metadata)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def open_store(database_url: str, clock: FakeClock) -> Iterator[Callable[[], ProfileStore]]:
    """Open another store on the same database (a restart, or a second process)."""
    opened: list[ProfileStore] = []

    def open_one() -> ProfileStore:
        opened.append(ProfileStore(database_url, clock=clock))
        return opened[-1]

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: Callable[[], ProfileStore]) -> ProfileStore:
    return open_store()


async def _assert_nothing_stored(store: ProfileStore, customer_id: str) -> None:
    assert await store.get_profile(customer_id) == Profile(customer_id)
    assert await store.interaction_history(customer_id) == []
    assert await store.recent_sentiment(customer_id) == []
    assert await store.offer_history(customer_id) == []
    assert await store.nudges_sent(customer_id) == []
    assert await store.recall(customer_id, "last_account_id") is None


async def test_an_unknown_customer_gets_the_defaults(store: ProfileStore) -> None:
    profile = await store.get_profile(ALICE)
    assert profile == Profile(ALICE)
    assert profile.preferred_name is None and profile.language is None
    assert profile.channels == ()
    assert profile.consents == Consents(personalised_offers=False, marketing=False)
    assert profile.updated_at is None
    assert await store.last_interaction(ALICE) is None
    await _assert_nothing_stored(store, ALICE)


async def test_tables_are_created_on_first_use_and_again_harmlessly(
    database_url: str, open_store: Callable[[], ProfileStore]
) -> None:
    engine = sa_create_engine(database_url, future=True)
    sqlite_folder = Path(str(engine.url.database)).parent
    if engine.dialect.name == "sqlite":
        assert not sqlite_folder.exists()
    else:
        assert not TABLES & set(inspect(engine).get_table_names())

    first = open_store()
    await first.update_preferences(ALICE, preferred_name="Ali")
    assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()

    second = open_store()
    assert (await second.get_profile(ALICE)).preferred_name == "Ali"


async def test_preferences_persist_across_a_restart(
    open_store: Callable[[], ProfileStore], clock: FakeClock
) -> None:
    before = open_store()
    updated = await before.update_preferences(
        ALICE, preferred_name="  Ali ", language="ES", channels=["sms", "email"]
    )
    assert updated.preferred_name == "Ali" and updated.language == "es"
    before.close()

    after = await open_store().get_profile(ALICE)
    assert after == updated
    assert after.channels == ("sms", "email")
    assert after.updated_at == clock.now and after.updated_at.tzinfo is not None


async def test_an_update_changes_only_what_it_names(store: ProfileStore, clock: FakeClock) -> None:
    await store.update_preferences(ALICE, preferred_name="Ali", language="en", channels=["chat"])
    clock.advance(minutes=5)
    profile = await store.update_preferences(ALICE, language="es")
    assert (profile.preferred_name, profile.language, profile.channels) == ("Ali", "es", ("chat",))
    assert profile.updated_at == clock.now

    cleared = await store.update_preferences(ALICE, preferred_name=None, channels=[])
    assert (cleared.preferred_name, cleared.language, cleared.channels) == (None, "es", ())


async def test_consents_toggle_independently_and_persist(
    open_store: Callable[[], ProfileStore],
) -> None:
    store = open_store()
    granted = await store.set_consent(ALICE, personalised_offers=True)
    assert granted.consents == Consents(personalised_offers=True, marketing=False)

    both = await store.set_consent(ALICE, marketing=True)
    assert both.consents == Consents(personalised_offers=True, marketing=True)

    withdrawn = await store.set_consent(ALICE, personalised_offers=False, marketing=False)
    assert withdrawn.consents == Consents()
    await store.set_consent(ALICE, marketing=True)

    reopened = await open_store().get_profile(ALICE)
    assert reopened.consents == Consents(personalised_offers=False, marketing=True)
    assert reopened.preferred_name is None  # consents alone create no preferences


async def test_interaction_history_is_newest_first(store: ProfileStore, clock: FakeClock) -> None:
    await store.record_interaction(ALICE, "check_balance", "resolved")
    clock.advance(hours=1)
    await store.record_interaction(ALICE, "track_application", "handed_off")
    await store.record_interaction(ALICE, "check_balance", "abandoned")  # same instant
    earlier = NOW - timedelta(days=1)
    await store.record_interaction(ALICE, "update_contact", "resolved", at=earlier)

    history = await store.interaction_history(ALICE)
    assert [(i.topic, i.outcome) for i in history] == [
        ("check_balance", "abandoned"),
        ("track_application", "handed_off"),
        ("check_balance", "resolved"),
        ("update_contact", "resolved"),
    ]
    assert await store.last_interaction(ALICE) == Interaction(
        ALICE, "check_balance", "abandoned", clock.now
    )
    last_contact = await store.last_interaction(ALICE, topic="update_contact")
    assert last_contact is not None and last_contact.occurred_at == earlier
    assert await store.last_interaction(ALICE, topic="open_account") is None
    assert len(await store.interaction_history(ALICE, limit=2)) == 2


async def test_times_come_back_as_aware_utc(store: ProfileStore) -> None:
    madrid = timezone(timedelta(hours=1))
    at = datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=madrid)
    await store.record_interaction(ALICE, "check_balance", "resolved", at=at)

    stored = await store.last_interaction(ALICE)
    assert stored is not None
    assert stored.occurred_at == at
    assert stored.occurred_at.utcoffset() == timedelta(0)
    assert stored.occurred_at.hour == 8


async def test_sentiment_history_returns_the_n_most_recent(
    store: ProfileStore, clock: FakeClock
) -> None:
    labels = ["neutral", "negative", "negative", "positive", "neutral", "negative", "positive"]
    for number, label in enumerate(labels):
        await store.record_sentiment(ALICE, label, number / 10)
        clock.advance(seconds=30)

    recent = await store.recent_sentiment(ALICE, 3)
    assert [(r.label, r.score) for r in recent] == [
        ("positive", 0.6),
        ("negative", 0.5),
        ("neutral", 0.4),
    ]
    assert recent[0].recorded_at == NOW + timedelta(seconds=180)
    assert len(await store.recent_sentiment(ALICE, 100)) == len(labels)


async def test_offer_decisions_keep_reasons_and_the_names_of_data_used(
    store: ProfileStore, clock: FakeClock
) -> None:
    await store.record_offer_decision(
        ALICE,
        "CC-CASHBACK",
        "suppressed",
        reasons=["no_consent"],
        data_used=["consents.personalised_offers"],
    )
    clock.advance(days=1)
    await store.record_offer_decision(
        ALICE,
        "SAV-BOOST",
        "shown",
        reasons=["idle_balance", "no_savings_account"],
        data_used=["accounts.balance", "accounts.type"],
    )
    clock.advance(minutes=2)
    declined = await store.record_offer_decision(
        ALICE, "SAV-BOOST", "declined", reasons=["not_interested"]
    )

    history = await store.offer_history(ALICE)
    assert [(d.offer_code, d.decision) for d in history] == [
        ("SAV-BOOST", "declined"),
        ("SAV-BOOST", "shown"),
        ("CC-CASHBACK", "suppressed"),
    ]
    assert history[0] == declined and declined.data_used == ()
    assert history[1].reasons == ("idle_balance", "no_savings_account")
    assert history[1].data_used == ("accounts.balance", "accounts.type")
    assert history[1].created_at == NOW + timedelta(days=1)
    assert [d.decision for d in await store.offer_history(ALICE, "CC-CASHBACK")] == ["suppressed"]
    assert await store.offer_history(ALICE, "LOAN-1") == []


async def test_nudges_sent_by_code_and_since(store: ProfileStore, clock: FakeClock) -> None:
    await store.record_nudge(ALICE, "payslip-reminder", "sms")
    clock.advance(days=3)
    await store.record_nudge(ALICE, "payslip-reminder", "email")
    await store.record_nudge(ALICE, "low-balance", "push")

    assert [(n.nudge_code, n.channel) for n in await store.nudges_sent(ALICE)] == [
        ("low-balance", "push"),
        ("payslip-reminder", "email"),
        ("payslip-reminder", "sms"),
    ]
    reminders = await store.nudges_sent(ALICE, "payslip-reminder")
    assert [n.sent_at for n in reminders] == [clock.now, NOW]
    recent = await store.nudges_sent(ALICE, since=NOW + timedelta(days=1))
    assert {n.nudge_code for n in recent} == {"payslip-reminder", "low-balance"}
    assert len(recent) == 2


async def test_remember_recall_and_forget(open_store: Callable[[], ProfileStore]) -> None:
    store = open_store()
    await store.remember(ALICE, "last_account_id", "ACC-0001")
    await store.remember(ALICE, "last_account_id", "ACC-0002")
    await store.remember(ALICE, "last_account_type", "savings")
    assert await open_store().recall(ALICE, "last_account_id") == "ACC-0002"

    await store.remember(ALICE, "last_account_id", None)
    assert await store.recall(ALICE, "last_account_id") is None
    assert await store.recall(ALICE, "last_account_type") == "savings"
    await store.remember(ALICE, "last_application_reference", None)  # forgetting nothing is fine


async def test_customers_cannot_see_each_others_rows(store: ProfileStore) -> None:
    await store.update_preferences(ALICE, preferred_name="Ali", language="en", channels=["sms"])
    await store.set_consent(ALICE, personalised_offers=True, marketing=True)
    await store.record_interaction(ALICE, "check_balance", "resolved")
    await store.record_sentiment(ALICE, "negative", 0.9)
    await store.record_offer_decision(ALICE, "CC-CASHBACK", "shown", reasons=["eligible"])
    await store.record_nudge(ALICE, "low-balance", "push")
    await store.remember(ALICE, "last_account_id", "ACC-0001")

    await _assert_nothing_stored(store, BRUNO)
    assert await store.last_interaction(BRUNO, "check_balance") is None
    assert (await store.get_profile(ALICE)).preferred_name == "Ali"


async def test_two_stores_on_one_database_write_side_by_side(
    open_store: Callable[[], ProfileStore],
) -> None:
    first, second = open_store(), open_store()  # both create the tables at once
    await asyncio.gather(
        *(first.record_interaction(ALICE, "check_balance", f"outcome_{n}") for n in range(15)),
        *(second.record_interaction(ALICE, "check_balance", f"outcome_{n}") for n in range(15, 30)),
        first.update_preferences(BRUNO, preferred_name="Bruno"),
        second.update_preferences(BRUNO, language="es"),
        first.set_consent(BRUNO, marketing=True),
        second.set_consent(BRUNO, personalised_offers=True),
    )

    history = await second.interaction_history(ALICE, limit=100)
    assert sorted(i.outcome for i in history) == sorted(f"outcome_{n}" for n in range(30))
    bruno = await first.get_profile(BRUNO)
    assert (bruno.preferred_name, bruno.language) == ("Bruno", "es")
    assert bruno.consents == Consents(personalised_offers=True, marketing=True)


async def test_a_slow_database_does_not_block_the_event_loop(
    store: ProfileStore, database_url: str
) -> None:
    await store.get_profile(ALICE)  # tables exist
    release = _lock_profiles(database_url)
    timer = threading.Timer(0.5, release)
    timer.start()
    try:
        waiting = asyncio.create_task(store.get_profile(ALICE))
        await asyncio.sleep(0.1)
        assert not waiting.done(), "the store call ran on the event loop's thread"
        assert await asyncio.wait_for(waiting, timeout=10) == Profile(ALICE)
    finally:
        timer.join()


def _lock_profiles(database_url: str) -> Callable[[], None]:
    """Hold a lock that makes profile reads wait; returns the function releasing it."""
    url = make_url(database_url)
    connection: Any
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(
            str(url.database), isolation_level=None, check_same_thread=False
        )
        connection.execute("BEGIN EXCLUSIVE")
    else:
        connection = psycopg2.connect(url.render_as_string(hide_password=False))
        connection.cursor().execute("LOCK TABLE profiles IN ACCESS EXCLUSIVE MODE")

    def release() -> None:
        connection.rollback()
        connection.close()

    return release


BAD_INPUT: list[Any] = [
    pytest.param(lambda s: s.set_consent(ALICE, newsletter=True), id="unknown-consent"),
    pytest.param(lambda s: s.set_consent(ALICE, marketing="yes"), id="consent-not-bool"),
    pytest.param(lambda s: s.set_consent(ALICE), id="no-consent-given"),
    pytest.param(lambda s: s.update_preferences(ALICE), id="no-preference-given"),
    pytest.param(lambda s: s.update_preferences(ALICE, preferred_name="A" * 61), id="long-name"),
    pytest.param(
        lambda s: s.update_preferences(ALICE, preferred_name="Ali\nMorgan"), id="name-control"
    ),
    pytest.param(lambda s: s.update_preferences(ALICE, preferred_name="  "), id="blank-name"),
    pytest.param(lambda s: s.update_preferences(ALICE, language="fr"), id="unsupported-language"),
    pytest.param(lambda s: s.update_preferences(ALICE, language="english"), id="language-name"),
    pytest.param(lambda s: s.update_preferences(ALICE, channels=["fax"]), id="unknown-channel"),
    pytest.param(lambda s: s.update_preferences(ALICE, channels="sms"), id="channels-string"),
    pytest.param(
        lambda s: s.update_preferences(ALICE, channels=["sms", "sms"]), id="repeat-channel"
    ),
    pytest.param(lambda s: s.get_profile("C" * 65), id="long-customer-id"),
    pytest.param(lambda s: s.get_profile(""), id="empty-customer-id"),
    pytest.param(lambda s: s.record_interaction(ALICE, "t" * 51, "resolved"), id="long-topic"),
    pytest.param(
        lambda s: s.record_interaction(ALICE, "check_balance", "Alice was upset"), id="free-text"
    ),
    pytest.param(
        lambda s: s.record_interaction(ALICE, "check_balance", "resolved", at=datetime(2026, 1, 1)),
        id="naive-datetime",
    ),
    pytest.param(lambda s: s.record_sentiment(ALICE, "angry", 0.5), id="unknown-sentiment"),
    pytest.param(lambda s: s.record_sentiment(ALICE, "negative", 1.5), id="score-above-one"),
    pytest.param(lambda s: s.record_sentiment(ALICE, "negative", float("nan")), id="score-nan"),
    pytest.param(lambda s: s.recent_sentiment(ALICE, 0), id="zero-readings"),
    pytest.param(lambda s: s.record_offer_decision(ALICE, "SAV-1", "ignored"), id="bad-decision"),
    pytest.param(
        lambda s: s.record_offer_decision(ALICE, "SAV-1", "shown", reasons="eligible"),
        id="reasons-string",
    ),
    pytest.param(
        lambda s: s.record_offer_decision(
            ALICE, "SAV-1", "shown", data_used=["4111 1111 1111 1111"]
        ),
        id="value-in-data-used",
    ),
    pytest.param(
        lambda s: s.record_offer_decision(ALICE, "SAV-1", "shown", data_used=["ali@example.com"]),
        id="email-in-data-used",
    ),
    pytest.param(lambda s: s.record_offer_decision(ALICE, "X" * 41, "shown"), id="long-offer"),
    pytest.param(lambda s: s.record_nudge(ALICE, "low-balance", "pigeon"), id="nudge-channel"),
    pytest.param(lambda s: s.remember(ALICE, "favourite_colour", "blue"), id="unknown-memory-key"),
    pytest.param(lambda s: s.remember(ALICE, "last_account_id", "A" * 101), id="long-memory"),
    pytest.param(
        lambda s: s.remember(ALICE, "last_account_id", "my account 12345678"), id="memory-text"
    ),
]


@pytest.mark.parametrize("call", BAD_INPUT)
async def test_bad_input_is_refused_and_nothing_is_written(
    store: ProfileStore, call: Callable[[ProfileStore], Any]
) -> None:
    with pytest.raises(ValueError):
        await call(store)
    await _assert_nothing_stored(store, ALICE)


async def test_logs_carry_event_names_and_ids_only(
    store: ProfileStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="actions.stores")
    await store.update_preferences(ALICE, preferred_name="Ali Morgan", channels=["email"])
    await store.set_consent(ALICE, marketing=True)
    await store.record_offer_decision(
        ALICE, "SAV-BOOST", "declined", reasons=["too_expensive"], data_used=["accounts.balance"]
    )
    await store.remember(ALICE, "last_account_id", "ACC-0042")
    with pytest.raises(ValueError) as refused:
        await store.update_preferences(ALICE, preferred_name="Ali Morgan " * 10)

    for event in (
        "profile.preferences.updated",
        "profile.consent.updated",
        "profile.offer.declined",
    ):
        assert event in caplog.text
    assert ALICE in caplog.text
    for private in ("Ali Morgan", "ACC-0042", "too_expensive", "accounts.balance"):
        assert private not in caplog.text
    assert "Ali Morgan" not in str(refused.value)


async def test_the_shared_store_is_one_per_process_and_follows_the_setting(
    database_url: str, monkeypatch: pytest.MonkeyPatch, open_store: Callable[[], ProfileStore]
) -> None:
    monkeypatch.setenv("PROFILE_STORE_URL", database_url)
    get_settings.cache_clear()
    close_shared_profile_store()
    try:
        shared = shared_profile_store()
        assert shared_profile_store() is shared
        await shared.update_preferences(ALICE, preferred_name="Ali")
        assert (await open_store().get_profile(ALICE)).preferred_name == "Ali"
    finally:
        close_shared_profile_store()
        get_settings.cache_clear()


async def test_one_decision_moment_is_written_together_or_not_at_all(
    store: ProfileStore,
) -> None:
    written = await store.record_offer_decisions(
        ALICE,
        [
            ("SAV-BOOST", "shown", ["idle_balance"], ["accounts.balance"]),
            ("CC-CASHBACK", "suppressed", ["offer_cooldown"], ["offers.history"]),
        ],
    )
    assert [(d.offer_code, d.decision) for d in written] == [
        ("SAV-BOOST", "shown"),
        ("CC-CASHBACK", "suppressed"),
    ]
    with pytest.raises(ValueError):
        await store.record_offer_decisions(
            ALICE, [("SAV-BOOST", "shown", [], []), ("SAV-BOOST", "ignored", [], [])]
        )
    history = await store.offer_history(ALICE)
    assert len(history) == 2  # the bad batch wrote nothing
    assert await store.record_offer_decisions(ALICE, []) == []
