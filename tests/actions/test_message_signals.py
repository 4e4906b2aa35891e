"""action_track_message_signals: sentiment and language slots from the parse data."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.message_signals import ActionTrackMessageSignals


def tracker_with(parse: dict[str, Any], **slots: Any) -> Tracker:
    return Tracker(
        sender_id="web-1",
        slots=slots,
        latest_message={"text": "x", "intent": {"name": "greet"}, "entities": [], **parse},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def sentiment(label: str, score: float = 0.9) -> dict[str, Any]:
    return {"sentiment": {"label": label, "score": score, "scores": {label: score}}}


def language(code: str | None, reliable: bool) -> dict[str, Any]:
    return {"language": {"language": code, "confidence": 0.9, "reliable": reliable}}


async def run(tracker: Tracker) -> dict[str, Any]:
    events = await ActionTrackMessageSignals().run(CollectingDispatcher(), tracker, {})
    assert all(isinstance(event, dict) and event["event"] == "slot" for event in events)
    return {event["name"]: event["value"] for event in events}


async def test_sets_sentiment_label_and_score() -> None:
    slots = await run(tracker_with(sentiment("positive", 0.81)))
    assert slots["sentiment"] == "positive"
    assert slots["sentiment_score"] == pytest.approx(0.81)


async def test_counts_consecutive_negative_messages_and_resets() -> None:
    first = await run(tracker_with(sentiment("negative")))
    third = await run(tracker_with(sentiment("negative"), negative_turns=2.0))
    calm = await run(tracker_with(sentiment("neutral"), negative_turns=3.0))
    assert (first["negative_turns"], third["negative_turns"], calm["negative_turns"]) == (1, 3, 0)


async def test_reliable_detection_switches_the_language() -> None:
    slots = await run(tracker_with(language("es", reliable=True), language="en"))
    assert slots["language"] == "es"


async def test_uncertain_message_keeps_the_conversation_language() -> None:
    slots = await run(tracker_with(language("en", reliable=False), language="es"))
    assert "language" not in slots


async def test_first_uncertain_message_starts_in_the_default_language() -> None:
    slots = await run(tracker_with(language(None, reliable=False)))
    assert slots["language"] == "en"


async def test_unsupported_language_is_never_set() -> None:
    slots = await run(tracker_with(language("fr", reliable=True), language="es"))
    assert "language" not in slots


async def test_message_without_signals_only_defaults_the_language() -> None:
    assert await run(tracker_with({})) == {"language": "en"}
