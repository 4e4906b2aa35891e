"""The handoff ticket queue on SQLite and on PostgreSQL: every test runs on both backends."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import inspect, select

from connectors.handoff import (
    AlreadyClaimed,
    NotClaimant,
    Ticket,
    TicketClosed,
    TicketError,
    TicketNotFound,
    TicketStore,
    tickets,
)
from tests.support import FakeClock

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)  # the clock fixture's start

CONTEXT = {
    "transcript": [
        {"sender": "customer", "text": "I want to change my phone number"},
        {"sender": "bot", "text": "I can't change that here right now."},
    ],
    "intents": ["update_contact", "request_human"],
    "entities": {"contact_type": "phone"},
    "sentiment_trend": ["neutral", "negative", "negative"],
    "customer_summary": {"segment": "retail", "products": 2},
    "bot_tried": ["action_update_contact", "utter_contact_locked"],
}


async def _open(store: TicketStore, conversation: str = "conv-1", **kwargs: Any) -> Ticket:
    options: dict[str, Any] = {"reason": "customer_request", **kwargs}
    return await store.open_ticket(conversation, **options)


async def test_tables_are_created_on_first_use(database_url: str, store: TicketStore) -> None:
    engine = sa_create_engine(database_url, future=True)
    if engine.dialect.name == "sqlite":
        assert not Path(str(engine.url.database)).parent.exists()
    assert await store.queue() == []
    assert {"handoff_tickets", "handoff_ticket_messages"} <= set(inspect(engine).get_table_names())
    engine.dispose()


async def test_an_opened_ticket_is_queued_with_everything_the_agent_needs(
    store: TicketStore,
) -> None:
    ticket = await store.open_ticket(
        "conv-1",
        customer_id="CUST-0001",
        reason="contact_change_locked",
        priority=5,
        language="es",
        context=CONTEXT,
    )
    assert (ticket.status, ticket.priority, ticket.reason, ticket.language) == (
        "queued",
        5,
        "contact_change_locked",
        "es",
    )
    assert ticket.customer_id == "CUST-0001" and ticket.conversation_id == "conv-1"
    assert ticket.context == CONTEXT
    assert ticket.created_at == NOW and ticket.created_at.tzinfo is not None
    assert (ticket.claimed_by, ticket.claimed_at, ticket.closed_at, ticket.outcome) == (None,) * 4
    assert await store.open_ticket_for("conv-1") == ticket
    assert await store.open_ticket_for("conv-2") is None

    anonymous = await _open(store, "conv-2")
    assert anonymous.customer_id is None and anonymous.context == {}


async def test_a_conversation_has_at_most_one_open_ticket(
    store: TicketStore, clock: FakeClock
) -> None:
    first = await _open(store, priority=1)
    again = await _open(store, reason="negative_sentiment", priority=9)
    assert again == first
    assert len(await store.queue()) == 1

    await store.claim(first.id, "agent-1")
    assert await _open(store) == await store.get(first.id)

    await store.close(first.id, "agent-1", "resolved by phone")
    clock.advance(minutes=1)
    second = await _open(store, reason="repeated_fallback")
    assert second.id != first.id and second.status == "queued"
    assert await store.open_ticket_for("conv-1") == second


async def test_concurrent_opens_for_one_conversation_make_one_ticket(
    open_store: Callable[[], TicketStore],
) -> None:
    stores = [open_store() for _ in range(4)]  # several processes creating tables at once
    opened = await asyncio.gather(*(_open(stores[n % 4]) for n in range(12)))
    assert len({ticket.id for ticket in opened}) == 1
    assert [t.id for t in await stores[0].queue()] == [opened[0].id]


async def test_the_queue_serves_higher_priority_first_then_oldest(
    store: TicketStore, clock: FakeClock
) -> None:
    low = await _open(store, "conv-low", priority=1)
    clock.advance(seconds=1)
    high_old = await _open(store, "conv-high-old", priority=5, reason="sensitive_topic")
    clock.advance(seconds=1)
    high_new = await _open(store, "conv-high-new", priority=5)
    same_moment = await _open(store, "conv-high-same", priority=5)

    queue = await store.queue()
    assert [t.id for t in queue] == [high_old.id, high_new.id, same_moment.id, low.id]
    positions = [await store.queue_position(t.id) for t in queue]
    assert positions == [1, 2, 3, 4]

    await store.claim(high_new.id, "agent-1")
    assert await store.queue_position(high_new.id) is None
    assert await store.queue_position(same_moment.id) == 2
    assert await store.queue_position(low.id) == 3
    assert [t.id for t in await store.queue()] == [high_old.id, same_moment.id, low.id]


async def test_claiming_gives_the_ticket_to_one_agent(store: TicketStore, clock: FakeClock) -> None:
    ticket = await _open(store)
    clock.advance(minutes=2)
    claimed = await store.claim(ticket.id, "agent-1")
    assert (claimed.status, claimed.claimed_by, claimed.claimed_at) == (
        "claimed",
        "agent-1",
        clock.now,
    )
    with pytest.raises(AlreadyClaimed) as lost:
        await store.claim(ticket.id, "agent-2")
    assert lost.value.claimed_by == "agent-1"
    with pytest.raises(AlreadyClaimed):
        await store.claim(ticket.id, "agent-1")
    assert (await store.get(ticket.id)).claimed_by == "agent-1"


async def test_exactly_one_of_many_concurrent_claims_wins(
    open_store: Callable[[], TicketStore], database_url: str
) -> None:
    stores = [open_store() for _ in range(4)]
    for round_ in range(3):
        ticket = await _open(stores[0], f"conv-{round_}")
        agents = [f"agent-{n}" for n in range(12)]
        results = await asyncio.gather(
            *(stores[n % 4].claim(ticket.id, agent) for n, agent in enumerate(agents)),
            return_exceptions=True,
        )
        winners = [r for r in results if isinstance(r, Ticket)]
        assert len(winners) == 1, results
        assert all(isinstance(r, AlreadyClaimed) for r in results if r is not winners[0])
        assert (await stores[3].get(ticket.id)).claimed_by == winners[0].claimed_by


def test_exactly_one_of_many_agent_processes_wins_a_claim(
    open_store: Callable[[], TicketStore],
) -> None:
    """Agents in their own threads, each with its own store, released at the same instant."""
    first = open_store()
    ticket = asyncio.run(_open(first))
    agents = 10
    stores = [open_store() for _ in range(agents)]
    for each in stores:  # warm up: tables checked, connections open
        asyncio.run(each.open_ticket_for("warm-up"))
    start = threading.Barrier(agents)
    outcomes: dict[str, str] = {}

    def agent(n: int) -> None:
        start.wait()
        try:
            asyncio.run(stores[n].claim(ticket.id, f"agent-{n}"))
            outcomes[f"agent-{n}"] = "won"
        except AlreadyClaimed:
            outcomes[f"agent-{n}"] = "lost"

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    assert len(outcomes) == agents and len(winners) == 1
    assert asyncio.run(first.get(ticket.id)).claimed_by == winners[0]


async def test_only_the_claiming_agent_closes_and_only_once(
    store: TicketStore, clock: FakeClock
) -> None:
    ticket = await _open(store)
    with pytest.raises(NotClaimant):
        await store.close(ticket.id, "agent-1", "nobody claimed it")
    await store.claim(ticket.id, "agent-1")
    with pytest.raises(NotClaimant):
        await store.close(ticket.id, "agent-2", "not mine")

    clock.advance(minutes=7)
    closed = await store.close(ticket.id, "agent-1", "address updated after ID check")
    assert (closed.status, closed.closed_at, closed.outcome) == (
        "closed",
        clock.now,
        "address updated after ID check",
    )
    with pytest.raises(TicketClosed, match="already closed"):
        await store.close(ticket.id, "agent-1", "again")
    with pytest.raises(TicketClosed):
        await store.claim(ticket.id, "agent-2")
    with pytest.raises(TicketClosed):
        await store.add_message(ticket.id, "agent", "hello?")
    assert (await store.get(ticket.id)).outcome == "address updated after ID check"
    assert await store.open_ticket_for("conv-1") is None


async def test_messages_are_kept_in_order_and_read_incrementally(store: TicketStore) -> None:
    ticket = await _open(store)
    other = await _open(store, "conv-2")
    sent = [
        await store.add_message(ticket.id, "bot", "Connecting you to an agent."),
        await store.add_message(ticket.id, "customer", "thanks"),
        await store.add_message(other.id, "customer", "someone else"),
        await store.add_message(ticket.id, "agent", "Hi, I'm Sam."),
    ]
    mine = [m for m in sent if m.ticket_id == ticket.id]
    assert await store.messages(ticket.id) == mine
    assert [m.sender for m in mine] == ["bot", "customer", "agent"]
    assert await store.messages(ticket.id, after_id=mine[0].id) == mine[1:]
    assert await store.messages(ticket.id, after_id=mine[-1].id) == []
    assert mine[0].created_at == NOW


async def test_tickets_and_messages_survive_a_restart(
    open_store: Callable[[], TicketStore],
) -> None:
    before = open_store()
    ticket = await _open(before, customer_id="CUST-0001", context=CONTEXT, priority=3)
    await before.add_message(ticket.id, "customer", "are you there?")
    queued = await _open(before, "conv-2")
    claimed = await before.claim(ticket.id, "agent-1")
    before.dispose()

    after = open_store()
    assert await after.get(ticket.id) == claimed
    assert await after.open_ticket_for("conv-1") == claimed
    assert [t.id for t in await after.queue()] == [queued.id]
    assert [m.text for m in await after.messages(ticket.id)] == ["are you there?"]
    closed = await after.close(ticket.id, "agent-1", "done")
    assert closed.context == CONTEXT


UNKNOWN = 999_999


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.get(UNKNOWN), id="get"),
        pytest.param(lambda s: s.queue_position(UNKNOWN), id="queue_position"),
        pytest.param(lambda s: s.claim(UNKNOWN, "agent-1"), id="claim"),
        pytest.param(lambda s: s.close(UNKNOWN, "agent-1", "done"), id="close"),
        pytest.param(lambda s: s.add_message(UNKNOWN, "agent", "hi"), id="add_message"),
        pytest.param(lambda s: s.messages(UNKNOWN), id="messages"),
    ],
)
async def test_an_unknown_ticket_is_reported(
    store: TicketStore, call: Callable[[TicketStore], Any]
) -> None:
    with pytest.raises(TicketNotFound) as missing:
        await call(store)
    assert missing.value.ticket_id == UNKNOWN and isinstance(missing.value, TicketError)


BAD_INPUT: list[Any] = [
    pytest.param(lambda s: s.open_ticket("", reason="customer_request"), id="empty-conversation"),
    pytest.param(lambda s: s.open_ticket("c" * 129, reason="customer_request"), id="long-conv"),
    pytest.param(lambda s: s.open_ticket("conv-1", reason="Customer asked!"), id="free-reason"),
    pytest.param(
        lambda s: s.open_ticket("conv-1", reason="customer_request", customer_id="Ali Morgan"),
        id="name-as-customer-id",
    ),
    pytest.param(
        lambda s: s.open_ticket("conv-1", reason="customer_request", priority=True), id="bool-prio"
    ),
    pytest.param(
        lambda s: s.open_ticket("conv-1", reason="customer_request", priority=101), id="big-prio"
    ),
    pytest.param(
        lambda s: s.open_ticket("conv-1", reason="customer_request", language="English"),
        id="language-name",
    ),
    pytest.param(
        lambda s: s.open_ticket("conv-1", reason="customer_request", context={"at": object()}),
        id="context-not-json",
    ),
    pytest.param(
        lambda s: s.open_ticket("conv-1", reason="customer_request", context=["x"]),
        id="context-not-mapping",
    ),
    pytest.param(
        lambda s: s.open_ticket("conv-1", reason="customer_request", context={"t": "x" * 70_000}),
        id="context-too-big",
    ),
]


@pytest.mark.parametrize("call", BAD_INPUT)
async def test_bad_input_is_refused_and_nothing_is_written(
    store: TicketStore, call: Callable[[TicketStore], Any]
) -> None:
    with pytest.raises(ValueError) as refused:
        await call(store)
    assert "Ali Morgan" not in str(refused.value)
    assert await store.queue() == []
    assert await store.open_ticket_for("conv-1") is None


async def test_bad_message_and_agent_input_is_refused(store: TicketStore) -> None:
    ticket = await _open(store)
    for call in (
        store.add_message(ticket.id, "supervisor", "hi"),
        store.add_message(ticket.id, "agent", "   "),
        store.add_message(ticket.id, "agent", "x" * 4001),
        store.claim(ticket.id, ""),
        store.claim(True, "agent-1"),
        store.messages(ticket.id, after_id="3"),
    ):
        with pytest.raises(ValueError):
            await call
    assert await store.messages(ticket.id) == []
    assert (await store.get(ticket.id)).status == "queued"


async def test_logs_carry_event_names_and_ids_only(
    store: TicketStore, caplog: pytest.LogCaptureFixture, database_url: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="connectors")
    ticket = await _open(store, customer_id="CUST-0001", context=CONTEXT)
    await _open(store)
    await store.add_message(ticket.id, "customer", "my card 4111 1111 1111 1111 was stolen")
    await store.claim(ticket.id, "agent-1")
    with pytest.raises(AlreadyClaimed):
        await store.claim(ticket.id, "agent-2")
    await store.close(ticket.id, "agent-1", "card blocked, Ali Morgan reassured")

    for event in (
        "handoff.ticket.created",
        "handoff.ticket.reused",
        "handoff.message.added",
        "handoff.ticket.claimed",
        "handoff.ticket.claim_refused",
        "handoff.ticket.closed",
    ):
        assert event in caplog.text
    assert f"ticket_id={ticket.id}" in caplog.text and "agent-1" in caplog.text
    for private in ("4111", "Ali Morgan", "phone number", "retail", "utter_contact_locked"):
        assert private not in caplog.text
    engine = sa_create_engine(database_url, future=True)
    with engine.connect() as connection:
        stored = connection.execute(select(tickets.c.outcome)).scalars().all()
    engine.dispose()
    assert "card blocked, Ali Morgan reassured" in stored


async def test_a_database_from_before_kinds_and_channels_is_upgraded_in_place(
    database_url: str, store: TicketStore
) -> None:
    engine = sa_create_engine(database_url, future=True)
    if engine.dialect.name == "sqlite":
        Path(str(engine.url.database)).parent.mkdir(parents=True, exist_ok=True)
    key = "SERIAL PRIMARY KEY" if engine.dialect.name == "postgresql" else "INTEGER PRIMARY KEY"
    with engine.begin() as connection:  # the first release's tables, with one open ticket
        connection.exec_driver_sql(
            f"CREATE TABLE handoff_tickets (id {key}, conversation_id VARCHAR(128)"
            " NOT NULL, customer_id VARCHAR(128), status VARCHAR(10) NOT NULL, priority INTEGER"
            " NOT NULL, reason VARCHAR(50) NOT NULL, language VARCHAR(12) NOT NULL, context JSON"
            " NOT NULL, claimed_by VARCHAR(128), created_at TIMESTAMP NOT NULL, claimed_at"
            " TIMESTAMP, closed_at TIMESTAMP, outcome TEXT)"
        )
        connection.exec_driver_sql(
            f"CREATE TABLE handoff_ticket_messages (id {key}, ticket_id INTEGER NOT"
            " NULL REFERENCES handoff_tickets (id), sender VARCHAR(10) NOT NULL, text TEXT NOT"
            " NULL, created_at TIMESTAMP NOT NULL)"
        )
        connection.exec_driver_sql(
            "INSERT INTO handoff_tickets (id, conversation_id, status, priority, reason, language,"
            " context, created_at) VALUES (1, 'conv-old', 'queued', 30, 'customer_request', 'en',"
            " '{}', '2026-11-28 11:00:00')"
        )
    old = await store.get(1)
    assert (old.kind, old.channel, old.synced_until) == ("live", None, None)
    await store.add_message(1, "agent", "hello", delivery="pending")
    columns = {c["name"] for c in inspect(engine).get_columns("handoff_ticket_messages")}
    assert {"delivery", "external_id"} <= columns
    engine.dispose()
