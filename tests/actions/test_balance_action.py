"""ActionCheckBalance end to end over the real client, with a fake core behind httpx.

Real rasa-sdk Tracker and CollectingDispatcher; the core answers via MockTransport.
(The same flows against the real core_mock app: test_balance_integration.py.)
"""

from __future__ import annotations

import dataclasses
import logging

import httpx
import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.balance import ActionCheckBalance
from tests.actions.action_factories import account_payload, customer_payload

RESET_ACCOUNT_ID = [SlotSet("account_id", None)]


@pytest.fixture
def bank(fake_core):
    """Alice: checking (with pending), savings, card. Bruno: two checking + savings."""
    fake_core.add_customer(
        customer_payload("CUST-0001"),
        [
            account_payload("ACC-00000011", available="1400.00", ledger="1523.40"),
            account_payload(
                "ACC-00000012",
                type="savings",
                nickname="Rainy Day Savings",
                masked_number="••••2222",
                available="8000.00",
            ),
            account_payload(
                "ACC-00000013",
                type="credit_card",
                nickname="Cashback Visa",
                masked_number="••••3333",
                available="3700.00",
                ledger="1250.00",
                credit_limit="5000.00",
            ),
        ],
    )
    fake_core.add_customer(
        customer_payload("CUST-0002", language="es"),
        [
            account_payload(
                "ACC-00000021",
                customer_id="CUST-0002",
                nickname="Household Checking",
                masked_number="••••4444",
            ),
            account_payload(
                "ACC-00000022",
                customer_id="CUST-0002",
                nickname="Euro Checking",
                masked_number="••••5555",
                currency="EUR",
                available="900.00",
            ),
            account_payload(
                "ACC-00000023",
                customer_id="CUST-0002",
                type="savings",
                nickname="Ahorro",
                masked_number="••••6666",
            ),
        ],
    )
    return fake_core


