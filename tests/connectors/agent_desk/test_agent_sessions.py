"""Agents sign in and out; every agent route needs a session; changes need the desk header."""

from __future__ import annotations

import time

import jwt
import pytest

from connectors.agent_desk.sessions import COOKIE, CSRF_HEADER
from tests.connectors.agent_desk.desk_support import AGENT_PASSWORD, SESSION_SECRET, Desk

AGENT_ROUTES = [
    ("GET", "/desk/api/session"),
    ("GET", "/desk/api/queue"),
    ("GET", "/desk/api/tickets/1"),
    ("GET", "/desk/api/tickets/1/messages"),
    ("POST", "/desk/api/tickets/1/claim"),
    ("POST", "/desk/api/tickets/1/messages"),
    ("POST", "/desk/api/tickets/1/messages/1/retry"),
    ("POST", "/desk/api/tickets/1/close"),
    ("DELETE", "/desk/api/session"),
]


async def test_an_agent_signs_in_with_a_strict_http_only_cookie(desk: Desk) -> None:
    client = desk.client()
    response = await client.post(
        "/desk/api/session", json={"agent_id": "ava", "password": AGENT_PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["agent"] == {"id": "ava", "name": "Ava"}
    assert {o["code"] for o in response.json()["outcomes"]} >= {"resolved", "follow_up"}
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert AGENT_PASSWORD not in cookie
    me = await client.get("/desk/api/session")
    assert me.status_code == 200 and me.json()["agent"]["name"] == "Ava"


async def test_a_wrong_password_and_an_unknown_agent_look_the_same(desk: Desk) -> None:
    client = desk.client()
    wrong = await client.post(
        "/desk/api/session", json={"agent_id": "ava", "password": "nope-nope"}
    )
    unknown = await client.post(
        "/desk/api/session", json={"agent_id": "nobody", "password": AGENT_PASSWORD}
    )
    odd = await client.post("/desk/api/session", json={"agent_id": "Not Valid!", "password": "x"})
    assert wrong.status_code == unknown.status_code == odd.status_code == 401
    assert wrong.json() == unknown.json() == odd.json()
    assert "set-cookie" not in wrong.headers
    assert (await client.get("/desk/api/queue")).status_code == 401


@pytest.mark.parametrize(("method", "path"), AGENT_ROUTES)
async def test_agent_routes_need_a_session(desk: Desk, method: str, path: str) -> None:
    response = await desk.client().request(method, path, json={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"


async def test_changes_need_the_desk_header(desk: Desk) -> None:
    ticket = (await desk.open_ticket()).json()["ticket"]
    ava = await desk.agent("ava")
    ava.headers.pop(CSRF_HEADER)
    refused = await ava.post(f"/desk/api/tickets/{ticket['id']}/claim")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "missing_desk_header"
    assert (await ava.get("/desk/api/queue")).json()["tickets"][0]["status"] == "queued"


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "ava", "epoch": 0, "aud": "agent-desk", "secret": "another-secret-" + "x" * 20},
        {"sub": "ava", "epoch": 0, "aud": "agent-desk", "exp": -10},
        {"sub": "ghost", "epoch": 0, "aud": "agent-desk"},
        {"sub": "ava", "epoch": 0, "aud": "somewhere-else"},
    ],
)
async def test_forged_expired_or_foreign_sessions_are_refused(desk: Desk, claims: dict) -> None:
    now = int(time.time())
    claims = dict(claims)  # the parameter is shared between backends
    secret = claims.pop("secret", SESSION_SECRET)
    payload = {"iat": now, "exp": now + 3600, **claims}
    if payload["exp"] < 0:
        payload["exp"] = now - 120
    client = desk.client()
    client.cookies.set(COOKIE, jwt.encode(payload, secret, algorithm="HS256"))
    assert (await client.get("/desk/api/queue")).status_code == 401


async def test_signing_out_ends_the_session_even_for_a_copied_cookie(desk: Desk) -> None:
    ava = await desk.agent("ava")
    copied = desk.client()
    copied.cookies.set(COOKIE, ava.cookies[COOKIE])
    assert (await copied.get("/desk/api/queue")).status_code == 200
    signed_out = await ava.delete("/desk/api/session")
    assert signed_out.status_code == 204
    assert (await ava.get("/desk/api/queue")).status_code == 401
    assert (await copied.get("/desk/api/queue")).status_code == 401
    assert (await desk.agent("ava")).cookies[COOKIE]  # signing in again works


async def test_the_desk_page_is_served_without_data_and_locked_down(desk: Desk) -> None:
    client = desk.client()
    page = await client.get("/")
    assert page.status_code == 200 and "<title>Agent desk</title>" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/static/desk.js", "/static/desk.css"):
        assert (await client.get(asset)).status_code == 200
    assert "http" not in (await client.get("/static/desk.js")).text.replace("http-equiv", "")
