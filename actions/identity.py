"""Who is the customer in this conversation? The single place that decides it.

Rule (team contract, docs/channels/web-and-mobile.md): the ``customer_id`` in the
metadata of the latest user message, but only when that message came in through an
authenticated channel (``bank_web`` verified a bank-login token, ``bank_voice`` a
one-time code); anything a client could write itself (Rasa's plain REST channel, the
HTTP API) is never trusted. Otherwise, only when IDENTITY_FROM_SENDER_ID allows it
(local debugging, off by default), the sender id if it looks like a customer id;
otherwise nobody.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.settings import Settings, get_settings

CUSTOMER_ID_PATTERN = re.compile(r"CUST-\d{4,}")
AUTHENTICATED_CHANNELS = frozenset({"bank_web", "bank_voice"})


def customer_id_for(tracker: Tracker, settings: Settings | None = None) -> str | None:
    settings = settings or get_settings()
    event = latest_user_event(tracker)
    if event.get("input_channel") in AUTHENTICATED_CHANNELS:
        claimed = latest_user_metadata(tracker).get("customer_id")
        if isinstance(claimed, str) and CUSTOMER_ID_PATTERN.fullmatch(claimed.strip()):
            return claimed.strip()
    sender_id = tracker.sender_id or ""
    if settings.identity_from_sender_id and CUSTOMER_ID_PATTERN.fullmatch(sender_id):
        return sender_id
    return None


def latest_user_event(tracker: Tracker) -> dict[str, Any]:
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return event
    return {}


def latest_user_metadata(tracker: Tracker) -> dict[str, Any]:
    """Metadata of the latest user message (from ``latest_message`` or the event log)."""
    metadata = (tracker.latest_message or {}).get("metadata")
    if isinstance(metadata, dict) and metadata:
        return metadata
    found = latest_user_event(tracker).get("metadata")
    return found if isinstance(found, dict) else {}
