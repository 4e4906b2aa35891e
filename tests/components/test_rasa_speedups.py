"""bot/rasa_speedups.py gives Rasa's answers, only sooner."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet, UserUttered, deserialise_events
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

import bot.components  # noqa: F401  (installs the speed-ups, as Rasa's model loading does)
from bot import rasa_speedups


def rasa_resolve(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    return rasa_speedups._original_resolve_by_type(type_name, default)


def test_installed_by_loading_the_components():
    assert Event.resolve_by_type is rasa_speedups.resolve_event_class
    rasa_speedups.install()  # idempotent
    assert Event.resolve_by_type is rasa_speedups.resolve_event_class


@pytest.mark.parametrize("type_name", sorted({c.type_name for c in all_subclasses(Event)}))
def test_every_event_type_resolves_to_rasas_class(type_name: str):
    assert Event.resolve_by_type(type_name) is rasa_resolve(type_name)
    assert Event.resolve_by_type(type_name) is rasa_resolve(type_name)  # remembered


def test_unknown_types_are_answered_as_rasa_answers_them():
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no-such-event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no-such-event'"):
        Event.resolve_by_type("no-such-event")


def test_events_round_trip():
    events = [UserUttered("hi", {"name": "greet", "confidence": 0.9}), SlotSet("language", "en")]
    assert deserialise_events([e.as_dict() for e in events]) == events


def action() -> RemoteAction:
    return RemoteAction("action_check_balance", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_a_valid_action_server_answer_passes():
    answer = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "ok"}]}
    assert action()._validate_action_result(answer) is True


@pytest.mark.parametrize(
    "answer",
    [
        {"events": "not a list"},
        {"events": [{"no": "event key"}]},
        {"events": [{"event": "slot", "timestamp": "yesterday"}]},
    ],
)
def test_an_invalid_action_server_answer_is_refused_with_rasas_message(answer: dict):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result(answer)
