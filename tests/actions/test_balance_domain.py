"""The responses action_check_balance dispatches exist in the domain with the variables it fills."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from actions import balance

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"

# response name -> template variables the action passes with it
DISPATCHED = {
    balance.UTTER_UNAUTHENTICATED: set(),
    balance.UTTER_NO_ACCOUNT: {"account_type_label"},
    balance.UTTER_WHICH_ACCOUNT: {"account_type_label"},
    balance.UTTER_UNAVAILABLE: set(),
}


def domain_responses() -> dict[str, list[dict]]:
    responses: dict[str, list[dict]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        responses.update((yaml.safe_load(path.read_text()) or {}).get("responses") or {})
    return responses


@pytest.mark.skipif(not DOMAIN_DIR.is_dir(), reason="bot/domain not present")
@pytest.mark.parametrize("name", sorted(DISPATCHED))
def test_response_is_defined_with_only_variables_the_action_fills(name: str) -> None:
    variants = domain_responses().get(name)
    assert variants, f"{name} is dispatched by action_check_balance but not in bot/domain"
    for variant in variants:
        used = set(re.findall(r"{(\w+)}", variant.get("text", "")))
        assert used <= DISPATCHED[name], f"{name} uses {used - DISPATCHED[name]}"
