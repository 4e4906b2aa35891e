"""Customer messages while paused come from Rasa's tracker, once each, across restarts;
a new desk on the same database carries on; logs name events and ids, never content."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from connectors.agent_desk.sync import sync_once
from tests.connectors.agent_desk.desk_support import AGENT_PASSWORD, Desk, FakeRasa

CONVERSATION = "web-3f2a000000000000000000aa"


async def _sync(desk: Desk) -> int:
    return await sync_once(desk.app.state.tickets, desk.app.state.rasa)


async def _texts(agent, ticket_id: int) -> list[tuple[str, str]]:
    messages = (await agent.get(f"/desk/api/tickets/{ticket_id}/messages")).json()["messages"]
    return [(m["sender"], m["text"]) for m in messages]


async def test_new_customer_messages_are_stored_once(desk: Desk, fake_rasa: FakeRasa) -> None:
    fake_rasa.customer_says(CONVERSATION, "I want to talk to a person", at=time.time() - 5)
    ticket_id = (await desk.open_ticket()).json()["ticket"]["id"]
    fake_rasa.trackers[CONVERSATION].append(
        {"event": "bot", "text": "Connecting you", "timestamp": time.time()}
    )
    fake_rasa.customer_says(CONVERSATION, "hello?")
    fake_rasa.customer_says(CONVERSATION, "anyone there")
    assert await _sync(desk) == 2
    assert await _sync(desk) == 0
    ava = await desk.agent("ava")
    assert await _texts(ava, ticket_id) == [("customer", "hello?"), ("customer", "anyone there")]
    assert fake_rasa.tracker_params[-1] == {"token": "rasa-secret"}

    fake_rasa.customer_says(CONVERSATION, "my card was stolen")
    assert await _sync(desk) == 1
    assert (await _texts(ava, ticket_id))[-1] == ("customer", "my card was stolen")


async def test_closed_and_callback_tickets_are_not_synced(open_desk, fake_rasa: FakeRasa) -> None:
    async with open_desk() as desk:
        ava = await desk.agent("ava")
        ticket_id = (await desk.open_ticket()).json()["ticket"]["id"]
        await ava.post(f"/desk/api/tickets/{ticket_id}/claim")
        await ava.post(f"/desk/api/tickets/{ticket_id}/close", json={"outcome": "resolved"})
        fake_rasa.customer_says(CONVERSATION, "what's my balance")
        assert await _sync(desk) == 0
        assert fake_rasa.tracker_params == []


async def test_rasa_down_skips_a_pass_and_the_next_catches_up(
    desk: Desk, fake_rasa: FakeRasa
) -> None:
    ticket_id = (await desk.open_ticket()).json()["ticket"]["id"]
    fake_rasa.customer_says(CONVERSATION, "hello?")
    await fake_rasa.stop()
    assert await _sync(desk) == 0
    await fake_rasa.start()
    assert await _sync(desk) == 1
    assert await _texts(await desk.agent("ava"), ticket_id) == [("customer", "hello?")]


async def test_a_restarted_desk_carries_on_without_losing_or_repeating(
    open_desk, fake_rasa: FakeRasa
) -> None:
    async with open_desk() as first:
        ava = await first.agent("ava")
        ticket_id = (await first.open_ticket()).json()["ticket"]["id"]
        await ava.post(f"/desk/api/tickets/{ticket_id}/claim")
        await ava.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "Hi, I'm Ava."})
        fake_rasa.customer_says(CONVERSATION, "hi Ava")
        assert await _sync(first) == 1
        cookie = dict(ava.cookies)
    fake_rasa.customer_says(CONVERSATION, "sent while the desk was down")

    async with open_desk() as second:
        ava_again = second.client()
        ava_again.cookies.update(cookie)  # the session survives the restart too
        queue = (await ava_again.get("/desk/api/queue")).json()["tickets"]
        assert [(t["id"], t["status"]) for t in queue] == [(ticket_id, "claimed")]
        assert await _sync(second) == 1
        assert await _sync(second) == 0
        assert await _texts(ava_again, ticket_id) == [
            ("agent", "Hi, I'm Ava."),
            ("customer", "hi Ava"),
            ("customer", "sent while the desk was down"),
        ]
        closed = await ava_again.post(
            f"/desk/api/tickets/{ticket_id}/close", json={"outcome": "resolved"}
        )
        assert closed.status_code == 200


async def test_the_background_sync_runs_with_the_app(open_desk, fake_rasa: FakeRasa) -> None:
    async with open_desk(sync=True, sync_interval_seconds=0.05) as desk:
        ticket_id = (await desk.open_ticket()).json()["ticket"]["id"]
        ava = await desk.agent("ava")
        fake_rasa.customer_says(CONVERSATION, "hello from the widget")
        for _ in range(100):
            if await _texts(ava, ticket_id):
                break
            await asyncio.sleep(0.05)
        assert await _texts(ava, ticket_id) == [("customer", "hello from the widget")]
        await asyncio.sleep(0.2)
        assert len(await _texts(ava, ticket_id)) == 1


async def test_logs_carry_event_names_and_ids_only(
    desk: Desk, fake_rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ticket_id = (await desk.open_ticket()).json()["ticket"]["id"]
    ava = await desk.agent("ava")
    await desk.client().post(
        "/desk/api/session", json={"agent_id": "ava", "password": "wrong-pass"}
    )
    await ava.post(f"/desk/api/tickets/{ticket_id}/claim")
    await ava.post(
        f"/desk/api/tickets/{ticket_id}/messages", json={"text": "Your PIN is safe 4321"}
    )
    fake_rasa.customer_says(CONVERSATION, "my card 4111 1111 1111 1111")
    await _sync(desk)
    await fake_rasa.stop()
    await ava.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "undelivered secret"})
    await fake_rasa.start()
    await ava.post(
        f"/desk/api/tickets/{ticket_id}/close",
        json={"outcome": "resolved", "note": "Ali reassured"},
    )

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"handoff.ticket.claimed ticket_id={ticket_id} agent_id=ava" in logged
    assert "handoff.message.customer_synced" in logged and "desk.rasa.unreachable" in logged
    for secret in (
        "4321",
        "4111",
        "undelivered secret",
        "Ali",
        "Alice",
        "Morgan",
        "reassured",
        "****1234",
        "balance",
        AGENT_PASSWORD,
        "wrong-pass",
        "Asked for a person",
    ):
        assert secret not in logged
