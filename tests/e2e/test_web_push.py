"""Messages the server pushes reach an open widget without the customer typing first:
Rasa's own HTTP API (trigger_intent, and tracker events with side effects) sends them
through the bank_web channel to every socket of the customer's conversation."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import socketio

pytestmark = pytest.mark.stack


class Socket:
    def __init__(self, url: str, token: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.received: list[dict] = []
        self.confirmed = threading.Event()
        self.client.on("bot_uttered", self.received.append)
        self.client.on("session_confirm", lambda data: self.confirmed.set())
        self.client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        self.client.emit("session_request", {})
        assert self.confirmed.wait(10)

    def wait_for(self, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@pytest.fixture
def open_widget(stack_config, demo_login):
    sockets: list[Socket] = []

    def open_for(customer: str) -> Socket:
        sockets.append(Socket(stack_config.rasa_url, demo_login.mint(customer)))
        return sockets[-1]

    yield open_for
    for socket in sockets:
        socket.client.disconnect()


def test_a_proactive_message_reaches_every_open_device(
    stack_config, open_widget, conversation_id, rasa_api
):
    laptop, phone = open_widget("CUST-0004"), open_widget("CUST-0004")
    conversation = conversation_id("CUST-0004")
    answer = rasa_api.post(
        f"/conversations/{conversation}/trigger_intent",
        params={"output_channel": "bank_web", "token": stack_config.rasa_api_token},
        json={"name": "greet"},
    )
    assert answer.status_code == 200
    for device in (laptop, phone):
        [message] = device.wait_for(1)
        assert message["sender"] == "bot" and "balances" in message["text"].lower()


def test_an_agent_reply_is_shown_as_the_agent_and_kept(
    stack_config, open_widget, conversation_id, rasa_api
):
    widget = open_widget("CUST-0002")
    conversation = conversation_id("CUST-0002")
    reply = {
        "event": "bot",
        "text": "Hi Bruno, Ava here.",
        "data": {"custom": {"agent_name": "Ava"}},
    }
    answer = rasa_api.post(
        f"/conversations/{conversation}/tracker/events",
        params={
            "output_channel": "bank_web",
            "execute_side_effects": "true",
            "token": stack_config.rasa_api_token,
        },
        json=[reply],
    )
    assert answer.status_code == 200
    [message] = widget.wait_for(1)
    assert (message["sender"], message["agent_name"], message["text"]) == (
        "agent",
        "Ava",
        "Hi Bruno, Ava here.",
    )


def test_the_transcript_keeps_who_said_what(
    stack_config, demo_login, conversation_id, say, rasa_api
):
    say("CUST-0003", "hi")  # an agent only ever writes into a conversation that exists
    conversation = conversation_id("CUST-0003")
    reply = {
        "event": "bot",
        "text": "Sam from the card team.",
        "data": {"custom": {"agent_name": "Sam"}},
    }
    rasa_api.post(f"/conversations/{conversation}/tracker/events", json=[reply]).raise_for_status()
    transcript = httpx.get(
        f"{stack_config.web_url}/transcript",
        headers={"Authorization": f"Bearer {demo_login.mint('CUST-0003')}"},
        timeout=30,
    ).json()["messages"]
    assert transcript[-1]["sender"] == "agent" and transcript[-1]["agent_name"] == "Sam"
