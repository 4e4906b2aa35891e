"""Who is the customer in this conversation? The single place that decides it.

Rule (team contract): the ``customer_id`` in the latest user message's metadata,
which an authenticated channel sets; otherwise, only when IDENTITY_FROM_SENDER_ID
allows it (development and demos), the conversation's sender id if it looks like
a customer id; otherwise nobody.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.settings import Settings, get_settings

CUSTOMER_ID_PATTERN = re.compile(r"CUST-\d{4,}")


def customer_id_for(tracker: Tracker, settings: Settings | None = None) -> str | None:
    settings = settings or get_settings()
    claimed = latest_user_metadata(tracker).get("customer_id")
    if isinstance(claimed, str) and claimed.strip():
        return claimed.strip()
    sender_id = tracker.sender_id or ""
    if settings.identity_from_sender_id and CUSTOMER_ID_PATTERN.fullmatch(sender_id):
        return sender_id
    return None


def latest_user_metadata(tracker: Tracker) -> dict[str, Any]:
    """Metadata of the latest user message (from ``latest_message`` or the event log)."""
    metadata = (tracker.latest_message or {}).get("metadata")
    if isinstance(metadata, dict) and metadata:
        return metadata
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            found = event.get("metadata")
            return found if isinstance(found, dict) else {}
    return {}
