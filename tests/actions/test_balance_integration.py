"""The live_client and ActionCheckBalance against the real core_mock app over HTTP.

core_mock runs in uvicorn on a free loopback port (a background thread) over a
temporary SQLite database seeded with the deterministic demo data. Expected values
come from the API itself, never from numbers pasted here.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import settings as action_settings
from actions.balance import ActionCheckBalance
from actions.clients import core_banking
from actions.clients.core_banking import CoreBankingClient
from actions.clients.errors import CoreBankingUnauthorized, NotFound, Rejected
from actions.clients.models import Account
from actions.money import format_money, locale_for

API_KEY = "integration-test-key"
REPLY_BUDGET_SECONDS = 3.0  # the customer hears an apology within 3 s when core is slow


@pytest.fixture
def action(live_client, core_settings) -> ActionCheckBalance:
    return ActionCheckBalance(client=live_client, settings=core_settings)


async def ask(action, tracker) -> tuple[dict, list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    return message, events


def assert_line_matches_api(text: str, account: Account, locale: str) -> None:
    [line] = [line for line in text.splitlines() if account.masked_number in line]
    assert account.nickname in line
    if account.type == "credit_card":
        assert f"you owe {format_money(account.ledger_balance, locale)}" in line
        assert f"available credit {format_money(account.available_balance, locale)}" in line
        assert f"of your {format_money(account.credit_limit, locale)} limit" in line
        return
    assert f"{format_money(account.available_balance, locale)} available" in line
    if account.ledger_balance != account.available_balance:
        assert f"ledger balance {format_money(account.ledger_balance, locale)}" in line
    else:
        assert "ledger" not in line


# -- the live_client against the real API ----------------------------------------------------


async def test_client_reads_demo_customer(live_client) -> None:
    alice = await live_client.get_customer("CUST-0001")
    assert (alice.preferred_name, alice.language) == ("Ali", "en")
    accounts = await live_client.list_accounts("CUST-0001")
    assert sorted(a.type for a in accounts) == ["checking", "credit_card", "savings"]
    card = next(a for a in accounts if a.type == "credit_card")
    assert card.credit_limit is not None and card.credit_limit.amount == Decimal("5000.00")
    assert all(isinstance(a.available_balance.amount, Decimal) for a in accounts)
    savings = await live_client.list_accounts("CUST-0001", account_type="savings")
    assert [a.type for a in savings] == ["savings"]
    assert await live_client.get_account("CUST-0001", savings[0].id) == savings[0]


async def test_client_maps_real_errors(live_client, core_settings) -> None:
    bruno_account = (await live_client.list_accounts("CUST-0002"))[0]
    with pytest.raises(NotFound) as caught:
        await live_client.get_account("CUST-0001", bruno_account.id)
    assert caught.value.code == "account_not_found"
    with pytest.raises(NotFound):
        await live_client.get_customer("CUST-9999")
    with pytest.raises(Rejected) as rejected:
        await live_client.list_accounts("CUST-0001", account_type="boat")
    assert (rejected.value.status_code, rejected.value.code) == (422, "invalid_request")
    async with CoreBankingClient(core_settings.core_banking_url, "wrong-key-123") as wrong:
        with pytest.raises(CoreBankingUnauthorized):
            await wrong.get_customer("CUST-0001")


# -- the action against the real API -------------------------------------------------------


@pytest.mark.parametrize("customer_id", ["CUST-0001", "CUST-0002", "CUST-0003", "CUST-0004"])
async def test_demo_customers_get_their_real_balances(
    action, live_client, make_tracker, customer_id
) -> None:
    message, events = await ask(action, make_tracker(sender_id=customer_id))
    customer = await live_client.get_customer(customer_id)
    accounts = [a for a in await live_client.list_accounts(customer_id) if a.status != "closed"]
    assert accounts
    for account in accounts:
        assert_line_matches_api(message["text"], account, locale_for(customer.language))
    assert events == [SlotSet("account_id", None)]


async def test_card_owed_and_available_credit(action, live_client, make_tracker) -> None:
    tracker = make_tracker(sender_id="CUST-0003", entities={"account_type": "credit_card"})
    message, _ = await ask(action, tracker)
    [card] = await live_client.list_accounts("CUST-0003", account_type="credit_card")
    assert card.ledger_balance.amount > Decimal("4000")  # high utilisation, per the seed
    assert message["text"].count("\n") == 0
    assert_line_matches_api(message["text"], card, "en_US")


async def test_two_checking_accounts_asks_which_then_answers(action, live_client, make_tracker):
    asked = make_tracker(
        sender_id="CUST-0002",
        entities={"account_type": "checking"},
        slots={"account_type": "checking"},
    )
    message, events = await ask(action, asked)
    checking = await live_client.list_accounts("CUST-0002", account_type="checking")
    assert len(checking) == 2
    assert message["response"] == "utter_balance_which_account"
    assert sorted(b["payload"] for b in message["buttons"]) == sorted(
        f'/select_account{{"account_id":"{a.id}"}}' for a in checking
    )
    euro = next(a for a in checking if a.currency == "EUR")
    [button] = [b for b in message["buttons"] if euro.id in b["payload"]]
    assert button["title"] == f"{euro.nickname} {euro.masked_number}"

    chosen = make_tracker(
        sender_id="CUST-0002",
        intent="select_account",
        entities={"account_id": euro.id},
        slots={"account_type": "checking", "account_id": euro.id},
    )
    message, events = await ask(action, chosen)
    assert message["text"].count("\n") == 0
    assert_line_matches_api(message["text"], euro, "es_ES")
    assert "€" in message["text"]
    assert events == [SlotSet("account_id", None)]


async def test_another_customers_account_is_refused(action, live_client, make_tracker) -> None:
    brunos = (await live_client.list_accounts("CUST-0002"))[0]
    tracker = make_tracker(
        sender_id="CUST-0001", intent="select_account", slots={"account_id": brunos.id}
    )
    message, _ = await ask(action, tracker)
    assert message["response"] == "utter_balance_no_account"
    assert message["text"] is None
    assert brunos.nickname not in str(message)


async def test_student_without_savings(action, make_tracker) -> None:
    tracker = make_tracker(sender_id="CUST-0004", entities={"account_type": "savings"})
    message, _ = await ask(action, tracker)
    assert message["response"] == "utter_balance_no_account"
    assert message["account_type_label"] == "savings account"


async def test_slow_core_gets_an_apology_within_three_seconds(action, faults, make_tracker):
    faults(latency_ms=5000)
    started = time.monotonic()
    message, events = await ask(action, make_tracker(sender_id="CUST-0001"))
    elapsed = time.monotonic() - started
    assert message["response"] == "utter_core_banking_unavailable"
    assert elapsed < REPLY_BUDGET_SECONDS
    assert events == [SlotSet("account_id", None)]


async def test_failing_core_gets_an_apology(action, faults, make_tracker) -> None:
    faults(error_rate=1.0)
    message, _ = await ask(action, make_tracker(sender_id="CUST-0001"))
    assert message["response"] == "utter_core_banking_unavailable"


async def test_default_wiring_reads_env_and_shares_one_client(
    live_core_url, monkeypatch, make_tracker
) -> None:
    """As under ``rasa run actions``: no injection, settings from env, one shared live_client."""
    monkeypatch.setenv("CORE_BANKING_URL", live_core_url)
    monkeypatch.setenv("CORE_BANKING_API_KEY", API_KEY)
    action_settings.get_settings.cache_clear()
    monkeypatch.setattr(core_banking, "_shared", None)
    try:
        action = ActionCheckBalance()
        first, _ = await ask(action, make_tracker(sender_id="CUST-0004"))
        shared = core_banking._shared
        second, _ = await ask(action, make_tracker(sender_id="CUST-0001"))
        assert "Student Checking" in first["text"]
        assert "Rainy Day Savings" in second["text"]
        assert shared is not None and core_banking._shared is shared
    finally:
        await core_banking.close_shared_core_banking_client()
        action_settings.get_settings.cache_clear()
