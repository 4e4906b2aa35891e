"""action_hand_over: the ticket it asks the desk for, and what the customer is told.

Core banking is the real core_mock over HTTP; the desk is an httpx MockTransport
that records what it was sent (the real desk has its own tests in tests/connectors).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff.actions import ActionHandOver
from actions.handoff.desk_client import DeskClient


class FakeDesk:
    def __init__(self, answer: dict[str, Any] | None = None, status: int = 201) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer or {
            "ticket": {"id": 7, "status": "queued"},
            "mode": "live",
            "queue_position": 2,
            "estimated_wait_minutes": 8,
        }
        self.status = status

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status == 0:
            raise httpx.ConnectError("desk down")
        return httpx.Response(self.status, json=self.answer)

    @property
    def ticket(self) -> dict[str, Any]:
        return json.loads(self.requests[-1].content)


def conversation(*turns: tuple[str, str, dict | None], **slots: Any) -> Tracker:
    """A tracker after these (intent, text, sentiment) customer turns, each answered."""
    events: list[dict[str, Any]] = [{"event": "action", "name": "action_listen"}]
    parse: dict[str, Any] = {}
    for intent, text, sentiment in turns:
        parse = {
            "intent": {"name": intent, "confidence": 0.91},
            "entities": [{"entity": "account_type", "value": "savings"}]
            if "savings" in text
            else [],
            "text": text,
            "metadata": {"customer_id": "CUST-0001", "auth": "jwt"},
        }
        if sentiment:
            parse["sentiment"] = sentiment
        events += [
            {
                "event": "user",
                "text": text,
                "parse_data": parse,
                "input_channel": "bank_web",
                "metadata": {"customer_id": "CUST-0001", "auth": "jwt"},
                "timestamp": 1.0,
            },
            {"event": "action", "name": "action_check_balance"},
            {"event": "bot", "text": "Your savings account has $1.00.", "timestamp": 2.0},
            {"event": "action", "name": "action_listen"},
        ]
    return Tracker("web-abc", {"language": "en", **slots}, parse, events, False, None,
                   slots.pop("_loop", {}), "action_listen")  # fmt: skip


@pytest.fixture
def desk() -> FakeDesk:
    return FakeDesk()


@pytest.fixture
def action(live_client, core_settings, desk) -> ActionHandOver:
    client = DeskClient(core_settings, transport=httpx.MockTransport(desk.handler))
    return ActionHandOver(client=live_client, desk=client, settings=core_settings)


async def hand_over(action: ActionHandOver, tracker: Tracker) -> tuple[list[dict], list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_request_for_a_person_opens_a_ticket_with_the_context_and_pauses(action, desk):
    tracker = conversation(
        ("check_balance", "how much is in my savings", {"label": "neutral", "score": 0.8}),
        ("request_human", "let me talk to a person", {"label": "negative", "score": 0.7}),
        sentiment="negative",
    )
    [message], events = await hand_over(action, tracker)

    assert message["response"] == "utter_handoff_queued"
    assert (message["position"], message["minutes"]) == (2, 8)
    assert events[-1] == ConversationPaused()
    sent = desk.ticket
    assert desk.requests[-1].headers["authorization"] == "Bearer dev-handoff-service-token"
    assert (sent["conversation_id"], sent["customer_id"], sent["channel"]) == (
        "web-abc",
        "CUST-0001",
        "bank_web",
    )
    assert sent["reason"] == "customer_request"
    assert sent["priority"] == 40  # 30 for a request, +10 signed in and upset
    context = sent["context"]
    assert [line["sender"] for line in context["transcript"]] == ["customer", "bot"] * 2
    assert context["intents"][0] == {
        "intent": "check_balance",
        "confidence": 0.91,
        "entities": [{"entity": "account_type", "value": "savings"}],
    }
    assert [s["label"] for s in context["sentiment"]] == ["neutral", "negative"]
    assert context["bot_actions"] == ["action_check_balance", "action_check_balance"]
    customer = context["customer"]
    assert customer["name"] == "Alice Morgan" and customer["preferred_name"] == "Ali"
    assert {p["type"] for p in customer["products"]} == {"checking", "savings", "credit_card"}
    assert all(set(p) == {"type", "name", "masked_number"} for p in customer["products"])
    assert "balance" not in json.dumps(customer)  # an agent sees products, not balances
    assert [a["reference"] for a in customer["open_applications"]] == ["APP-100001"]
    assert "request" in context["summary"].lower()


@pytest.mark.parametrize(
    ("intent", "reason", "priority"),
    [
        ("report_fraud", "sensitive_topic", 90),
        ("lost_or_stolen_card", "sensitive_topic", 90),
        ("bereavement", "sensitive_topic", 70),
        ("complaint", "sensitive_topic", 60),
        ("dispute_transaction", "agent_follow_up", 50),
    ],
)
async def test_reason_and_priority_follow_the_topic(action, desk, intent, reason, priority):
    await hand_over(action, conversation((intent, "help", None)))
    assert (desk.ticket["reason"], desk.ticket["priority"]) == (reason, priority)


async def test_a_recorded_trigger_wins_and_is_cleared(action, desk) -> None:
    tracker = conversation(("deny", "no", None), handoff_reason="contact_change_locked")
    _, events = await hand_over(action, tracker)
    assert (desk.ticket["reason"], desk.ticket["priority"]) == ("contact_change_locked", 80)
    assert SlotSet("handoff_reason", None) in events


async def test_an_active_form_is_left(action, desk) -> None:
    tracker = conversation(
        ("request_human", "a person", None), _loop={"name": "contact_details_form"}
    )
    _, events = await hand_over(action, tracker)
    assert events[0] == ActiveLoop(None)


async def test_outside_agent_hours_a_callback_and_the_bot_stays(action, desk) -> None:
    desk.answer = {"ticket": {"id": 9}, "mode": "callback", "queue_position": None}
    [message], events = await hand_over(action, conversation(("request_human", "human", None)))
    assert message["response"] == "utter_handoff_callback" and message["ticket"] == 9
    assert ConversationPaused() not in events


@pytest.mark.parametrize("status", [0, 401, 500])
async def test_desk_unreachable_or_refusing_tells_the_customer_and_does_not_pause(
    action, desk, status
) -> None:
    desk.status = status
    [message], events = await hand_over(action, conversation(("request_human", "human", None)))
    assert message["response"] == "utter_handoff_unavailable"
    assert ConversationPaused() not in events


async def test_an_anonymous_visitor_is_handed_over_without_customer_data(action, desk) -> None:
    tracker = conversation(("request_human", "human", None))
    for event in tracker.events:
        if event.get("event") == "user":
            event["metadata"] = {"auth": "anonymous"}
    tracker.latest_message["metadata"] = {"auth": "anonymous"}
    await hand_over(action, tracker)
    assert desk.ticket["customer_id"] is None
    assert "customer" not in desk.ticket["context"]


async def test_core_banking_down_still_hands_over(action, desk, faults) -> None:
    faults(error_rate=1.0)
    [message], events = await hand_over(action, conversation(("complaint", "awful", None)))
    assert message["response"] == "utter_handoff_queued"
    assert desk.ticket["context"]["customer"] is None
    assert events[-1] == ConversationPaused()
