"""The web channel under floods and bad input, on a real Sanic server with tight limits:
429 + Retry-After over HTTP, an ``error`` event ``rate_limited`` over Socket.IO, and a
JSON 4xx (never a 500) for bodies that are not a small UTF-8 JSON object."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
import socketio

from tests.connectors.test_web_channel import Server, running_server

MESSAGES = "/webhooks/bank_web/messages"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Per customer 3 a minute; per address 40; socket connections 40."""
    with running_server(
        tmp_path_factory.mktemp("bank_login"),
        tmp_path_factory.mktemp("attacker"),
        "rate_limit_customer=3/minute",
        "rate_limit_ip=40/minute",
        "rate_limit_connect_ip=40/minute",
    ) as started:
        yield started


def test_a_customer_cannot_send_faster_than_the_limit(limited: Server) -> None:
    token = limited.token("CUST-0042")
    answers = [limited.post(MESSAGES, token, message=f"hi {n}") for n in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert answers[-1].json()["error"]["code"] == "rate_limited"
    # Another customer from the same address is not held back by the first one's limit.
    assert limited.post(MESSAGES, limited.token("CUST-0043"), message="hi").status_code == 200


def test_socket_messages_share_the_customers_limit(limited: Server) -> None:
    token = limited.token("CUST-0044")
    assert limited.post(MESSAGES, token, message="over http").status_code == 200
    client = socketio.Client(reconnection=False)
    errors: list[dict] = []
    replies: list[dict] = []
    client.on("error", errors.append)
    client.on("bot_uttered", replies.append)
    client.connect(limited.url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
    try:
        for n in range(3):
            client.emit("user_uttered", {"message": f"socket {n}"})
            time.sleep(0.3)
        deadline = time.monotonic() + 5
        while not errors and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.disconnect()
    assert len(replies) == 2  # 1 over HTTP + 2 over the socket = the limit of 3
    assert errors and errors[0]["code"] == "rate_limited"
    assert errors[0]["message"] and errors[0]["retry_after"] >= 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "invalid_json"),
        (b'{"message": "\xff\xfe"}', 400, "invalid_encoding"),
        (b"[]", 400, "invalid_json"),
        (b'["message", "hi"]', 400, "invalid_json"),
        (b"null", 400, "invalid_json"),
        (b"[" * 5000 + b"]" * 5000, 400, "invalid_json"),
        (b'{"message": ' + b'"' + b"x" * 20_000 + b'"}', 413, "body_too_large"),
        (b'{"message": 42}', 400, "message_invalid"),
        (b'{"message": "\\ud800 hi"}', 400, "message_invalid"),
        (b'{"message": "hi\\u0000"}', 400, "message_invalid"),
    ],
)
def test_bad_bodies_get_a_json_4xx(limited: Server, body: bytes, status: int, code: str) -> None:
    response = httpx.post(
        f"{limited.url}{MESSAGES}",
        content=body,
        headers={"Authorization": f"Bearer {limited.token('CUST-0050')}",
                 "Content-Type": "application/json"},
        timeout=10,
    )  # fmt: skip
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_demo_login_refuses_bad_bodies(limited: Server) -> None:
    response = httpx.post(
        f"{limited.url}/webhooks/bank_web/demo/login", content=b"\xff", timeout=10
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_encoding"


@pytest.mark.parametrize("token", ["é" * 10, "\u2028abc", "a" * 10_000, "x.y.z"])
def test_odd_tokens_are_refused_cleanly(limited: Server, token: str) -> None:
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(limited.url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
