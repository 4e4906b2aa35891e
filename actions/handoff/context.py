"""What the agent sees when taking over: built from the tracker and core banking.

Only what an agent may see: the customer's name, products (type, name, masked
number; no balances) and open applications, plus the conversation itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from actions.clients.core_banking import CoreBankingClient
from actions.clients.errors import CoreBankingError

logger = logging.getLogger(__name__)

TRANSCRIPT_LIMIT = 50
CLOSED_APPLICATION_STATUSES = frozenset({"approved", "declined", "withdrawn", "completed"})
_SKIPPED_ACTIONS = frozenset(
    {
        "action_listen",
        "action_session_start",
        "action_extract_slots",
        "action_track_message_signals",  # in conversations from before bot/signals.py
    }
)


def conversation_context(events: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Transcript, intents with entities, sentiment trend and the bot's actions, in order."""
    transcript: list[dict[str, Any]] = []
    intents: list[dict[str, Any]] = []
    sentiment: list[dict[str, Any]] = []
    bot_actions: list[str] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            transcript.append(_line("customer", event))
            intent = parse.get("intent") or {}
            intents.append(
                {
                    "intent": intent.get("name"),
                    "confidence": round(float(intent.get("confidence") or 0.0), 3),
                    "entities": [
                        {"entity": e.get("entity"), "value": e.get("value")}
                        for e in parse.get("entities") or []
                    ],
                }
            )
            if isinstance(parse.get("sentiment"), Mapping):
                sentiment.append(_sentiment(parse["sentiment"]))
        elif kind == "bot" and event.get("text"):
            transcript.append(_line("bot", event))
        elif kind == "action" and event.get("name") not in _SKIPPED_ACTIONS:
            bot_actions.append(str(event.get("name")))
    return {
        "transcript": transcript[-TRANSCRIPT_LIMIT:],
        "intents": intents[-TRANSCRIPT_LIMIT:],
        "sentiment": sentiment[-TRANSCRIPT_LIMIT:],
        "bot_actions": bot_actions[-TRANSCRIPT_LIMIT:],
    }


async def customer_summary(client: CoreBankingClient, customer_id: str) -> dict[str, Any] | None:
    """Name, products and open applications; ``None`` if core banking cannot say."""
    try:
        customer, accounts, applications = await asyncio.gather(
            client.get_customer(customer_id),
            client.list_accounts(customer_id),
            client.list_applications(customer_id),
        )
    except CoreBankingError as error:
        logger.warning("handoff.context.customer_unavailable error=%s", type(error).__name__)
        return None
    return {
        "name": f"{customer.first_name} {customer.last_name}",
        "preferred_name": customer.preferred_name,
        "segment": customer.segment,
        "language": customer.language,
        "products": [
            {"type": account.type, "name": account.nickname, "masked_number": account.masked_number}
            for account in accounts
            if not account.is_closed
        ],
        "open_applications": [
            {"reference": app.reference, "product": app.product, "status": app.status}
            for app in applications
            if app.status not in CLOSED_APPLICATION_STATUSES
        ],
    }


def summary_line(reason: str, intents: list[dict[str, Any]]) -> str:
    """One sentence for the queue: why, and what the customer asked about last."""
    asked = [i["intent"] for i in intents if i.get("intent") not in (None, "nlu_fallback")]
    topic = asked[-1].replace("_", " ") if asked else "nothing the bot understood"
    return f"{reason.replace('_', ' ').capitalize()}; last topic: {topic}."


def _line(sender: str, event: Mapping[str, Any]) -> dict[str, Any]:
    return {"sender": sender, "text": event.get("text") or "", "timestamp": event.get("timestamp")}


def _sentiment(value: Mapping[str, Any]) -> dict[str, Any]:
    return {"label": value.get("label"), "score": value.get("score")}
