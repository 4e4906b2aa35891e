"""What the NLU pipeline read in a message, as the dialogue keeps it: sentiment and language.

Pure functions on the parse data that bot.components.sentiment and bot.components.language
add, with no Rasa import: bot.components.message_signals turns them into slot events, the
handoff policy counts the same streak, and the action server validates profile values
against the same labels and languages.

- ``sentiment`` / ``sentiment_score``: the message's label and its probability;
  ``negative_turns`` counts consecutive negative messages (0 after any other).
- ``language``: the detected language when the detector is sure of it; a short or
  uncertain message ("ok", "123") keeps the conversation's language, and a conversation
  (a session) that has none yet starts in the app's locale when we support it (the
  channel's ``locale`` metadata, e.g. ``es-MX``), else in the default language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SENTIMENT_LABELS = ("negative", "neutral", "positive")
DEFAULT_LANGUAGE = "en"
SUPPORTED_LANGUAGES = ("en", "es")


def sentiment_label(parse: Mapping[str, Any]) -> str | None:
    """The message's sentiment label; None when it carries none (a button, a replayed story)."""
    sentiment = parse.get("sentiment")
    label = sentiment.get("label") if isinstance(sentiment, Mapping) else None
    return label if label in SENTIMENT_LABELS else None


def negative_streak(parse: Mapping[str, Any], previous: Any) -> float | None:
    """Consecutive negative messages including this one; None when it carries no sentiment."""
    label = sentiment_label(parse)
    if label is None:
        return None
    if label != "negative":
        return 0.0
    return float((previous if isinstance(previous, int | float) else 0) + 1)


def signal_slots(
    parse: Mapping[str, Any], slots: Mapping[str, Any], locale: Any = None
) -> dict[str, Any]:
    """The signal slots that change with this message, and their new values."""
    changes: dict[str, Any] = {}
    streak = negative_streak(parse, slots.get("negative_turns"))
    if streak is not None:
        sentiment = parse["sentiment"]
        changes["sentiment"] = sentiment["label"]
        changes["sentiment_score"] = float(sentiment.get("score") or 0.0)
        changes["negative_turns"] = streak
    current = slots.get("language")
    detected = parse.get("language")
    if (
        isinstance(detected, Mapping)
        and detected.get("reliable")
        and detected.get("language") in SUPPORTED_LANGUAGES
    ):
        language = detected["language"]
    elif current in SUPPORTED_LANGUAGES:
        language = current
    else:
        language = _locale_language(locale) or DEFAULT_LANGUAGE
    if language != current:
        changes["language"] = language
    return changes


def _locale_language(locale: Any) -> str | None:
    """``es`` from ``es-MX`` / ``es_MX`` / ``es``, when we support it."""
    if not isinstance(locale, str):
        return None
    language = locale.strip().replace("_", "-").split("-")[0].lower()
    return language if language in SUPPORTED_LANGUAGES else None
