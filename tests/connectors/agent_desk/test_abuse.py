"""The desk under bad input and brute force: clear 4xx JSON, never a 500; sign-in attempts
limited per agent name and per address; the service API limited per token."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest

from tests.connectors.agent_desk.desk_support import AGENT_PASSWORD, Desk

OpenDesk = Callable[..., AbstractAsyncContextManager[Desk]]


def assert_rate_limited(response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


async def test_password_guessing_for_one_agent_is_slowed_down(open_desk: OpenDesk) -> None:
    async with open_desk(rate_limit_sign_in_agent="3/5min") as desk:
        client = desk.client()
        for guess in ("a", "b", "c"):
            response = await client.post(
                "/desk/api/session", json={"agent_id": "ava", "password": guess}
            )
            assert response.status_code == 401
        # Even the right password waits now: guessing on would tell the attacker nothing.
        right = {"agent_id": "AVA", "password": AGENT_PASSWORD}
        assert_rate_limited(await client.post("/desk/api/session", json=right))
        assert (await desk.agent("sam")).is_closed is False  # another agent is not locked out


async def test_one_address_cannot_try_many_agents(open_desk: OpenDesk) -> None:
    async with open_desk(rate_limit_sign_in_ip="4/5min") as desk:
        client = desk.client()
        for name in ("a1", "a2", "a3", "a4"):
            response = await client.post(
                "/desk/api/session", json={"agent_id": name, "password": "password1"}
            )
            assert response.status_code == 401
        response = await client.post(
            "/desk/api/session", json={"agent_id": "a5", "password": "password1"}
        )
        assert_rate_limited(response)


async def test_the_service_api_is_limited_per_token(open_desk: OpenDesk) -> None:
    async with open_desk(rate_limit_service="2/minute") as desk:
        assert (await desk.open_ticket()).status_code == 201
        assert (await desk.open_ticket()).status_code == 200
        assert_rate_limited(await desk.open_ticket())
        # Without the token the answer stays 401 and says nothing about the limit.
        stranger = desk.client()
        assert (await stranger.post("/api/tickets", json={})).status_code == 401


async def test_an_oversized_body_is_refused_before_parsing(open_desk: OpenDesk) -> None:
    async with open_desk(max_body_bytes=4096) as desk:
        response = await desk.service.post(
            "/api/tickets", content=b'{"conversation_id": "' + b"x" * 10_000 + b'"}'
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "body_too_large"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe\xfa",
        b'{"conversation_id": "\xff"}',
        b"[]",
        b"[1, 2]",
        b'"a string"',
        b"null",
        b"[" * 5000 + b"]" * 5000,
        b'{"conversation_id": 1, "channel": [], "reason": {}, "priority": "high"}',
        b'{"conversation_id": "c", "channel": "bank_web", "reason": "r", "priority": 1e309}',
    ],
)
async def test_malformed_service_bodies_get_a_json_400(desk: Desk, body: bytes) -> None:
    response = await desk.service.post(
        "/api/tickets", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] in ("invalid_request", "http_error")


@pytest.mark.parametrize("body", [b"[]", b"\xff", b"{", b'{"agent_id": 5, "password": []}'])
async def test_malformed_sign_in_bodies_get_a_json_400(desk: Desk, body: bytes) -> None:
    client = desk.client()
    response = await client.post(
        "/desk/api/session", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert "error" in response.json()


async def test_arrays_of_pairs_are_not_taken_for_objects(desk: Desk) -> None:
    pairs = [
        ["conversation_id", "web-1"],
        ["channel", "bank_web"],
        ["reason", "r"],
        ["priority", 1],
    ]
    response = await desk.service.post("/api/tickets", json=pairs)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
