"""The offer engine: which single offer (or nudge) to show now, and why the others were not.

Pure: no I/O. ``decide`` takes a ``CustomerSnapshot`` (core-banking data only; no
protected attributes exist in it), a ``ProfileContext`` (consent, sentiment,
complaints, earlier offer decisions) and the time, and returns one decision per
eligible rule, every one with its reasons, so the caller can write all of them to
the audit log.

Suppression rules, applied to every eligible offer in this fixed order (all that
apply are recorded, the first is the main reason):

1. ``no_consent``: the customer has not opted in to personalised offers;
2. ``negative_sentiment``: the latest message was negative (or a negative streak);
3. ``open_complaint``: a complaint interaction with outcome ``open`` in the last 30 days;
4. ``cooling_off``: the same offer was shown within the last 14 days;
5. ``declined_before``: the customer declined the same offer within the last 90 days.
   (90 days rather than "ever": circumstances change, and a decline is respected for
   a full quarter; change ``DECLINE_SUPPRESSION`` to tighten it.)

Of the offers left, the first in ``RULES`` order is ``shown``; the rest are
suppressed with ``lower_priority``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from actions.offers.rules import RULES, Evidence, OfferRule
from actions.offers.snapshot import CustomerSnapshot
from actions.stores.profile_records import Interaction, OfferDecision

COOLING_OFF = timedelta(days=14)
DECLINE_SUPPRESSION = timedelta(days=90)
COMPLAINT_LOOKBACK = timedelta(days=30)

SUPPRESSION_ORDER = (
    "no_consent",
    "negative_sentiment",
    "open_complaint",
    "cooling_off",
    "declined_before",
)
LOWER_PRIORITY = "lower_priority"

# Profile data each suppression check reads (names only, for the audit log).
SUPPRESSION_DATA = (
    "consents.personalised_offers",
    "conversation.sentiment",
    "interactions.topic",
    "interactions.outcome",
    "offer_decisions.decision",
)


@dataclass(frozen=True)
class ProfileContext:
    consented: bool
    sentiment: str | None = None
    negative_turns: int = 0
    interactions: tuple[Interaction, ...] = ()
    offer_history: tuple[OfferDecision, ...] = ()


@dataclass(frozen=True)
class Decision:
    offer_code: str
    kind: str
    decision: str  # "shown" or "suppressed"
    reasons: tuple[str, ...]
    data_used: tuple[str, ...]
    evidence: Evidence


@dataclass(frozen=True)
class Outcome:
    shown: Decision | None
    decisions: tuple[Decision, ...]


def has_open_complaint(context: ProfileContext, now: datetime) -> bool:
    return any(
        i.topic == "complaint" and i.outcome == "open" and now - i.occurred_at <= COMPLAINT_LOOKBACK
        for i in context.interactions
    )


def _recent(
    context: ProfileContext, code: str, decision: str, window: timedelta, now: datetime
) -> bool:
    return any(
        d.offer_code == code and d.decision == decision and now - d.created_at <= window
        for d in context.offer_history
    )


def suppression_reasons(code: str, context: ProfileContext, now: datetime) -> tuple[str, ...]:
    """Every suppression rule that applies to offer ``code``, in ``SUPPRESSION_ORDER``."""
    applies = {
        "no_consent": not context.consented,
        "negative_sentiment": context.sentiment == "negative" or context.negative_turns >= 1,
        "open_complaint": has_open_complaint(context, now),
        "cooling_off": _recent(context, code, "shown", COOLING_OFF, now),
        "declined_before": _recent(context, code, "declined", DECLINE_SUPPRESSION, now),
    }
    return tuple(reason for reason in SUPPRESSION_ORDER if applies[reason])


def decide(
    snapshot: CustomerSnapshot,
    context: ProfileContext,
    now: datetime,
    rules: Sequence[OfferRule] = RULES,
) -> Outcome:
    """At most one offer to show, and a decision (with reasons) for every eligible rule."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    decisions: list[Decision] = []
    shown: Decision | None = None
    for rule in rules:
        evidence = rule.eligible(snapshot, now)
        if evidence is None:
            continue
        reasons = suppression_reasons(rule.code, context, now)
        if not reasons and shown is not None:
            reasons = (LOWER_PRIORITY,)
        data_used = tuple(dict.fromkeys(evidence.data_used + SUPPRESSION_DATA))
        decision = Decision(
            offer_code=rule.code,
            kind=rule.kind,
            decision="suppressed" if reasons else "shown",
            reasons=reasons or evidence.reasons,
            data_used=data_used,
            evidence=evidence,
        )
        if not reasons:
            shown = decision
        decisions.append(decision)
    return Outcome(shown=shown, decisions=tuple(decisions))
