"""The web channel's wire format, as pure functions (docs/channels/web-and-mobile.md).

Conversation ids, what a client may put in a message, the ``Message`` the widget
renders, and the transcript rebuilt from a conversation's tracker events.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

MAX_MESSAGE_CHARS = 2_000
MAX_BODY_BYTES = 16_384  # a message, a visitor id and a little metadata fit many times over
MAX_CLIENT_FIELD_CHARS = 64
MAX_DISPLAY_TEXT_CHARS = 200
TRANSCRIPT_LIMIT = 100
CLIENT_METADATA_KEYS = ("locale", "client")
VISITOR_ID = re.compile(r"visitor-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class MessageInvalid(ValueError):
    """What the client sent is not a message we can take."""

    code = "message_invalid"

    def as_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": str(self)}}


class BodyInvalid(MessageInvalid):
    """The HTTP body is too large, not UTF-8, not JSON or not a JSON object."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def json_object(body: bytes | None, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The JSON object an HTTP body holds (an empty body is ``{}``), or ``BodyInvalid``."""
    if not body:
        return {}
    if len(body) > max_bytes:
        raise BodyInvalid("body_too_large", f"The body can be at most {max_bytes:,} bytes.", 413)
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BodyInvalid("invalid_encoding", "The body must be UTF-8 encoded JSON.") from None
    except (ValueError, RecursionError):
        raise BodyInvalid("invalid_json", "The body must be a JSON object.") from None
    if not isinstance(data, dict):
        raise BodyInvalid("invalid_json", "The body must be a JSON object.")
    return data


def _storable(text: str) -> bool:
    """Text every tracker store can keep: valid UTF-8 (no lone surrogates), no NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def customer_conversation_id(customer_id: str) -> str:
    """One conversation per customer, whatever the device: derived, not chosen by a client."""
    return "web-" + hashlib.sha256(customer_id.encode()).hexdigest()[:24]


def new_visitor_id() -> str:
    return f"visitor-{uuid.uuid4()}"


def visitor_conversation_id(claimed: object) -> str:
    """The visitor's own id when it is well formed, a fresh one otherwise."""
    if isinstance(claimed, str) and VISITOR_ID.fullmatch(claimed):
        return claimed
    return new_visitor_id()


def message_text(data: object) -> str:
    """The text of an incoming ``{"message": ...}``, or ``MessageInvalid``."""
    text = data.get("message") if isinstance(data, Mapping) else None
    if not isinstance(text, str) or not text.strip():
        raise MessageInvalid("Please type a message.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageInvalid(f"Messages can be at most {MAX_MESSAGE_CHARS:,} characters long.")
    if not _storable(text):
        raise MessageInvalid("Messages must be plain text.")
    return text.strip()


def client_metadata(data: object) -> dict[str, str]:
    """The few metadata keys a client may set; everything else (identity!) is dropped."""
    raw = data.get("metadata") if isinstance(data, Mapping) else None
    if not isinstance(raw, Mapping):
        return {}
    kept = {
        key: raw[key][:MAX_CLIENT_FIELD_CHARS]
        for key in CLIENT_METADATA_KEYS
        if isinstance(raw.get(key), str) and _storable(raw[key])
    }
    display = raw.get("display_text")
    if isinstance(display, str) and display.strip() and _storable(display):
        kept["display_text"] = display.strip()[:MAX_DISPLAY_TEXT_CHARS]
    return kept


def bot_message(response: Mapping[str, Any], message_id: str | None = None) -> dict[str, Any]:
    """A ``Message`` from one bot response (Rasa's ``text``/``buttons``/``image``/``custom``)."""
    message: dict[str, Any] = {
        "id": message_id or uuid.uuid4().hex,
        "sender": "bot",
        "text": response.get("text") or "",
        "timestamp": response.get("timestamp") or time.time(),
    }
    offered = response.get("buttons") or response.get("quick_replies") or []
    buttons = [
        {"title": str(button["title"]), "payload": str(button["payload"])}
        for button in (offered if isinstance(offered, list) else [])
        if isinstance(button, Mapping) and button.get("title") and button.get("payload")
    ]
    if buttons:
        message["buttons"] = buttons
    custom = response.get("custom")
    if isinstance(custom, Mapping):
        custom = dict(custom)
        agent = custom.pop("agent_name", None)
        if isinstance(agent, str) and agent.strip():  # a person from the bank (handoff)
            message["sender"], message["agent_name"] = "agent", agent.strip()[:64]
        custom.pop("handoff", None)
        if isinstance(custom.get("link"), str):
            message["link"] = custom.pop("link")
        if custom:
            message["custom"] = custom
    if response.get("image"):
        message["image"] = response["image"]
    return message


# Rasa's own intent for "a new conversation": action_session_start opens a new session
# (slots carried over by the domain's session_config). Not a customer utterance: it is not
# echoed to the customer's other devices, shown in the transcript, or answered.
SESSION_START = "/session_start"


def customer_message(
    text: str, metadata: Mapping[str, Any], timestamp: float, message_id: str | None = None
) -> dict[str, Any]:
    """A ``Message`` for what the customer said (a button shows its title, not its payload)."""
    display = metadata.get("display_text") if text.startswith("/") else None
    return {
        "id": message_id or uuid.uuid4().hex,
        "sender": "customer",
        "text": display if isinstance(display, str) and display else text,
        "timestamp": timestamp,
    }


def transcript(events: Iterable[Mapping[str, Any]], limit: int = TRANSCRIPT_LIMIT) -> list[dict]:
    """The conversation's last ``limit`` messages, from its tracker events (as dicts)."""
    messages: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        kind, timestamp = event.get("event"), float(event.get("timestamp") or 0.0)
        message_id = f"evt-{timestamp:.6f}-{index}"
        if kind == "user" and event.get("text") and event["text"] != SESSION_START:
            metadata = event.get("metadata") or {}
            messages.append(customer_message(event["text"], metadata, timestamp, message_id))
        elif kind == "bot" and (event.get("text") or event.get("data")):
            response = {**(event.get("data") or {}), "text": event.get("text")}
            response["timestamp"] = timestamp
            messages.append(bot_message(response, message_id))
    return messages[-limit:]
