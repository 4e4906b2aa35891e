"""The mobile contract's example client (scripts/chat_client.py) against the real stack."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency

pytestmark = pytest.mark.stack
ROOT = Path(__file__).resolve().parents[2]


def chat(stack_config, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/chat_client.py", "--server", stack_config.rasa_url, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_signed_in_through_the_demo_login_the_client_hears_the_balance(stack_config, core_api):
    done = chat(stack_config, "--demo-customer", "CUST-0004", "-m", "what's my balance")
    assert done.returncode == 0, done.stderr
    assert "[connected: signed in" in done.stdout
    [account] = core_api.get("/v1/customers/CUST-0004/accounts").json()["accounts"]
    amount = account["available_balance"]
    expected = format_currency(Decimal(amount["amount"]), amount["currency"], locale="en_US")
    assert expected in done.stdout


def test_a_forged_token_is_refused(stack_config) -> None:
    done = chat(stack_config, "--token", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl", "-m", "balance")
    assert done.returncode == 1
    assert "token_invalid_signature" in done.stderr
    assert "$" not in done.stdout


def test_anonymous_visitors_get_general_answers_only(stack_config) -> None:
    done = chat(stack_config, "-m", "what's my balance")
    assert done.returncode == 0, done.stderr
    assert "anonymous visitor" in done.stdout
    assert "$" not in done.stdout
