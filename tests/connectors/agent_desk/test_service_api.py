"""The service API the action server calls: token, ticket creation, one open ticket per
conversation, agent hours (live or callback), validation. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timezone

import httpx
import pytest

from tests.connectors.agent_desk.desk_support import (
    DESK_URL,
    SERVICE_TOKEN,
    Desk,
    ticket_request,
)
from tests.support import FakeClock

OpenDesk = Callable[..., AbstractAsyncContextManager[Desk]]
SUNDAY_NOON_LONDON = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
MONDAY_NINE_LONDON = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        f"Bearer {SERVICE_TOKEN}x",
        f"Bearer {SERVICE_TOKEN[:-1]}",
        f"Basic {SERVICE_TOKEN}",
        SERVICE_TOKEN,
    ],
)
async def test_the_service_api_needs_the_service_token(
    desk: Desk, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=desk.app), base_url=DESK_URL, headers=headers
    ) as client:
        created = await client.post("/api/tickets", json=ticket_request())
        found = await client.get("/api/tickets/open", params={"conversation_id": "web-1"})
    assert created.status_code == found.status_code == 401
    assert created.json()["error"]["code"] == "unauthorized"
    assert (await desk.service.get("/desk/api/queue")).status_code == 401  # not an agent session


async def test_a_new_ticket_is_queued_live_with_position_and_wait(desk: Desk) -> None:
    response = await desk.open_ticket()
    assert response.status_code == 201
    body = response.json()
    assert body["mode"] == "live" and body["queue_position"] == 1
    assert body["estimated_wait_minutes"] == 4  # nobody closed a ticket yet: 4 minutes each
    ticket = body["ticket"]
    assert {
        k: ticket[k] for k in ("status", "kind", "channel", "reason", "priority", "language")
    } == {
        "status": "queued",
        "kind": "live",
        "channel": "bank_web",
        "reason": "customer_request",
        "priority": 30,
        "language": "en",
    }
    second = await desk.open_ticket(conversation_id="web-other", priority=90)
    assert second.json()["queue_position"] == 1  # higher priority goes first
    assert (await desk.open_ticket()).json()["queue_position"] == 2

    ava = await desk.agent("ava")
    detail = (await ava.get(f"/desk/api/tickets/{ticket['id']}")).json()["ticket"]
    assert detail["context"] == ticket_request()["context"]
    assert detail["customer_id"] == "CUST-0001" and detail["customer_name"] == "Ali"


async def test_a_conversation_has_one_open_ticket(desk: Desk) -> None:
    first = await desk.open_ticket()
    again = await desk.open_ticket(reason="negative_sentiment", priority=60)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ticket"]["id"] == first.json()["ticket"]["id"]
    assert again.json()["ticket"]["reason"] == "customer_request"

    found = await desk.service.get(
        "/api/tickets/open", params={"conversation_id": first.json()["ticket"]["conversation_id"]}
    )
    assert found.status_code == 200 and found.json()["ticket"]["id"] == first.json()["ticket"]["id"]
    assert found.json()["queue_position"] == 1
    missing = await desk.service.get("/api/tickets/open", params={"conversation_id": "web-none"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ticket_not_found"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"conversation_id": "has spaces"}, "conversation_id"),
        ({"conversation_id": 12}, "conversation_id"),
        ({"channel": "Bank Web"}, "channel"),
        ({"reason": "Not-A-Reason"}, "reason"),
        ({"priority": 101}, "priority"),
        ({"priority": "30"}, "priority"),
        ({"language": "english"}, "language"),
        ({"customer_id": "CUST 1"}, "customer_id"),
        ({"context": {"transcript": "not a list"}}, "context.transcript"),
        ({"context": {"summary": "x" * 2001}}, "context.summary"),
        ({"context": {"big": "x" * 70_000}}, "context"),
    ],
)
async def test_a_bad_field_is_refused_with_its_name(desk: Desk, change: dict, field: str) -> None:
    response = await desk.open_ticket(**change)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field and error["message"].startswith(field)
    assert (
        await desk.service.get("/api/tickets/open", params={"conversation_id": "web-x"})
    ).status_code == 404


async def test_a_missing_field_is_named(desk: Desk) -> None:
    body = ticket_request()
    del body["reason"]
    response = await desk.service.post("/api/tickets", json=body)
    assert response.status_code == 400 and response.json()["error"]["field"] == "reason"


async def test_outside_agent_hours_a_ticket_is_a_callback_request(open_desk: OpenDesk) -> None:
    hours = "Mon-Fri 08:00-20:00 Europe/London"
    clock = FakeClock(SUNDAY_NOON_LONDON)
    async with open_desk(agent_hours=hours, clock=clock) as desk:
        body = (await desk.open_ticket()).json()
        assert (body["mode"], body["ticket"]["kind"]) == ("callback", "callback")
        assert body["estimated_wait_minutes"] is None and body["queue_position"] == 1
        clock.now = MONDAY_NINE_LONDON
        live = (await desk.open_ticket(conversation_id="web-monday")).json()
        assert live["mode"] == "live" and live["ticket"]["kind"] == "live"


async def test_the_wait_estimate_follows_recent_handling_times(open_desk: OpenDesk) -> None:
    clock = FakeClock(MONDAY_NINE_LONDON)
    async with open_desk(clock=clock) as desk:
        ava = await desk.agent("ava")
        for n in range(2):  # two tickets, each handled in 10 minutes
            ticket = (await desk.open_ticket(conversation_id=f"web-done-{n}")).json()["ticket"]
            await ava.post(f"/desk/api/tickets/{ticket['id']}/claim")
            clock.advance(minutes=10)
            closed = await ava.post(
                f"/desk/api/tickets/{ticket['id']}/close", json={"outcome": "resolved"}
            )
            assert closed.status_code == 200
        await desk.open_ticket(conversation_id="web-a")
        body = (await desk.open_ticket(conversation_id="web-b")).json()
        assert (body["queue_position"], body["estimated_wait_minutes"]) == (2, 20)
