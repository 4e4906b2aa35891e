"""Two hot spots of Rasa Open Source 3.6, replaced by equivalents that do the work once.

Profiling the Rasa server under the load benchmark (py-spy, one conversation; see
docs/production.md) put 25% of its CPU into finding an event's class and 17% into checking
a JSON schema that never changes:

- ``Event.resolve_by_type`` walks every subclass of ``Event`` (recursively, checking each
  for abstract methods) for *every* event it deserialises: each tracker load, each masked
  copy, each custom action's answer. The class of a type name is now looked up once per
  type name (same search, same first match) and remembered.
- ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which first
  validates Rasa's response schema against the draft 2020-12 meta-schema (14 ms on this
  machine) before validating the action server's answer (0.1 ms), twice a turn. The
  validator is now built once from the schema, which is checked once; an invalid answer
  still raises the same ``ValidationError`` with Rasa's message.

``install()`` is idempotent and refuses any Rasa other than 3.6.x, whose code these match.
``bot.components`` installs them, so every process that loads the model (the server,
``rasa test``, training) gets them.
"""

from __future__ import annotations

import logging
from typing import Any

import rasa
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

logger = logging.getLogger(__name__)

SUPPORTED_RASA = "3.6."
_installed = False
_event_classes: dict[str, type[Event]] = {}
_original_resolve_by_type = Event.resolve_by_type


def resolve_event_class(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """``Event.resolve_by_type`` with the class of each type name remembered."""
    known = _event_classes.get(type_name)
    if known is not None:
        return known
    for candidate in all_subclasses(Event):  # Rasa's search and order: the first match wins
        if candidate.type_name == type_name:
            _event_classes[type_name] = candidate
            return candidate
    return _original_resolve_by_type(type_name, default)  # Rasa's answer for the rest


def action_response_validator() -> Any:
    """Rasa's action-response schema, checked against its meta-schema once, as a validator."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(validator: Any) -> Any:
    """``RemoteAction._validate_action_result`` on a validator built beforehand."""

    def _validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise
        return True

    return _validate_action_result


def install() -> None:
    """Put the speed-ups in place (once); anything but Rasa 3.6 is left as it is."""
    global _installed
    if _installed:
        return
    if not rasa.__version__.startswith(SUPPORTED_RASA):
        logger.warning("rasa_speedups.skipped rasa=%s", rasa.__version__)
        return
    Event.resolve_by_type = staticmethod(resolve_event_class)
    RemoteAction._validate_action_result = validate_action_result(action_response_validator())
    _installed = True
