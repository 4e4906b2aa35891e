"""Agents work tickets: queue, claim (one winner), replies to Rasa, close with resume.

Rasa is a fake HTTP server on a free port recording what the desk posts."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import httpx

from tests.connectors.agent_desk.desk_support import Desk, FakeRasa
from tests.support import FakeClock

CONVERSATION = "web-3f2a000000000000000000aa"


async def _claimed_ticket(desk: Desk, agent: str = "ava") -> tuple[httpx.AsyncClient, int]:
    ticket_id = (await desk.open_ticket()).json()["ticket"]["id"]
    client = await desk.agent(agent)
    assert (await client.post(f"/desk/api/tickets/{ticket_id}/claim")).status_code == 200
    return client, ticket_id


async def test_the_queue_lists_open_tickets_by_priority_then_age(desk: Desk) -> None:
    await desk.open_ticket(conversation_id="web-low", priority=30)
    await desk.open_ticket(
        conversation_id="web-high", priority=90, reason="sensitive_topic", language="es"
    )
    await desk.open_ticket(conversation_id="web-low-later", priority=30)
    ava = await desk.agent("ava")
    tickets = (await ava.get("/desk/api/queue")).json()["tickets"]
    assert [t["conversation_id"] for t in tickets] == ["web-high", "web-low", "web-low-later"]
    high = tickets[0]
    assert (high["reason"], high["language"], high["kind"], high["status"]) == (
        "sensitive_topic",
        "es",
        "live",
        "queued",
    )
    assert high["waiting_seconds"] >= 0 and high["summary"].startswith("Asked for a person")
    await ava.post(f"/desk/api/tickets/{high['id']}/claim")
    claimed = (await ava.get("/desk/api/queue")).json()["tickets"][0]
    assert claimed["status"] == "claimed" and claimed["claimed_by"] == {"id": "ava", "name": "Ava"}


async def test_two_agents_claiming_at_once_one_wins(desk: Desk) -> None:
    ticket_id = (await desk.open_ticket()).json()["ticket"]["id"]
    ava, sam = await desk.agent("ava"), await desk.agent("sam")
    answers = await asyncio.gather(
        ava.post(f"/desk/api/tickets/{ticket_id}/claim"),
        sam.post(f"/desk/api/tickets/{ticket_id}/claim"),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    winner = "ava" if answers[0].status_code == 200 else "sam"
    loser = answers[1] if winner == "ava" else answers[0]
    assert loser.json()["error"]["code"] == "already_claimed"
    assert loser.json()["error"]["message"].startswith(winner.title())
    detail = (await ava.get(f"/desk/api/tickets/{ticket_id}")).json()["ticket"]
    assert detail["claimed_by"]["id"] == winner


async def test_an_agent_reply_goes_to_rasa_and_the_transcript(
    desk: Desk, fake_rasa: FakeRasa
) -> None:
    ava, ticket_id = await _claimed_ticket(desk)
    sent = await ava.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "Hi, I'm Ava."})
    assert sent.status_code == 201 and sent.json()["message"]["delivery"] == "delivered"
    [posted] = fake_rasa.posted
    assert posted.conversation_id == CONVERSATION
    assert posted.params == {
        "output_channel": "bank_web",
        "execute_side_effects": "true",
        "token": "rasa-secret",
    }
    assert posted.events == [
        {"event": "bot", "text": "Hi, I'm Ava.", "data": {"custom": {"agent_name": "Ava"}}}
    ]
    messages = (await ava.get(f"/desk/api/tickets/{ticket_id}/messages")).json()["messages"]
    assert [(m["sender"], m["text"], m["delivery"]) for m in messages] == [
        ("agent", "Hi, I'm Ava.", "delivered")
    ]


async def test_only_the_claimant_replies_and_only_to_a_live_ticket(
    desk: Desk, fake_rasa: FakeRasa
) -> None:
    ticket_id = (await desk.open_ticket()).json()["ticket"]["id"]
    ava, sam = await desk.agent("ava"), await desk.agent("sam")
    unclaimed = await ava.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "hi"})
    await ava.post(f"/desk/api/tickets/{ticket_id}/claim")
    not_mine = await sam.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "hi"})
    blank = await ava.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "   "})
    assert (unclaimed.status_code, not_mine.status_code, blank.status_code) == (403, 403, 400)
    assert fake_rasa.posted == []
    assert (await ava.get(f"/desk/api/tickets/{ticket_id}/messages")).json()["messages"] == []


async def test_with_rasa_down_the_agent_is_told_and_the_message_kept(
    desk: Desk, fake_rasa: FakeRasa
) -> None:
    ava, ticket_id = await _claimed_ticket(desk)
    await fake_rasa.stop()
    sent = await ava.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "Still there?"})
    assert sent.status_code == 502
    error = sent.json()["error"]
    assert error["code"] == "rasa_unreachable" and "Not delivered" in error["message"]
    assert error["undelivered"]["delivery"] == "failed"
    [kept] = (await ava.get(f"/desk/api/tickets/{ticket_id}/messages")).json()["messages"]
    assert (kept["text"], kept["delivery"]) == ("Still there?", "failed")

    await fake_rasa.start()
    retried = await ava.post(f"/desk/api/tickets/{ticket_id}/messages/{kept['id']}/retry")
    assert retried.status_code == 201 and retried.json()["message"]["delivery"] == "delivered"
    assert [p.events[0]["text"] for p in fake_rasa.posted] == ["Still there?"]
    again = await ava.post(f"/desk/api/tickets/{ticket_id}/messages/{kept['id']}/retry")
    assert again.status_code == 409


async def test_closing_resumes_the_bot_then_closes_the_ticket(
    desk: Desk, fake_rasa: FakeRasa
) -> None:
    ava, ticket_id = await _claimed_ticket(desk)
    sam = await desk.agent("sam")
    not_mine = await sam.post(f"/desk/api/tickets/{ticket_id}/close", json={"outcome": "resolved"})
    bad = await ava.post(f"/desk/api/tickets/{ticket_id}/close", json={"outcome": "vanished"})
    assert (not_mine.status_code, bad.status_code) == (403, 400)
    assert bad.json()["error"]["field"] == "outcome"

    closed = await ava.post(
        f"/desk/api/tickets/{ticket_id}/close",
        json={"outcome": "resolved", "note": "explained the fee"},
    )
    assert closed.status_code == 200
    assert closed.json()["ticket"]["status"] == "closed"
    assert closed.json()["ticket"]["outcome"] == "resolved by agent: explained the fee"
    [posted] = fake_rasa.posted
    assert posted.params["output_channel"] == "bank_web"
    assert posted.params["execute_side_effects"] == "true"
    slot, resume, back, listen = posted.events
    assert slot == {"event": "slot", "name": "handoff_outcome", "value": "resolved by agent"}
    assert resume == {"event": "resume"}
    assert back["event"] == "bot" and back["data"] == {"custom": {"handoff": "closed"}}
    assert back["text"].startswith("You're back with the assistant.")
    assert back["text"].endswith("Is there anything else I can help with?")
    assert "explained the fee" not in back["text"]
    assert listen == {"event": "action", "name": "action_listen"}
    again = await ava.post(f"/desk/api/tickets/{ticket_id}/close", json={"outcome": "resolved"})
    assert again.status_code == 409
    assert (await ava.get("/desk/api/queue")).json()["tickets"] == []
    assert (await desk.open_ticket()).status_code == 201  # the conversation may hand over again


async def test_with_rasa_down_closing_keeps_the_ticket_open(
    desk: Desk, fake_rasa: FakeRasa
) -> None:
    ava, ticket_id = await _claimed_ticket(desk)
    await fake_rasa.stop()
    refused = await ava.post(f"/desk/api/tickets/{ticket_id}/close", json={"outcome": "resolved"})
    assert refused.status_code == 502 and refused.json()["error"]["code"] == "rasa_unreachable"
    assert "stays open" in refused.json()["error"]["message"]
    detail = (await ava.get(f"/desk/api/tickets/{ticket_id}")).json()["ticket"]
    assert detail["status"] == "claimed" and detail["outcome"] is None
    await fake_rasa.start()
    assert (
        await ava.post(f"/desk/api/tickets/{ticket_id}/close", json={"outcome": "follow_up"})
    ).status_code == 200


async def test_a_callback_ticket_has_no_chat_and_closes_without_rasa(
    open_desk, fake_rasa: FakeRasa
) -> None:
    sunday = FakeClock(datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc))
    async with open_desk(agent_hours="Mon-Fri 08:00-20:00 Europe/London", clock=sunday) as desk:
        body = (
            await desk.open_ticket(context={"callback": {"preferred_time": "after 5pm"}})
        ).json()
        assert body["mode"] == "callback"
        ticket_id = body["ticket"]["id"]
        ava = await desk.agent("ava")
        assert (await ava.post(f"/desk/api/tickets/{ticket_id}/claim")).status_code == 200
        chat = await ava.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "hello"})
        assert chat.status_code == 409 and chat.json()["error"]["code"] == "callback_ticket"
        detail = (await ava.get(f"/desk/api/tickets/{ticket_id}")).json()["ticket"]
        assert detail["kind"] == "callback"
        assert detail["context"]["callback"] == {"preferred_time": "after 5pm"}
        closed = await ava.post(
            f"/desk/api/tickets/{ticket_id}/close", json={"outcome": "resolved"}
        )
        assert closed.status_code == 200 and fake_rasa.posted == []


async def test_an_unknown_ticket_is_not_found(desk: Desk) -> None:
    ava = await desk.agent("ava")
    for path in ("/desk/api/tickets/999", "/desk/api/tickets/999/messages"):
        assert (await ava.get(path)).status_code == 404
    assert (await ava.post("/desk/api/tickets/999/claim")).status_code == 404
