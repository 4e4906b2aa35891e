"""The personal-data policy (``bot/privacy.yml``), validated when it is loaded.

A bad key or value fails with a message naming it, before any conversation is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_POLICY_FILE = Path(__file__).resolve().parent.parent / "bot" / "privacy.yml"
USER_TEXT_MODES = ("redact", "drop", "keep")
ENTITY_MODES = ("mask", "keep")
KEYS = {
    "version",
    "user_text",
    "entities",
    "personal_slots",
    "keep_during_form",
    "retention_days",
}


class PolicyError(ValueError):
    """The privacy policy file is missing a key or has a bad value."""


@dataclass(frozen=True)
class PrivacyPolicy:
    user_text: str = "redact"
    entities: str = "mask"
    personal_slots: frozenset[str] = frozenset()
    keep_during_form: Mapping[str, frozenset[str]] = field(default_factory=dict)
    retention_days: int = 90

    def kept_slots(self, active_form: str | None) -> frozenset[str]:
        """The personal slots whose real values the active form still needs."""
        if not active_form:
            return frozenset()
        return self.keep_during_form.get(active_form, frozenset())


def load_policy(path: str | Path = DEFAULT_POLICY_FILE) -> PrivacyPolicy:
    try:
        raw = yaml.safe_load(Path(path).read_text()) or {}
    except OSError as exc:
        raise PolicyError(f"privacy policy {path}: cannot read it ({exc})") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"privacy policy {path}: expected a mapping of settings")
    return policy_from_dict(raw, source=str(path))


def policy_from_dict(raw: Mapping[str, Any], source: str = "privacy policy") -> PrivacyPolicy:
    unknown = set(raw) - KEYS
    if unknown:
        raise PolicyError(f"{source}: unknown key {sorted(unknown)[0]!r}")
    user_text = _choice(raw, "user_text", USER_TEXT_MODES, source)
    entities = _choice(raw, "entities", ENTITY_MODES, source)
    slots = _names(raw.get("personal_slots", []), "personal_slots", source)
    forms_raw = raw.get("keep_during_form", {}) or {}
    if not isinstance(forms_raw, dict):
        raise PolicyError(f"{source}: keep_during_form must map a form to its slots")
    forms = {
        str(form): _names(names, f"keep_during_form.{form}", source)
        for form, names in forms_raw.items()
    }
    for form, names in forms.items():
        if not names <= slots:
            extra = sorted(names - slots)[0]
            raise PolicyError(
                f"{source}: keep_during_form.{form} names {extra!r}, not a personal_slot"
            )
    days = raw.get("retention_days", 90)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise PolicyError(f"{source}: retention_days must be a whole number of days >= 1")
    return PrivacyPolicy(user_text, entities, slots, forms, days)


def _choice(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...], source: str) -> str:
    value = raw.get(key, allowed[0])
    if value not in allowed:
        raise PolicyError(f"{source}: {key} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def _names(value: Any, key: str, source: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PolicyError(f"{source}: {key} must be a list of slot names")
    return frozenset(value)