async def run_action(action, tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    return dispatcher.messages, events


@pytest.fixture
def action(fake_client, settings):
    return ActionCheckBalance(client=fake_client, settings=settings)


def test_action_name() -> None:
    assert ActionCheckBalance().name() == "action_check_balance"


async def test_all_accounts_one_line_each(action, bank, make_tracker, domain) -> None:
    [message], events = await run_action(action, make_tracker(), domain)
    lines = message["text"].splitlines()
    assert lines[0] == "Here are your balances, Ali:"  # core banking's preferred name
    assert lines[1:] == [
        "- Everyday Checking ••••1234: $1,400.00 available (ledger balance $1,523.40; "
        "the difference is pending transactions)",
        "- Rainy Day Savings ••••2222: $8,000.00 available",
        "- Cashback Visa ••••3333: you owe $1,250.00; available credit $3,700.00 "
        "of your $5,000.00 limit",
    ]
    assert events == RESET_ACCOUNT_ID


async def test_one_type_asked(action, bank, make_tracker, domain) -> None:
    tracker = make_tracker(entities={"account_type": "savings"}, slots={"account_type": "savings"})
    [message], _ = await run_action(action, tracker, domain)
    assert message["text"] == "Here you go, Ali: Rainy Day Savings ••••2222: $8,000.00 available."


async def test_several_of_a_type_asks_which_with_buttons(action, bank, make_tracker, domain):
    tracker = make_tracker(
        sender_id="CUST-0002",
        entities={"account_type": "checking"},
        slots={"account_type": "checking"},
    )
    [message], events = await run_action(action, tracker, domain)
    assert message["response"] == "utter_balance_which_account"
    assert message["account_type_label"] == "checking account"
    assert message["buttons"] == [
        {
            "title": "Euro Checking ••••5555",
            "payload": '/select_account{"account_id":"ACC-00000022"}',
        },
        {
            "title": "Household Checking ••••4444",
            "payload": '/select_account{"account_id":"ACC-00000021"}',
        },
    ]
    assert events == RESET_ACCOUNT_ID  # keeps account_type as asked


async def test_chosen_account_answers_in_the_customer_locale(action, bank, make_tracker, domain):
    tracker = make_tracker(
        sender_id="CUST-0002",
        intent="select_account",
        entities={"account_id": "ACC-00000022"},
        slots={"account_type": "checking", "account_id": "ACC-00000022"},
    )
    [message], events = await run_action(action, tracker, domain)
    assert message["text"] == "Here you go, Ali: Euro Checking ••••5555: 900,00\xa0€ available."
    assert events == RESET_ACCOUNT_ID


async def test_someone_elses_account_is_refused(action, bank, make_tracker, domain) -> None:
    tracker = make_tracker(
        sender_id="CUST-0001",
        intent="select_account",
        slots={"account_id": "ACC-00000022"},  # Bruno's
    )
    [message], events = await run_action(action, tracker, domain)
    assert message["response"] == "utter_balance_no_account"
    assert message["account_type_label"] == "matching account"
    assert message["text"] is None
    assert events == RESET_ACCOUNT_ID


async def test_malformed_account_id_never_reaches_core(action, bank, make_tracker, domain):
    tracker = make_tracker(intent="select_account", slots={"account_id": "../CUST-0002"})
    [message], _ = await run_action(action, tracker, domain)
    assert message["response"] == "utter_balance_no_account"
    assert not any("accounts/" in r.url.path for r in bank.requests)


async def test_no_account_of_that_type(action, bank, make_tracker, domain) -> None:
    tracker = make_tracker(
        sender_id="CUST-0002",
        entities={"account_type": "credit_card"},
    )
    [message], _ = await run_action(action, tracker, domain)
    assert message["response"] == "utter_balance_no_account"
    assert message["account_type_label"] == "credit card"


async def test_unidentified_user_gets_no_data(action, bank, make_tracker, domain) -> None:
    [message], events = await run_action(action, make_tracker(sender_id="anonymous"), domain)
    assert message["response"] == "utter_balance_unauthenticated"
    assert bank.requests == []
    assert events == RESET_ACCOUNT_ID


async def test_sender_fallback_disabled(fake_client, settings, bank, make_tracker, domain):
    strict = dataclasses.replace(settings, identity_from_sender_id=False)
    action = ActionCheckBalance(client=fake_client, settings=strict)
    anonymous = make_tracker(sender_id="CUST-0001", metadata={"auth": "anonymous"})
    [message], _ = await run_action(action, anonymous, domain)
    assert message["response"] == "utter_balance_unauthenticated"


async def test_spoofed_metadata_from_the_plain_rest_channel_is_ignored(
    fake_client, settings, bank, make_tracker, domain
):
    strict = dataclasses.replace(settings, identity_from_sender_id=False)
    action = ActionCheckBalance(client=fake_client, settings=strict)
    spoofed = make_tracker(
        sender_id="x", metadata={"customer_id": "CUST-0002"}, input_channel="rest"
    )
    [message], _ = await run_action(action, spoofed, domain)
    assert message["response"] == "utter_balance_unauthenticated"
    assert bank.requests == []


async def test_metadata_identity_wins(action, bank, make_tracker, domain) -> None:
    tracker = make_tracker(sender_id="CUST-0001", metadata={"customer_id": "CUST-0002"})
    [message], _ = await run_action(action, tracker, domain)
    assert "Household Checking" in message["text"]
    assert "Everyday Checking" not in message["text"]


async def test_customer_unknown_to_core_is_unauthenticated(action, bank, make_tracker, domain):
    [message], _ = await run_action(action, make_tracker(sender_id="CUST-9999"), domain)
    assert message["response"] == "utter_balance_unauthenticated"


@pytest.mark.parametrize("status", [503, 500, 401, 422])
async def test_core_failures_apologise(action, bank, make_tracker, domain, status) -> None:
    bank.failure = httpx.Response(status, json={"error": {"code": "x", "message": "y"}})
    [message], events = await run_action(action, make_tracker(), domain)
    assert message["response"] == "utter_core_banking_unavailable"
    assert events == RESET_ACCOUNT_ID


async def test_logs_name_events_and_ids_but_no_money_or_numbers(
    action, bank, make_tracker, domain, caplog
) -> None:
    caplog.set_level(logging.DEBUG, logger="actions")
    await run_action(action, make_tracker(), domain)
    await run_action(
        action, make_tracker(sender_id="CUST-0002", entities={"account_type": "checking"}), domain
    )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "balance.answered customer=CUST-0001 type=- accounts=3" in logged
    assert "balance.which_account customer=CUST-0002 type=checking" in logged
    for secret in ("1,400", "1400", "8000", "••••", "2222", "ACC-"):
        assert secret not in logged


# -- personalised from the profile store ----------------------------------------------


async def test_greets_by_the_name_in_the_profile(
    fake_client, settings, profile_store, bank, make_tracker, domain
):
    await profile_store.update_preferences("CUST-0001", preferred_name="Allie")
    action = ActionCheckBalance(client=fake_client, settings=settings, store=profile_store)
    [message], _ = await run_action(action, make_tracker(), domain)
    assert message["text"].splitlines()[0] == "Here are your balances, Allie:"


async def test_remembers_the_account_type_asked_last_time(
    fake_client, settings, profile_store, bank, make_tracker, domain
):
    action = ActionCheckBalance(client=fake_client, settings=settings, store=profile_store)
    asked = make_tracker(
        entities={"account_type": "credit_card"}, slots={"account_type": "credit_card"}
    )
    await run_action(action, asked, domain)
    assert await profile_store.recall("CUST-0001", "last_account_type") == "credit_card"

    [message], _ = await run_action(action, make_tracker(), domain)
    lines = message["text"].splitlines()
    assert lines[1].startswith("- Cashback Visa")  # last time's account comes first
    assert len(lines) == 4  # and every account is still there


async def test_a_profile_store_that_is_down_still_gets_a_balance(
    fake_client, settings, bank, make_tracker, domain, tmp_path
):
    from actions.stores.profile_store import ProfileStore

    broken = ProfileStore(f"sqlite:///{tmp_path / 'missing-dir' / 'x' / 'profiles.sqlite3'}")
    broken.close()
    (tmp_path / "missing-dir").write_text("a file where the directory should be")
    action = ActionCheckBalance(client=fake_client, settings=settings, store=broken)
    [message], _ = await run_action(action, make_tracker(), domain)
    assert message["text"].splitlines()[0] == "Here are your balances, Ali:"
