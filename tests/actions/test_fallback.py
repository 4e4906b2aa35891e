"""action_handle_low_confidence: rephrase once, then hand over to a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleLowConfidence, likely_topic_labels, likely_topics


def user(intent: str, ranking: list[tuple[str, float]]) -> dict[str, Any]:
    parse = {
        "intent": {"name": intent, "confidence": ranking[0][1] if ranking else 0.0},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": [],
    }
    return {"event": "user", "text": "…", "parse_data": parse}


def tracker(*events: dict[str, Any]) -> Tracker:
    users = [e for e in events if e["event"] == "user"]
    return Tracker(
        sender_id="web-1",
        slots={},
        latest_message=users[-1]["parse_data"] if users else {},
        events=list(events),
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(t: Tracker) -> tuple[list[dict[str, Any]], list]:
    dispatcher = CollectingDispatcher()
    events = await ActionHandleLowConfidence().run(dispatcher, t, {})
    return dispatcher.messages, events


async def test_first_misunderstanding_asks_to_rephrase() -> None:
    t = tracker(user("greet", [("greet", 0.9)]), user("nlu_fallback", [("pay_bill", 0.2)]))
    [message], events = await run(t)
    assert message["response"] == "utter_default"
    assert events == []


async def test_second_misunderstanding_in_a_row_hands_over_with_likely_topics() -> None:
    t = tracker(
        user("nlu_fallback", [("card_declined", 0.25), ("out_of_scope", 0.2), ("pay_bill", 0.1)]),
        {"event": "bot", "text": "Sorry, I didn't get that."},
        user("nlu_fallback", [("card_declined", 0.2), ("change_pin", 0.18), ("greet", 0.15)]),
    )
    messages, events = await run(t)
    assert messages == []  # action_hand_over speaks next
    assert events == [
        SlotSet("handoff_reason", "not_understood"),
        FollowupAction("action_hand_over"),
    ]
    assert likely_topic_labels(t) == ["My card was declined", "My PIN", "Paying a bill"]


def test_only_banking_topics_are_offered_best_first() -> None:
    rankings = [
        [
            {"name": "out_of_scope", "confidence": 0.5},
            {"name": "fees_and_charges", "confidence": 0.1},
        ],
        [
            {"name": "nlu_fallback", "confidence": 0.7},
            {"name": "exchange_rates", "confidence": 0.3},
        ],
    ]
    assert likely_topics(rankings) == ["exchange_rates", "fees_and_charges"]
