"""Wording for offers: template variables from terms, and "why am I seeing this?".

Pure functions; the actions dispatch domain responses by name
(``utter_offer_<code>``, ``utter_offer_explanation`` …) with these variables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from actions.offers.rules import Evidence, OfferRule, money_text

MONEY_TERMS = frozenset({"amount", "monthly_payment", "fee", "monthly_amount", "this_month"})

DATA_LABELS = {
    "accounts.type": "which kinds of account you hold",
    "accounts.ledger_balance": "your account balances",
    "accounts.credit_limit": "your credit limit",
    "transactions.category": "the categories of your recent transactions",
    "transactions.amount": "the amounts of your recent transactions",
    "transactions.created_at": "the dates of your recent transactions",
    "applications.product": "the products you have applied for",
    "applications.status": "the status of your applications",
    "applications.missing_documents": "the documents your application is waiting for",
    "applications.updated_at": "when your application last changed",
    "consents.personalised_offers": "your consent to personalised offers",
    "conversation.sentiment": "the tone of this conversation",
    "interactions.topic": "whether you have an open complaint",
    "interactions.outcome": "whether you have an open complaint",
    "offer_decisions.decision": "offers you were shown or declined before",
}

NOT_USED = (
    "We never use your age, gender, nationality or other personal characteristics. "
    "You can withdraw your consent to personalised offers at any time."
)


def offer_response(code: str) -> str:
    return f"utter_offer_{code}"


def accepted_response(code: str) -> str:
    return f"utter_offer_accepted_{code}"


def offer_variables(terms: Mapping[str, Decimal | int | str]) -> dict[str, str]:
    """Template variables: money formatted with its currency, everything else as text."""
    currency = str(terms.get("currency", ""))
    variables = {}
    for name, value in terms.items():
        if name in MONEY_TERMS and isinstance(value, Decimal):
            variables[name] = money_text(value, currency)
        else:
            variables[name] = str(value)
    return variables


def data_used_text(fields: Iterable[str]) -> str:
    labels = list(dict.fromkeys(DATA_LABELS.get(f, f.replace("_", " ")) for f in fields))
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def explanation_text(rule: OfferRule, evidence: Evidence | None, data_used: Iterable[str]) -> str:
    """Why this offer: the facts (when still true), the rule, and the data looked at."""
    parts = []
    if evidence is not None:
        parts.append(f"You're seeing this because {'; and '.join(evidence.facts)}.")
    parts.append(f"The rule: {rule.description}.")
    used = data_used_text(data_used)
    if used:
        parts.append(f"To decide, we looked at {used}.")
    parts.append(NOT_USED)
    return " ".join(parts)
