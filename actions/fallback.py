"""Two low-confidence turns in a row: a person takes over instead of a second "rephrase".

``action_handle_low_confidence`` answers every ``nlu_fallback``. The first time it asks
the customer to rephrase (``utter_default``). When the previous message was not
understood either, it hands the conversation to a person (``action_hand_over``, reason
``not_understood``); the banking topics the classifier ranked highest across both
messages go into the ticket, so the agent sees what the customer probably means.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff.reasons import NOT_UNDERSTOOD

FALLBACK_INTENT = "nlu_fallback"
MAX_TOPICS = 3
# Intents a button can send, with the words the customer sees.
TOPIC_LABELS = {
    "check_balance": "Check a balance",
    "track_application": "An application I made",
    "update_contact_details": "Change my contact details",
    "lost_or_stolen_card": "Lost or stolen card",
    "card_not_arrived": "My card hasn't arrived",
    "replace_card": "Replace a damaged or expiring card",
    "card_declined": "My card was declined",
    "freeze_card": "Freeze or unfreeze my card",
    "account_blocked": "My account is blocked",
    "change_pin": "My PIN",
    "dispute_transaction": "A payment I don't recognise",
    "report_fraud": "Report fraud or a scam",
    "transaction_history": "My transactions",
    "transfer_money": "Transfers",
    "pay_bill": "Paying a bill",
    "fees_and_charges": "Fees and charges",
    "exchange_rates": "Exchange rates",
    "interest_rates": "Interest rates",
    "opening_hours": "Opening hours",
    "find_branch_or_atm": "Find a branch or ATM",
    "account_details": "My account number or routing number",
    "credit_limit": "My credit limit",
    "rewards": "Rewards and cashback",
    "complaint": "Make a complaint",
    "bereavement": "A bereavement",
    "apply_for_product": "Open an account or apply",
}


def likely_topics(rankings: Iterable[list[dict[str, Any]]], limit: int = MAX_TOPICS) -> list[str]:
    """Banking intents by their summed confidence over the given rankings, best first."""
    scores: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for entry in ranking or []:
            name = entry.get("name")
            if name in TOPIC_LABELS:
                scores[name] += float(entry.get("confidence") or 0.0)
    return sorted(scores, key=lambda name: -scores[name])[:limit]


def likely_topic_labels(tracker: Tracker) -> list[str]:
    """What the last two messages most probably were about, in the customer's words."""
    rankings = [p.get("intent_ranking") or [] for p in recent_user_parses(tracker, 2)]
    return [TOPIC_LABELS[name] for name in likely_topics(rankings)]


def recent_user_parses(tracker: Tracker, n: int) -> list[dict[str, Any]]:
    """The parse data of the last ``n`` user messages, newest first."""
    parses = [
        e.get("parse_data") or {} for e in reversed(tracker.events) if e.get("event") == "user"
    ]
    return parses[:n]


class ActionHandleLowConfidence(Action):
    """Rephrase once; on the second misunderstanding in a row, hand over to a person."""

    def name(self) -> str:
        return "action_handle_low_confidence"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        latest, *previous = recent_user_parses(tracker, 2) or [tracker.latest_message or {}]
        previous_intent = ((previous[0] if previous else {}).get("intent") or {}).get("name")
        if previous_intent != FALLBACK_INTENT:
            dispatcher.utter_message(response="utter_default")
            return []
        return [SlotSet("handoff_reason", NOT_UNDERSTOOD), FollowupAction("action_hand_over")]
