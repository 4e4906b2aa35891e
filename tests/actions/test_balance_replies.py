"""Pure reply builders of the balance flow: wording, buttons and which reply is chosen."""

from __future__ import annotations

import json

import pytest

from actions.balance import (
    BalanceRequest,
    account_type_label,
    balance_text,
    compose_reply,
    describe_account,
    normalise_account_type,
    requested_account_type,
    select_account_payload,
    which_account_buttons,
)
from actions.clients.models import Account, Customer
from tests.actions.action_factories import account_payload, customer_payload


def account(**overrides) -> Account:
    return Account.parse_obj(account_payload(**overrides))


ALICE = Customer.parse_obj(customer_payload("CUST-0001", language="en"))
BRUNO = Customer.parse_obj(customer_payload("CUST-0002", language="es"))


def test_deposit_account_with_no_pending_shows_one_amount() -> None:
    line = describe_account(account(available="1523.40"))
    assert line == "Everyday Checking ••••1234: $1,523.40 available"


def test_deposit_account_shows_ledger_when_it_differs() -> None:
    line = describe_account(account(available="1400.00", ledger="1523.40"))
    assert line == (
        "Everyday Checking ••••1234: $1,400.00 available "
        "(ledger balance $1,523.40; the difference is pending transactions)"
    )


def test_credit_card_shows_owed_available_credit_and_limit() -> None:
    card = account(
        type="credit_card",
        nickname="Cashback Visa",
        masked_number="••••9876",
        available="370.00",
        ledger="4600.00",
        credit_limit="5000.00",
    )
    assert describe_account(card) == (
        "Cashback Visa ••••9876: you owe $4,600.00; available credit $370.00 "
        "of your $5,000.00 limit"
    )


def test_credit_card_in_credit_and_at_zero() -> None:
    in_credit = account(type="credit_card", available="5020.00", ledger="-20.00")
    assert "you have a credit balance of $20.00" in describe_account(in_credit)
    settled = account(type="credit_card", available="5000.00", ledger="0.00")
    assert "nothing owed" in describe_account(settled)


def test_amounts_use_the_account_currency_and_customer_locale() -> None:
    euro = account(currency="EUR", available="2500.50", nickname="Euro Checking")
    assert describe_account(euro, "es_ES").endswith("2.500,50\xa0€ available")
    assert describe_account(euro, "en_US").endswith("€2,500.50 available")


def test_frozen_accounts_say_so() -> None:
    assert "(frozen)" in describe_account(account(status="frozen"))


def test_balance_text_one_line_or_a_list() -> None:
    one = balance_text([account()])
    assert one == "Everyday Checking ••••1234: $1,523.40 available."
    many = balance_text([account(), account(account_id="ACC-2", nickname="Rainy Day Savings")])
    assert many.splitlines()[0] == "Here are your balances:"
    assert len(many.splitlines()) == 3


def test_select_account_payload_is_the_contract_format() -> None:
    payload = select_account_payload("ACC-00001234")
    assert payload == '/select_account{"account_id":"ACC-00001234"}'
    assert json.loads(payload.removeprefix("/select_account")) == {"account_id": "ACC-00001234"}


def test_which_account_buttons_title_nickname_and_mask() -> None:
    buttons = which_account_buttons(
        [account(account_id="ACC-1", nickname="Household Checking", masked_number="••••1111")]
    )
    assert buttons == [
        {
            "title": "Household Checking ••••1111",
            "payload": '/select_account{"account_id":"ACC-1"}',
        }
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("savings", "savings"),
        ("Credit Card", "credit_card"),
        ("credit-card", "credit_card"),
        ("", None),
        (None, None),
    ],
)
def test_normalise_account_type(value, expected) -> None:
    assert normalise_account_type(value) == expected


def test_account_type_labels() -> None:
    assert account_type_label("savings") == "savings account"
    assert account_type_label("credit_card") == "credit card"
    assert account_type_label("investment") == "investment account"


def test_compose_all_accounts_sorted_and_closed_ones_hidden() -> None:
    accounts = [
        account(account_id="ACC-3", type="credit_card", nickname="Visa", credit_limit="10.00"),
        account(account_id="ACC-2", type="savings", nickname="Savings"),
        account(account_id="ACC-4", nickname="Old Checking", status="closed"),
        account(account_id="ACC-1", nickname="Checking"),
    ]
    reply = compose_reply(BalanceRequest("CUST-0001"), ALICE, accounts)
    assert reply.response is None and reply.account_count == 3
    lines = reply.text.splitlines()[1:]
    assert [line.split(" ")[1] for line in lines] == ["Checking", "Savings", "Visa"]
    assert "Old Checking" not in reply.text


def test_compose_several_of_the_asked_type_asks_which() -> None:
    accounts = [
        account(account_id="ACC-1", nickname="Household Checking"),
        account(account_id="ACC-2", nickname="Euro Checking", currency="EUR"),
        account(account_id="ACC-3", type="savings"),
    ]
    reply = compose_reply(BalanceRequest("CUST-0002", account_type="checking"), BRUNO, accounts)
    assert reply.response == "utter_balance_which_account"
    assert reply.variables == {"account_type_label": "checking account"}
    assert [b["payload"] for b in reply.buttons] == [
        '/select_account{"account_id":"ACC-2"}',
        '/select_account{"account_id":"ACC-1"}',
    ]
    assert reply.text is None


def test_compose_no_account_of_the_asked_type() -> None:
    reply = compose_reply(BalanceRequest("CUST-0004", account_type="savings"), ALICE, [account()])
    assert reply.response == "utter_balance_no_account"
    assert reply.variables == {"account_type_label": "savings account"}


def test_compose_chosen_account_answers_even_with_a_type_asked() -> None:
    chosen = account(account_id="ACC-2", nickname="Euro Checking", currency="EUR")
    request = BalanceRequest("CUST-0002", account_type="checking", account_id="ACC-2")
    reply = compose_reply(request, BRUNO, [chosen])
    assert reply.text == "Euro Checking ••••1234: 1.523,40\xa0€ available."


def test_compose_chosen_closed_account_is_not_shown() -> None:
    request = BalanceRequest("CUST-0001", account_id="ACC-9")
    reply = compose_reply(request, ALICE, [account(account_id="ACC-9", status="closed")])
    assert reply.response == "utter_balance_no_account"
    assert reply.variables == {"account_type_label": "matching account"}


def test_requested_type_comes_from_this_message(make_tracker) -> None:
    tracker = make_tracker(entities={"account_type": "savings"}, slots={"account_type": "savings"})
    assert requested_account_type(tracker) == "savings"


def test_plain_balance_question_ignores_an_earlier_type(make_tracker) -> None:
    tracker = make_tracker(slots={"account_type": "savings"})
    assert requested_account_type(tracker) is None


def test_account_choice_keeps_the_type_asked_before(make_tracker) -> None:
    tracker = make_tracker(
        intent="select_account",
        entities={"account_id": "ACC-1"},
        slots={"account_type": "checking", "account_id": "ACC-1"},
    )
    assert requested_account_type(tracker) == "checking"
