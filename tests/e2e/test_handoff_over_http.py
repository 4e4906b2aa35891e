"""Handoff through the real stack: the bot opens a ticket in the agent desk with the
context, pauses, stays quiet while paused, and answers again once resumed."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from connectors.agent_desk.sessions import CSRF_HEADER as DESK_HEADER

pytestmark = pytest.mark.stack


def texts(replies: list[dict]) -> str:
    return " ".join(reply.get("text", "") for reply in replies)


@pytest.fixture
def desk_api(stack_config):
    def open_ticket(conversation: str) -> httpx.Response:
        return httpx.get(
            f"{stack_config.desk_url}/api/tickets/open",
            params={"conversation_id": conversation},
            headers={"Authorization": f"Bearer {stack_config.handoff_service_token}"},
            timeout=10,
        )

    return open_ticket


@pytest.fixture
def agent(stack_config):
    """A demo agent signed in to the desk's agent API."""
    client = httpx.Client(base_url=stack_config.desk_url, timeout=10, headers={DESK_HEADER: "1"})
    signed_in = client.post(
        "/desk/api/session",
        json={"agent_id": "ava", "password": stack_config.desk_demo_agent_password},
    )
    assert signed_in.status_code == 200, signed_in.text
    yield client
    client.close()


@pytest.fixture
def close_ticket(desk_api, agent):
    """An agent claims (if nobody has) and closes the conversation's ticket: the bot resumes."""

    def close(conversation: str, outcome: str = "resolved") -> dict:
        ticket_id = desk_api(conversation).json()["ticket"]["id"]
        claimed = agent.post(f"/desk/api/tickets/{ticket_id}/claim")
        assert claimed.status_code in (200, 409), claimed.text
        closed = agent.post(f"/desk/api/tickets/{ticket_id}/close", json={"outcome": outcome})
        assert closed.status_code == 200, closed.text
        return closed.json()

    return close


@pytest.fixture
def rasa(rasa_api):
    class Rasa:
        def tracker(self, conversation: str) -> dict:
            return rasa_api.get(f"/conversations/{conversation}/tracker").json()

    return Rasa()


def test_asking_for_a_person_opens_a_ticket_and_pauses_the_bot(
    say, conversation_id, desk_api, rasa, agent, close_ticket
):
    customer = "CUST-0003"
    conversation = conversation_id(customer)
    say(customer, "where are my applications at")
    started = time.monotonic()
    reply = texts(say(customer, "I'd like to speak to a real person please"))
    assert "bringing in a person" in reply
    assert re.search(r"number \d+ in the queue, about \d+ min", reply)

    ticket = desk_api(conversation)
    elapsed = time.monotonic() - started
    print(f"\n'talk to a person' -> ticket in the desk: {elapsed * 1000:.0f} ms")
    assert ticket.status_code == 200
    ticket_id = ticket.json()["ticket"]["id"]
    body = agent.get(f"/desk/api/tickets/{ticket_id}").json()["ticket"]  # what the agent sees
    assert (body["reason"], body["customer_id"]) == ("customer_request", customer)
    context = body["context"]
    assert context["customer"]["name"] == "Chen Wei"
    assert {a["reference"] for a in context["customer"]["open_applications"]} <= {"APP-100003"}
    assert any("applications" in line["text"] for line in context["transcript"])
    assert rasa.tracker(conversation)["paused"] is True

    assert say(customer, "hello? is anyone there") == []  # the bot stays quiet while paused
    close_ticket(conversation)
    tracker = rasa.tracker(conversation)
    assert tracker["paused"] is False
    assert tracker["slots"]["handoff_outcome"] == "resolved by agent"
    assert "balance" in texts(say(customer, "what's my balance")).lower()


def test_a_customer_who_stays_upset_is_handed_over(
    say, conversation_id, desk_api, agent, close_ticket
):
    visitor = "upset-visitor"
    conversation = conversation_id(visitor)
    first = texts(
        say(visitor, "my card got declined again at the petrol station, this is ridiculous")
    )
    second = texts(say(visitor, "payment declined again with my card just now, I am so fed up"))
    assert "bringing in a person" not in first + second
    reply = texts(say(visitor, "my card is declined every single time, this is unacceptable"))
    assert "bringing in a person" in reply
    ticket_id = desk_api(conversation).json()["ticket"]["id"]
    ticket = agent.get(f"/desk/api/tickets/{ticket_id}").json()["ticket"]
    assert ticket["reason"] == "negative_sentiment"
    assert ticket["customer_id"] is None and ticket["context"].get("customer") is None
    assert [s["label"] for s in ticket["context"]["sentiment"]][-3:] == ["negative"] * 3
    close_ticket(conversation, "no_reply")


def test_a_sensitive_topic_is_answered_then_handed_over(
    say, conversation_id, desk_api, close_ticket
):
    customer = "CUST-0001"
    reply = texts(say(customer, "someone stole my wallet with my debit card in it"))
    assert "Freeze" in reply and "bringing in a person" in reply
    ticket = desk_api(conversation_id(customer)).json()["ticket"]
    assert ticket["reason"] == "sensitive_topic"
    assert ticket["priority"] >= 90  # a stolen card; +10 when the customer is upset
    close_ticket(conversation_id(customer), "follow_up")


def test_a_handoff_survives_restarts_of_rasa_and_the_desk(
    stack, stack_config, say, conversation_id, desk_api, agent, rasa, close_ticket
):
    customer = "CUST-0002"
    conversation = conversation_id(customer)
    say(customer, "how much is in my checking account?")
    assert "bringing in a person" in texts(say(customer, "can I speak to an agent"))
    ticket_id = desk_api(conversation).json()["ticket"]["id"]
    assert agent.post(f"/desk/api/tickets/{ticket_id}/claim").status_code == 200
    assert say(customer, "my question is about a transfer") == []

    stack.restart("rasa")
    stack.restart("agent-desk")

    tracker = rasa.tracker(conversation)
    assert tracker["paused"] is True  # still with the agent, not the bot
    assert any(e.get("text") == "my question is about a transfer" for e in tracker["events"])
    again = httpx.Client(base_url=stack_config.desk_url, headers=dict(agent.headers), timeout=10)
    again.cookies = agent.cookies
    detail = again.get(f"/desk/api/tickets/{ticket_id}").json()["ticket"]
    assert detail["status"] == "claimed"
    assert detail["context"]["customer"]["name"] == "Bruno Díaz"

    sent = again.post(f"/desk/api/tickets/{ticket_id}/messages", json={"text": "Hi Bruno"})
    assert sent.status_code == 201, sent.text
    events = rasa.tracker(conversation)["events"]
    assert events[-1]["event"] == "bot" and events[-1]["text"] == "Hi Bruno"
    close_ticket(conversation)
    assert "checking" in texts(say(customer, "what's my balance")).lower()
