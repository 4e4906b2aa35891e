"""NegativeSentimentHandoffPolicy: hands over once per streak of negative messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ConversationPaused, SlotSet, UserUttered
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


def tracker_after(streaks: list[float], *, paused: bool = False) -> DialogueStateTracker:
    events = [ActionExecuted(ACTION_LISTEN_NAME)]
    for streak in streaks:
        events += [
            UserUttered("this is useless", {"name": "complaint", "confidence": 0.9}),
            SlotSet("negative_turns", streak),
        ]
    if paused:
        events.insert(1, ConversationPaused())
    return DialogueStateTracker.from_events("c1", events, slots=DOMAIN.slots)


def hand_over_confidence(policy, tracker) -> float:
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    return prediction.probabilities[DOMAIN.index_for_action("action_hand_over")]


def test_the_third_negative_message_in_a_row_hands_over(tmp_path) -> None:
    policy = make_policy(tmp_path)
    prediction = policy.predict_action_probabilities(tracker_after([1.0, 2.0, 3.0]), DOMAIN)
    assert prediction.max_confidence == 1.0
    assert prediction.probabilities[DOMAIN.index_for_action("action_hand_over")] == 1.0
    assert prediction.events == [SlotSet("handoff_reason", "negative_sentiment")]
    assert prediction.policy_priority == 7


@pytest.mark.parametrize("streak", [0.0, 1.0, 2.0, 4.0, 5.0])
def test_otherwise_silent_and_once_per_streak(tmp_path, streak) -> None:
    assert hand_over_confidence(make_policy(tmp_path), tracker_after([streak])) == 0.0


def test_threshold_is_configurable(tmp_path) -> None:
    policy = make_policy(tmp_path, negative_turns_to_hand_over=2)
    assert hand_over_confidence(policy, tracker_after([2.0])) == 1.0


def test_not_while_paused_and_listens_after_handing_over(tmp_path) -> None:
    policy = make_policy(tmp_path)
    assert hand_over_confidence(policy, tracker_after([3.0], paused=True)) == 0.0
    after_action = tracker_after([3.0])
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
