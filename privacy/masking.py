"""Mask personal data in serialised Rasa events, by the policy (pure functions).

Works on the dicts of ``Event.as_dict()``: what the tracker store writes and the event
broker publishes. Returns new dicts; never changes its input.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from privacy.policy import PrivacyPolicy
from privacy.redact import label, redact, redact_message

SLOT_MASK = label("slot")
ENTITY_MASK = label("entity")
MESSAGE_MASK = label("message")


def mask_user_text(text: Any, policy: PrivacyPolicy) -> Any:
    if not isinstance(text, str) or policy.user_text == "keep":
        return text
    return MESSAGE_MASK if policy.user_text == "drop" else redact_message(text)


def mask_entities(entities: Any, policy: PrivacyPolicy) -> Any:
    if policy.entities == "keep" or not isinstance(entities, list):
        return entities
    masked = []
    for entity in entities:
        if isinstance(entity, dict):
            entity = {**entity, "value": ENTITY_MASK}
            if "text" in entity:
                entity["text"] = ENTITY_MASK
        masked.append(entity)
    return masked


def redact_strings(value: Any) -> Any:
    """Every string inside a JSON-like value, redacted (channel metadata, bot data)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: redact_strings(item) for key, item in value.items()}
    return value


def mask_event(event: dict[str, Any], policy: PrivacyPolicy) -> dict[str, Any]:
    """One event as it may be stored or published.

    A new dict; what it changes is rebuilt, what it keeps is shared with ``event`` (which
    is never changed): no deep copy of every event on every save.
    """
    masked = dict(event)
    kind = masked.get("event")
    if kind == "user":
        masked["text"] = mask_user_text(masked.get("text"), policy)
        parse_data = masked.get("parse_data")
        if isinstance(parse_data, dict):
            masked["parse_data"] = {
                **parse_data,
                "text": mask_user_text(parse_data.get("text"), policy),
                "entities": mask_entities(parse_data.get("entities"), policy),
            }
        if "entities" in masked:
            masked["entities"] = mask_entities(masked["entities"], policy)
    elif kind == "bot":
        masked["text"] = redact_strings(masked.get("text"))
        masked["data"] = redact_strings(masked.get("data"))
    elif kind == "slot" and masked.get("name") in policy.personal_slots:
        if masked.get("value") is not None:
            masked["value"] = SLOT_MASK
    if "metadata" in masked:
        masked["metadata"] = redact_strings(masked["metadata"])
    return masked


def mask_events(events: Iterable[dict[str, Any]], policy: PrivacyPolicy) -> list[dict[str, Any]]:
    return [mask_event(event, policy) for event in events]
