"""``MessageSignalsPolicy``: the sentiment and language slots after each user message.

Right after a user message it predicts nothing (all zeros, so it never picks an action)
and returns the slot events of bot.signals as its prediction's ``events``, which Rasa's
policy ensemble applies to the tracker before the chosen action runs. The ``sentiment``,
``sentiment_score``, ``negative_turns`` and ``language`` slots (bot/domain/signals.yml)
are therefore set inside Rasa, from the parse data the pipeline added, without a call to
the action server on every message (a custom slot-mapping action did this before: 9% of
the Rasa server's CPU under load).
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import InvalidConfigException

from bot.signals import signal_slots

SIGNAL_SLOTS = ("sentiment", "sentiment_score", "negative_turns", "language")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class MessageSignalsPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 0}

    def train(self, training_trackers: list, domain: Domain, **kwargs: Any) -> Resource:
        missing = [slot for slot in SIGNAL_SLOTS if slot not in {s.name for s in domain.slots}]
        if missing:
            raise InvalidConfigException(
                f"MessageSignalsPolicy needs the slots {', '.join(missing)} in the domain"
            )
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if tracker.latest_action_name != ACTION_LISTEN_NAME or tracker.latest_message is None:
            return self._prediction(probabilities)
        message = tracker.latest_message
        slots = {name: tracker.get_slot(name) for name in SIGNAL_SLOTS}
        locale = (message.metadata or {}).get("locale")
        changes = signal_slots(message.parse_data, slots, locale)
        return self._prediction(
            probabilities, events=[SlotSet(name, value) for name, value in changes.items()]
        )
