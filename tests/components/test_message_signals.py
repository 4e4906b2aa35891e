"""bot.signals and MessageSignalsPolicy: sentiment and language slots from the parse data,
set inside Rasa right after each user message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import InvalidConfigException

from bot.components.message_signals import MessageSignalsPolicy
from bot.signals import signal_slots

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "bot" / "domain"))


def sentiment(label: str, score: float = 0.9) -> dict[str, Any]:
    return {"sentiment": {"label": label, "score": score, "scores": {label: score}}}


def language(code: str | None, reliable: bool) -> dict[str, Any]:
    return {"language": {"language": code, "confidence": 0.9, "reliable": reliable}}


# ---- bot.signals: the values ---------------------------------------------------------


def test_sets_sentiment_label_and_score() -> None:
    slots = signal_slots(sentiment("positive", 0.81), {"language": "en"})
    assert slots["sentiment"] == "positive"
    assert slots["sentiment_score"] == pytest.approx(0.81)


def test_counts_consecutive_negative_messages_and_resets() -> None:
    first = signal_slots(sentiment("negative"), {})
    third = signal_slots(sentiment("negative"), {"negative_turns": 2.0})
    calm = signal_slots(sentiment("neutral"), {"negative_turns": 3.0})
    assert (first["negative_turns"], third["negative_turns"], calm["negative_turns"]) == (1, 3, 0)


def test_reliable_detection_switches_the_language() -> None:
    assert signal_slots(language("es", reliable=True), {"language": "en"})["language"] == "es"


def test_uncertain_message_keeps_the_conversation_language() -> None:
    assert "language" not in signal_slots(language("en", reliable=False), {"language": "es"})


def test_first_uncertain_message_starts_in_the_default_language() -> None:
    assert signal_slots(language(None, reliable=False), {})["language"] == "en"


@pytest.mark.parametrize(
    ("locale", "expected"), [("es-MX", "es"), ("es_ES", "es"), ("EN", "en"), ("fr-FR", "en")]
)
def test_a_new_session_starts_in_the_apps_locale_when_supported(locale, expected) -> None:
    assert signal_slots(language("en", reliable=False), {}, locale)["language"] == expected


def test_the_sessions_language_wins_over_the_locale() -> None:
    assert "language" not in signal_slots({}, {"language": "en"}, "es-MX")


def test_unsupported_language_is_never_set() -> None:
    assert "language" not in signal_slots(language("fr", reliable=True), {"language": "es"})


@pytest.mark.parametrize("odd", [{"sentiment": "negative"}, {"sentiment": {"label": "angry"}}])
def test_a_message_without_usable_signals_only_defaults_the_language(odd) -> None:
    assert signal_slots(odd, {}) == {"language": "en"}
    assert signal_slots({}, {"language": "es"}) == {}


# ---- MessageSignalsPolicy: the events, inside Rasa -----------------------------------


def make_policy(tmp_path: Path) -> MessageSignalsPolicy:
    return MessageSignalsPolicy.create(
        MessageSignalsPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("message_signals"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def after_message(
    parse: dict[str, Any], *events: Any, metadata: dict | None = None
) -> DialogueStateTracker:
    message = UserUttered(
        "hola, necesito ayuda", {"name": "greet"}, parse_data=parse, metadata=metadata
    )
    return DialogueStateTracker.from_events(
        "c1", [ActionExecuted(ACTION_LISTEN_NAME), *events, message], slots=DOMAIN.slots
    )


def test_right_after_a_message_it_sets_the_slots_and_predicts_nothing(tmp_path) -> None:
    tracker = after_message({**sentiment("negative"), **language("es", reliable=True)})
    prediction = make_policy(tmp_path).predict_action_probabilities(tracker, DOMAIN)
    assert prediction.max_confidence == 0.0  # never picks an action
    assert prediction.events == [
        SlotSet("sentiment", "negative"),
        SlotSet("sentiment_score", 0.9),
        SlotSet("negative_turns", 1.0),
        SlotSet("language", "es"),
    ]


def test_the_apps_locale_starts_the_session_language(tmp_path) -> None:
    tracker = after_message(language("en", reliable=False), metadata={"locale": "es-MX"})
    prediction = make_policy(tmp_path).predict_action_probabilities(tracker, DOMAIN)
    assert prediction.events == [SlotSet("language", "es")]


def test_after_an_action_it_sets_nothing(tmp_path) -> None:
    tracker = after_message(sentiment("negative"))
    tracker.update(ActionExecuted("utter_greet"))
    prediction = make_policy(tmp_path).predict_action_probabilities(tracker, DOMAIN)
    assert prediction.events == []


def test_needs_the_slots_in_the_domain(tmp_path) -> None:
    make_policy(tmp_path).train([], DOMAIN)
    with pytest.raises(InvalidConfigException, match="negative_turns"):
        make_policy(tmp_path).train([], Domain.empty())
