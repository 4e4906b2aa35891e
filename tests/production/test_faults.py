"""Faults in the production shape: each engine goes away and comes back while customers
talk. The customer always gets a clear answer (the bot's, or the channel's "try again in a
moment"), no conversation is corrupted, no contact change is half-done, and service resumes
without anybody restarting Rasa."""

from __future__ import annotations

import re
import time

import pytest

from tests.production.conftest import (
    ProductionStack,
    assert_each_message_answered_once_in_order,
    conversation_of,
)
from tests.production.services import terminate_connections
from tests.production.test_multi_instance import Widget, same_events, wait_for_broker

pytestmark = [pytest.mark.production, pytest.mark.stack]

UNAVAILABLE = "assistant_unavailable"


def text_of(response) -> str:
    assert response.status_code == 200, response.text
    return "\n".join(message.get("text", "") for message in response.json()["messages"])


def clear_answer(response) -> bool:
    """True for the bot's answer; False for the channel's clear "try again" (503); anything
    else (a trace, a hang, a silent 200) fails the test."""
    if response.status_code == 503:
        assert response.json()["error"]["code"] == UNAVAILABLE
        return False
    assert response.status_code == 200, response.text
    assert response.json()["messages"], "a silent 200"
    return True


def answered_within(production: ProductionStack, customer: str, text: str, seconds: float):
    """Send ``text`` (alternating instances) until it is answered; every try gets a clear
    answer. Returns the answered texts sent, in order (failed tries were not processed)."""
    deadline = time.monotonic() + seconds
    attempt = 0
    while True:
        response = production.say(attempt % 2, customer, text, timeout=30)
        if clear_answer(response):
            return attempt
        assert time.monotonic() < deadline, f"{text!r} still unavailable after {seconds} s"
        attempt += 1
        time.sleep(0.5)


def test_redis_crash_and_restart(production: ProductionStack):
    customer = "CUST-0013"
    widget = Widget(production.instances[1], production.token(customer))
    try:
        assert text_of(production.say(0, customer, "hello"))
        production.redis.kill()
        down = production.say(0, customer, "what are your opening hours", timeout=30)
        assert not clear_answer(down)  # the lock store is unreachable: "try again", no guess

        production.redis.start()  # empty, like a restarted cache
        answered_within(production, customer, "what are your opening hours", 15)
        sent = ["hello", "what are your opening hours"]
        stored = production.tracker.events(conversation_of(customer))
        assert_each_message_answered_once_in_order(stored, sent)

        # Socket.IO's Redis listener resubscribes by itself: pushes cross instances again.
        before = len(widget.received)
        deadline = time.monotonic() + 30
        while len(widget.received) == before and time.monotonic() < deadline:
            text_of(production.say(0, customer, "thank you"))
            sent.append("thank you")
            widget.wait_for(before + 1, timeout=3)
        assert len(widget.received) > before, "pushes did not cross instances after the restart"
    finally:
        widget.client.disconnect()


def test_rabbitmq_down_customers_still_answered_and_events_delivered_later(
    production: ProductionStack,
):
    customer = "CUST-0014"
    sender = conversation_of(customer)
    production.broker_proxy.cut()
    try:
        sent = ["hello", "what's my balance", "thank you"]
        for turn, text in enumerate(sent):
            assert text_of(production.say(turn % 2, customer, text))
    finally:
        production.broker_proxy.restore()
    stored = production.tracker.events(sender)
    assert_each_message_answered_once_in_order(stored, sent)
    # Rasa's pika broker kept the events and publishes them once it reconnects (~5 s).
    assert same_events(wait_for_broker(production, sender, timeout=60), stored)


def test_postgresql_connections_dropped(production: ProductionStack):
    customer = "CUST-0015"
    assert text_of(production.say(0, customer, "hello"))
    assert terminate_connections(production.config.core_database_url.rsplit("/", 1)[0]
                                 + "/postgres", production.database_urls) > 0  # fmt: skip

    retries = answered_within(production, customer, "what's my balance", 20)
    assert retries <= 2  # each instance may lose one pooled connection, then reconnects
    stored = production.tracker.events(conversation_of(customer))
    assert_each_message_answered_once_in_order(stored, ["hello", "what's my balance"])
    assert "$" in text_of(production.say(1, customer, "what's my balance"))


def test_action_server_down_then_restarted(production: ProductionStack):
    customer = "CUST-0016"
    assert text_of(production.say(0, customer, "hello"))
    production.stack.stop_service("actions")
    try:
        down = production.say(1, customer, "what's my balance", timeout=30)
        assert down.status_code in (200, 503) and "$" not in down.text
    finally:
        production.stack.restart("actions")
    assert "$" in text_of(production.say(0, customer, "what's my balance"))
    stored = production.tracker.events(conversation_of(customer))
    users = [event.get("text") for event in stored if event["event"] == "user"]
    assert users == ["hello", "what's my balance", "what's my balance"]


def test_while_the_action_server_is_down_the_customer_hears_an_apology(
    production: ProductionStack,
):
    customer = "CUST-0019"
    production.stack.stop_service("actions")
    try:
        down = production.say(0, customer, "what's my balance", timeout=30)
    finally:
        production.stack.restart("actions")
    # Rasa goes on without the failed action; the web channel says so instead of nothing.
    assert down.status_code == 200
    assert "try again" in text_of(down).lower() and "$" not in text_of(down)


def test_core_banking_slow_then_down_then_back(production: ProductionStack):
    customer = "CUST-0017"
    with production.core_api() as core:
        core.put("/admin/faults", json={"latency_ms": 8000, "error_rate": 0.0})
        try:
            started = time.monotonic()
            slow = text_of(production.say(0, customer, "what's my balance"))
            assert time.monotonic() - started < 4.0 and "sorry" in slow.lower()
            core.put("/admin/faults", json={"latency_ms": 0, "error_rate": 1.0})
            down = text_of(production.say(1, customer, "what's my balance"))
            assert "sorry" in down.lower() and "$" not in down
        finally:
            core.put("/admin/faults", json={"latency_ms": 0, "error_rate": 0.0})
        assert "$" in text_of(production.say(0, customer, "what's my balance"))


def test_a_contact_change_is_never_half_done_when_core_banking_fails(
    production: ProductionStack,
):
    customer = "CUST-0018"
    new_email = "prod.fault.test@example.org"
    with production.core_api() as core:
        before = core.get(f"/v1/customers/{customer}/contact").json()
        text_of(production.say(0, customer, "I want to change my email address"))
        assert "one-time code" in text_of(production.say(1, customer, new_email))
        outbox = core.get("/v1/outbox", params={"customer_id": customer, "limit": 1}).json()
        code = re.search(r"\b(\d{4,8})\b", outbox["notifications"][0]["body"]).group(1)
        assert "confirm" in text_of(production.say(0, customer, code)).lower()

        core.put("/admin/faults", json={"latency_ms": 0, "error_rate": 1.0})
        try:
            failed = text_of(production.say(1, customer, "yes"))
        finally:
            core.put("/admin/faults", json={"latency_ms": 0, "error_rate": 0.0})
        assert failed and new_email not in failed
        after = core.get(f"/v1/customers/{customer}/contact").json()
        assert after == before  # nothing changed: no half-done change
        assert "$" in text_of(production.say(0, customer, "what's my balance"))
