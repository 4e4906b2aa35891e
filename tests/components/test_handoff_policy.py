"""NegativeSentimentHandoffPolicy: hands over once per streak of negative messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ConversationPaused,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import InvalidConfigException

from bot.components.handoff_policy import NegativeSentimentHandoffPolicy

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "bot" / "domain"))


def make_policy(tmp_path: Path, **config) -> NegativeSentimentHandoffPolicy:
    return NegativeSentimentHandoffPolicy.create(
        {**NegativeSentimentHandoffPolicy.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("handoff_policy"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def said(label: str | None) -> UserUttered:
    parse = {} if label is None else {"sentiment": {"label": label, "score": 0.9}}
    return UserUttered(
        "this is useless", {"name": "complaint", "confidence": 0.9}, parse_data=parse
    )


def tracker_after(labels: list[str], *, paused: bool = False) -> DialogueStateTracker:
    """Messages with these sentiments (None: a button, no sentiment), answered in turn, with
    the slot as MessageSignalsPolicy keeps it (the handoff policy reads the messages)."""
    events: list = [ActionExecuted(ACTION_LISTEN_NAME)]
    streak = 0.0
    for label in labels[:-1]:
        if label is not None:
            streak = streak + 1 if label == "negative" else 0.0
        events += [said(label), SlotSet("negative_turns", streak), ActionExecuted("utter_x")]
        events.append(ActionExecuted(ACTION_LISTEN_NAME))
    events.append(said(labels[-1]))
    if paused:
        events.insert(1, ConversationPaused())
    return DialogueStateTracker.from_events("c1", events, slots=DOMAIN.slots)


NEGATIVE = "negative"


def hand_over_confidence(policy, tracker) -> float:
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    return prediction.probabilities[DOMAIN.index_for_action("action_hand_over")]


def test_the_third_negative_message_in_a_row_hands_over(tmp_path) -> None:
    policy = make_policy(tmp_path)
    prediction = policy.predict_action_probabilities(tracker_after([NEGATIVE] * 3), DOMAIN)
    assert prediction.max_confidence == 1.0
    assert prediction.probabilities[DOMAIN.index_for_action("action_hand_over")] == 1.0
    assert prediction.events == [SlotSet("handoff_reason", "negative_sentiment")]
    assert prediction.policy_priority == 7


@pytest.mark.parametrize(
    "labels",
    [
        ["neutral"],
        [NEGATIVE],
        [NEGATIVE] * 2,
        [NEGATIVE] * 4,
        [NEGATIVE] * 5,
        [NEGATIVE, NEGATIVE, "neutral", NEGATIVE],
        [NEGATIVE, NEGATIVE, "positive"],
    ],
)
def test_otherwise_silent_and_once_per_streak(tmp_path, labels) -> None:
    assert hand_over_confidence(make_policy(tmp_path), tracker_after(labels)) == 0.0


def test_a_button_press_neither_counts_nor_breaks_the_streak(tmp_path) -> None:
    tracker = tracker_after([NEGATIVE, None, NEGATIVE, NEGATIVE])
    assert hand_over_confidence(make_policy(tmp_path), tracker) == 1.0


def test_a_new_session_starts_a_new_streak(tmp_path) -> None:
    tracker = tracker_after([NEGATIVE, NEGATIVE])
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    tracker.update(said(NEGATIVE))
    assert hand_over_confidence(make_policy(tmp_path), tracker) == 0.0


def test_threshold_is_configurable(tmp_path) -> None:
    policy = make_policy(tmp_path, negative_turns_to_hand_over=2)
    assert hand_over_confidence(policy, tracker_after([NEGATIVE] * 2)) == 1.0


def test_not_while_paused_and_listens_after_handing_over(tmp_path) -> None:
    policy = make_policy(tmp_path)
    assert hand_over_confidence(policy, tracker_after([NEGATIVE] * 3, paused=True)) == 0.0
    after_action = tracker_after([NEGATIVE] * 3)
    after_action.update(ActionExecuted("action_hand_over"))
    prediction = policy.predict_action_probabilities(after_action, DOMAIN)
    assert prediction.probabilities[DOMAIN.index_for_action(ACTION_LISTEN_NAME)] == 1.0
    assert hand_over_confidence(policy, after_action) == 0.0


@pytest.mark.parametrize("threshold", [0, 21, "3", 2.5])
def test_bad_threshold_is_refused(tmp_path, threshold) -> None:
    with pytest.raises(InvalidConfigException, match="negative_turns_to_hand_over"):
        make_policy(tmp_path, negative_turns_to_hand_over=threshold)


def test_trains_against_a_domain_with_the_action(tmp_path) -> None:
    policy = make_policy(tmp_path)
    assert policy.train([], DOMAIN) == Resource("handoff_policy")
    with pytest.raises(InvalidConfigException, match="action_hand_over"):
        policy.train([], Domain.empty())


def test_a_replayed_story_is_read_from_its_slot(tmp_path) -> None:
    """Rasa's conversation tests replay intents and slot events, without the pipeline's
    sentiment: the negative_turns slot set after the message stands for it."""
    tracker = tracker_after([None])
    tracker.update(SlotSet("negative_turns", 3.0))
    assert hand_over_confidence(make_policy(tmp_path), tracker) == 1.0
