"""Slots from what the NLU pipeline read in each message: sentiment and language.

``action_track_message_signals`` is the custom slot-mapping action of the ``sentiment``,
``sentiment_score``, ``negative_turns`` and ``language`` slots (bot/domain/signals.yml),
so Rasa's ``action_extract_slots`` runs it after every user message. It reads the
parse data that bot.components.sentiment and bot.components.language added:

- ``sentiment`` / ``sentiment_score``: the message's label and its probability;
  ``negative_turns`` counts consecutive negative messages (0 after any other).
- ``language``: the detected language when the detector is sure of it; a short or
  uncertain message ("ok", "123") keeps the conversation's language, and a
  conversation that has none yet starts in the default language.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

SENTIMENT_LABELS = ("negative", "neutral", "positive")
DEFAULT_LANGUAGE = "en"
SUPPORTED_LANGUAGES = ("en", "es")


def sentiment_events(parse: dict[str, Any], negative_turns: float | None) -> list[EventType]:
    """Sentiment slots for one message; nothing when the message carries no sentiment."""
    sentiment = parse.get("sentiment")
    if not isinstance(sentiment, dict) or sentiment.get("label") not in SENTIMENT_LABELS:
        return []
    label = sentiment["label"]
    streak = (negative_turns or 0) + 1 if label == "negative" else 0
    return [
        SlotSet("sentiment", label),
        SlotSet("sentiment_score", float(sentiment.get("score") or 0.0)),
        SlotSet("negative_turns", float(streak)),
    ]


def language_events(parse: dict[str, Any], current: str | None) -> list[EventType]:
    """The language slot after one message: switch only on a reliable detection."""
    detected = parse.get("language")
    if (
        isinstance(detected, dict)
        and detected.get("reliable")
        and detected.get("language") in SUPPORTED_LANGUAGES
    ):
        language = detected["language"]
    else:
        language = current if current in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
    return [] if language == current else [SlotSet("language", language)]


class ActionTrackMessageSignals(Action):
    """Custom slot mapping: sentiment and language of the latest user message."""

    def name(self) -> str:
        return "action_track_message_signals"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        parse = tracker.latest_message or {}
        return [
            *sentiment_events(parse, tracker.get_slot("negative_turns")),
            *language_events(parse, tracker.get_slot("language")),
        ]
