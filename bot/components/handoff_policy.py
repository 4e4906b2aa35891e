"""A dialogue policy for the one handoff trigger no single message carries: a customer
who stays upset (docs/handoff.md, reason ``negative_sentiment``).

Right after a user message, when the customer's streak of negative messages in this
session (read from the messages' sentiment, as bot.signals counts the ``negative_turns``
slot; a message without a sentiment, e.g. a button, neither counts nor breaks it) reaches
``negative_turns_to_hand_over``,
it predicts ``action_hand_over`` with full confidence and records the reason in the
``handoff_reason`` slot. It fires once per streak: the count has to fall back to 0
(a calmer message) before it can fire again. Its priority is above RulePolicy's, so
it wins when both are sure. After ``action_hand_over`` it predicts ``action_listen``
(whoever triggered the handoff); it is silent (all zeros) otherwise.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import InvalidConfigException

from bot.signals import sentiment_label

HAND_OVER = "action_hand_over"
REASON = "negative_sentiment"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class NegativeSentimentHandoffPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 7, "negative_turns_to_hand_over": 3}

    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        threshold = config.get("negative_turns_to_hand_over")
        if not isinstance(threshold, int) or not 1 <= threshold <= 20:
            raise InvalidConfigException(
                "NegativeSentimentHandoffPolicy: negative_turns_to_hand_over must be a whole "
                f"number from 1 to 20, got {threshold!r}"
            )
        self.threshold = threshold

    def train(self, training_trackers: list, domain: Domain, **kwargs: Any) -> Resource:
        if HAND_OVER not in domain.action_names_or_texts:
            raise InvalidConfigException(
                f"NegativeSentimentHandoffPolicy needs the action {HAND_OVER} in the domain"
            )
        with self._model_storage.write_to(self._resource) as path:
            (path / "handoff_policy.json").write_text(json.dumps({"threshold": self.threshold}))
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if tracker.latest_action_name == HAND_OVER:  # then wait: a person or the customer speaks
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities)
        if self.should_hand_over(tracker):
            probabilities[domain.index_for_action(HAND_OVER)] = 1.0
            return self._prediction(probabilities, events=[SlotSet("handoff_reason", REASON)])
        return self._prediction(probabilities)

    def should_hand_over(self, tracker: DialogueStateTracker) -> bool:
        if tracker.latest_action_name != ACTION_LISTEN_NAME or tracker.is_paused():
            return False
        return negative_streak_of(tracker) == self.threshold


def negative_streak_of(tracker: DialogueStateTracker) -> int:
    """The session's latest messages that were negative, in a row."""
    latest = tracker.latest_message
    if latest is None or sentiment_label(latest.parse_data) is None:
        # The latest message has no sentiment (a button; or a story replayed by Rasa's
        # conversation tests, whose turns carry intents and slot events only): the
        # negative_turns slot, which such a message leaves as it was, stands.
        slot = tracker.get_slot("negative_turns")
        return int(slot) if isinstance(slot, int | float) else 0
    streak = 0
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if not isinstance(event, UserUttered):
            continue
        label = sentiment_label(event.parse_data)
        if label is None:  # no sentiment: neither counts nor breaks the streak
            continue
        if label != "negative":
            break
        streak += 1
    return streak
