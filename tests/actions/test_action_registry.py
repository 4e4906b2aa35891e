"""The action server registers every custom action the domain names, and nothing else."""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"


def domain_custom_actions() -> set[str]:
    names: set[str] = set()
    for path in DOMAIN_DIR.glob("*.yml"):
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names.update(a for a in domain.get("actions", []) if not a.startswith("utter_"))
        names.update(f"validate_{form}" for form in domain.get("forms", {}) or {})
    return names


def test_every_domain_action_is_served_by_the_actions_package() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")  # what `rasa run actions` does; raises on a bad class
    registered = set(executor.actions)
    assert domain_custom_actions() <= registered
