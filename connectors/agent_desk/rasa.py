"""The desk's side of Rasa's HTTP API: events it posts and customer messages it reads.

Building events and reading a tracker are pure functions; ``RasaClient`` only moves
them over HTTP (every call has a timeout) and raises ``RasaUnavailable`` for any
failure, so callers can tell the agent instead of losing anything.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from connectors.handoff import TrackerMessage

logger = logging.getLogger(__name__)

# outcome code -> (slot value, sentence the customer reads when the bot is back)
OUTCOMES: dict[str, tuple[str, str]] = {
    "resolved": ("resolved by agent", "Our agent has resolved your request."),
    "follow_up": ("agent will follow up", "Our team will follow up with you."),
    "referred": ("referred to another team", "Your request has been passed to the right team."),
    "no_reply": ("customer did not reply", "The chat with our agent has ended."),
}


class RasaUnavailable(Exception):
    """Rasa could not be reached or refused the call."""


def agent_reply_events(text: str, agent_name: str) -> list[dict[str, Any]]:
    return [{"event": "bot", "text": text, "data": {"custom": {"agent_name": agent_name}}}]


def close_events(outcome: str) -> list[dict[str, Any]]:
    """Slot, resume, the bot's "you're back" message and ``action_listen``, in that order.

    Rasa logs no ``action_listen`` after the action that paused the conversation; without
    one the policies see no listening turn before the customer's next message and predict
    no answer to it.
    """
    slot_value, sentence = OUTCOMES[outcome]
    return [
        {"event": "slot", "name": "handoff_outcome", "value": slot_value},
        {"event": "resume"},
        {
            "event": "bot",
            "text": (
                f"You're back with the assistant. {sentence} "
                "Is there anything else I can help with?"
            ),
            "data": {"custom": {"handoff": "closed"}},
        },
        {"event": "action", "name": "action_listen"},
    ]


def customer_messages(tracker: dict[str, Any], after: float) -> list[TrackerMessage]:
    """The tracker's ``user`` events with text, newer than the epoch timestamp ``after``."""
    found: list[TrackerMessage] = []
    for event in tracker.get("events") or []:
        if not isinstance(event, dict) or event.get("event") != "user":
            continue
        text, timestamp = event.get("text"), event.get("timestamp")
        if not isinstance(text, str) or not text.strip() or not isinstance(timestamp, int | float):
            continue
        if timestamp <= after:
            continue
        external_id = event.get("message_id") or f"ts:{timestamp!r}"
        found.append(TrackerMessage(str(external_id), float(timestamp), text))
    return found


class RasaClient:
    """Posts events to and reads trackers from the Rasa server at ``base_url``."""

    def __init__(
        self, base_url: str, token: str | None, timeout: float, *, client: httpx.AsyncClient
    ) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._client = client

    async def post_events(
        self, conversation_id: str, channel: str, events: list[dict[str, Any]]
    ) -> None:
        params = {"output_channel": channel, "execute_side_effects": "true"}
        await self._call("POST", f"/conversations/{conversation_id}/tracker/events", params, events)

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        body = await self._call("GET", f"/conversations/{conversation_id}/tracker", {}, None)
        return body if isinstance(body, dict) else {}

    async def _call(self, method: str, path: str, params: dict[str, str], body: Any) -> Any:
        if self._token:
            params = {**params, "token": self._token}
        try:
            response = await self._client.request(
                method, self._base + path, params=params, json=body, timeout=self._timeout
            )
        except httpx.HTTPError as exc:
            logger.warning("desk.rasa.unreachable method=%s error=%s", method, type(exc).__name__)
            raise RasaUnavailable("The assistant (Rasa) could not be reached.") from exc
        if response.status_code >= 300:
            logger.warning("desk.rasa.refused method=%s status=%s", method, response.status_code)
            raise RasaUnavailable(f"The assistant (Rasa) answered {response.status_code}.")
        return response.json() if response.content else None
