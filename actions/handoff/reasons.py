"""Why the bot hands over, and how urgent it is (docs/handoff.md, section 1)."""

from __future__ import annotations

from rasa_sdk import Tracker

CUSTOMER_REQUEST = "customer_request"
NEGATIVE_SENTIMENT = "negative_sentiment"
NOT_UNDERSTOOD = "not_understood"
SENSITIVE_TOPIC = "sensitive_topic"
CONTACT_CHANGE_LOCKED = "contact_change_locked"
AGENT_FOLLOW_UP = "agent_follow_up"

REASONS = (
    CUSTOMER_REQUEST,
    NEGATIVE_SENTIMENT,
    NOT_UNDERSTOOD,
    SENSITIVE_TOPIC,
    CONTACT_CHANGE_LOCKED,
    AGENT_FOLLOW_UP,
)
SENSITIVE_INTENTS = frozenset({"report_fraud", "lost_or_stolen_card", "bereavement", "complaint"})
FOLLOW_UP_INTENTS = frozenset({"dispute_transaction", "account_blocked"})

_BASE_PRIORITY = {
    CONTACT_CHANGE_LOCKED: 80,
    NEGATIVE_SENTIMENT: 60,
    NOT_UNDERSTOOD: 40,
    CUSTOMER_REQUEST: 30,
    AGENT_FOLLOW_UP: 50,
}
_INTENT_PRIORITY = {
    "report_fraud": 90,
    "lost_or_stolen_card": 90,
    "bereavement": 70,
    "complaint": 60,
}


def handoff_reason(tracker: Tracker) -> str:
    """The reason a trigger recorded in the ``handoff_reason`` slot, else the latest intent's."""
    recorded = tracker.get_slot("handoff_reason")
    if recorded in REASONS:
        return str(recorded)
    intent = latest_intent(tracker)
    if intent in SENSITIVE_INTENTS:
        return SENSITIVE_TOPIC
    if intent in FOLLOW_UP_INTENTS:
        return AGENT_FOLLOW_UP
    return CUSTOMER_REQUEST


def priority(reason: str, intent: str | None, negative: bool, signed_in: bool) -> int:
    """0-100, higher first: the topic's urgency, plus 10 for an upset signed-in customer."""
    base = _INTENT_PRIORITY.get(intent or "", 0) if reason == SENSITIVE_TOPIC else 0
    base = base or _BASE_PRIORITY.get(reason, 30)
    return min(100, base + (10 if negative and signed_in else 0))


def latest_intent(tracker: Tracker) -> str | None:
    name = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return str(name) if name else None
