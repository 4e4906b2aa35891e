"""The foundation's promise, end to end: ask the running bot for a balance over REST."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from babel.numbers import format_currency

pytestmark = pytest.mark.stack


LOCALES = {"en": "en_US", "es": "es_ES"}


def money(value: dict, language: str = "en") -> str:
    return format_currency(Decimal(value["amount"]), value["currency"], locale=LOCALES[language])


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def test_demo_customer_gets_their_seeded_balances(say, core_api):
    accounts = core_api.get("/v1/customers/CUST-0001/accounts").json()["accounts"]
    assert accounts, "the demo customer has accounts in the seed"

    answer = texts(say("CUST-0001", "what is my balance"))

    for account in accounts:
        assert account["nickname"] in answer
        assert money(account["available_balance"]) in answer


def test_customer_with_two_checking_accounts_is_asked_which(say, core_api):
    checking = core_api.get("/v1/customers/CUST-0002/accounts", params={"type": "checking"})
    checking_accounts = checking.json()["accounts"]
    assert len(checking_accounts) == 2

    replies = say("CUST-0002", "how much is in my checking account?")
    buttons = [button for reply in replies for button in reply.get("buttons", [])]
    assert len(buttons) == 2

    language = core_api.get("/v1/customers/CUST-0002").json()["language"]
    chosen = checking_accounts[1]
    chosen_button = next(b for b in buttons if chosen["id"] in b["payload"])
    answer = texts(say("CUST-0002", chosen_button["payload"]))
    assert chosen["nickname"] in answer
    assert money(chosen["available_balance"], language) in answer
    assert checking_accounts[0]["nickname"] not in answer


def test_unknown_sender_is_asked_to_sign_in_and_sees_no_account_data(say):
    answer = texts(say("someone-anonymous", "what is my balance"))
    assert any(words in answer.lower() for words in ("sign in", "log in", "verify"))
    assert "$" not in answer


def test_slow_core_banking_gets_an_apology_within_three_seconds(say, core_api):
    core_api.put("/admin/faults", json={"latency_ms": 8000, "error_rate": 0.0})
    started = time.monotonic()
    answer = texts(say("CUST-0001", "what's my savings balance"))
    elapsed = time.monotonic() - started
    assert "sorry" in answer.lower()
    assert elapsed < 3.0, f"apology took {elapsed:.1f} s"
