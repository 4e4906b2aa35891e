"""Two Rasa servers behind one (imaginary) load balancer: a conversation's messages may land
on either; the PostgreSQL tracker store, the Redis lock store and the RabbitMQ broker make
that invisible to the customer."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio

from tests.production.conftest import (
    ProductionStack,
    assert_each_message_answered_once_in_order,
    conversation_of,
)

pytestmark = [pytest.mark.production, pytest.mark.stack]

MESSAGES = ["hello", "what's my balance", "what are your opening hours", "thank you"]


def replies(response) -> list[dict]:
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    assert messages, "no answer"
    return messages


def wait_for_broker(production: ProductionStack, sender: str, timeout: float = 30) -> list[dict]:
    """The broker's events of ``sender`` once they match the tracker store's."""
    deadline = time.monotonic() + timeout
    stored = production.tracker.events(sender)
    while True:
        published = production.broker.events_of(sender)
        if len(published) >= len(stored) or time.monotonic() > deadline:
            return published
        time.sleep(0.5)


def same_events(published: list[dict], stored: list[dict]) -> bool:
    def key(event: dict) -> tuple:
        return event["event"], round(float(event["timestamp"]), 6)

    return sorted(map(key, published)) == sorted(map(key, stored))


def test_one_conversation_alternating_between_instances(production: ProductionStack):
    customer = "CUST-0001"
    for turn, text in enumerate(MESSAGES):
        answer = replies(production.say(turn % 2, customer, text))
        if text == "what's my balance":
            assert "$" in " ".join(message.get("text", "") for message in answer)

    sender = conversation_of(customer)
    stored = production.tracker.events(sender)
    assert_each_message_answered_once_in_order(stored, MESSAGES)
    assert same_events(wait_for_broker(production, sender), stored)


def test_messages_racing_on_both_instances_are_taken_one_at_a_time(production: ProductionStack):
    """The same conversation, four messages at once, two on each instance: the Redis lock
    store queues them, so each is answered once and the turns never interleave."""
    customer = "CUST-0002"
    texts = [f"what are your opening hours {n}" for n in range(4)]
    with ThreadPoolExecutor(len(texts)) as pool:
        answers = list(
            pool.map(lambda n: production.say(n % 2, customer, texts[n]), range(len(texts)))
        )
    for answer in answers:
        replies(answer)

    stored = production.tracker.events(conversation_of(customer))
    received = [event.get("text") for event in stored if event["event"] == "user"]
    assert sorted(received) == sorted(texts)  # each once (the order is the lock's)
    assert_each_message_answered_once_in_order(stored, received)


def test_eight_conversations_at_once_across_both_instances(production: ProductionStack):
    customers = [f"CUST-{n:04d}" for n in range(5, 13)]
    durations: list[float] = []

    def converse(index: int) -> None:
        for turn, text in enumerate(MESSAGES):
            started = time.monotonic()
            replies(production.say((index + turn) % 2, customers[index], text))
            durations.append(time.monotonic() - started)

    started = time.monotonic()
    with ThreadPoolExecutor(len(customers)) as pool:
        list(pool.map(converse, range(len(customers))))
    elapsed = time.monotonic() - started
    durations.sort()
    print(
        f"\n8 conversations x {len(MESSAGES)} messages over 2 instances: {elapsed:.1f} s, "
        f"p50 {durations[len(durations) // 2]:.2f} s, max {durations[-1]:.2f} s"
    )

    for customer in customers:
        sender = conversation_of(customer)
        stored = production.tracker.events(sender)
        assert_each_message_answered_once_in_order(stored, MESSAGES)
        assert same_events(wait_for_broker(production, sender), stored), customer


class Widget:
    """A Socket.IO client like the chat widget, connected to one instance."""

    def __init__(self, url: str, token: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.received: list[dict] = []
        self.confirmed = threading.Event()
        self.client.on("bot_uttered", self.received.append)
        self.client.on("session_confirm", lambda data: self.confirmed.set())
        self.client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        self.client.emit("session_request", {})
        assert self.confirmed.wait(10)

    def wait_for(self, count: int, timeout: float = 20) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


def test_a_widget_on_one_instance_gets_the_answer_to_a_message_sent_to_the_other(
    production: ProductionStack,
):
    customer = "CUST-0003"
    widget = Widget(production.instances[1], production.token(customer))
    try:
        answer = replies(production.say(0, customer, "what's my balance"))
        pushed = widget.wait_for(len(answer))
        assert [m.get("text") for m in pushed] == [m.get("text") for m in answer]
    finally:
        widget.client.disconnect()


def test_a_phone_call_moves_between_instances(production: ProductionStack):
    """Each Twilio webhook of one call lands on the other instance; the call state in Redis
    carries the verification across, and the balance is spoken."""
    import re
    from xml.etree import ElementTree

    import httpx
    from twilio.request_validator import RequestValidator

    from scripts.channel_env import voice_channel_env

    config = production.config
    token = voice_channel_env(config.core_url, config.core_api_key)["TWILIO_AUTH_TOKEN"]
    validator = RequestValidator(token)
    turn = {"n": 0}

    def send(**fields: str) -> str:
        base = f"{production.instances[turn['n'] % 2]}/webhooks/bank_voice/webhook"
        turn["n"] += 1
        params = {"CallSid": "CA" + "5" * 32, "AccountSid": "AC" + "1" * 32,
                  "From": "+15005550006", "To": "+15005550001", "CallStatus": "in-progress",
                  **fields}  # fmt: skip
        signature = validator.compute_signature(base, params)
        response = httpx.post(
            base, data=params, headers={"X-Twilio-Signature": signature}, timeout=30
        )
        assert response.status_code == 200, response.text
        twiml = ElementTree.fromstring(response.text)
        return " ".join("".join(say.itertext()) for say in twiml.iter("Say"))

    assert send(CallStatus="ringing")
    assert "customer number" in send(SpeechResult="what's my savings balance", Confidence="0.9")
    assert "code" in send(Digits="0001")
    with production.core_api() as core:
        outbox = core.get("/v1/outbox", params={"customer_id": "CUST-0001", "limit": 1}).json()
    code = re.search(r"\b(\d{6})\b", str(outbox)).group(1)
    assert "dollars" in send(Digits=code)
