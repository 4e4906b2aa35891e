"""ActionTrackApplication against the real core_mock app over HTTP.

core_mock runs in uvicorn on a free loopback port (a background thread) over a
temporary SQLite database seeded with the deterministic demo data: CUST-0001 a
personal loan waiting for payslips, CUST-0002 (Spanish) a mortgage in review,
CUST-0003 an approved card and a declined loan, CUST-0004 nothing. Expected
wording is built from what the API returns, never from values pasted here.
"""

from __future__ import annotations

import time

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.applications import ActionTrackApplication, format_day
from actions.money import format_money

API_KEY = "integration-test-key"
REPLY_BUDGET_SECONDS = 3.0  # the customer hears an apology within 3 s when core is slow
CLEARED = [SlotSet("application_reference", None), SlotSet("application_type", None)]


@pytest.fixture
def action(live_client, core_settings) -> ActionTrackApplication:
    return ActionTrackApplication(client=live_client, settings=core_settings)


@pytest.fixture
def track(make_tracker):
    def build(sender_id: str, *, product=None, reference=None):
        slots = {"application_type": product, "application_reference": reference}
        return make_tracker(
            sender_id=sender_id,
            intent="track_application",
            entities={name: value for name, value in slots.items() if value},
            slots=slots,
            text="where is my application",
        )

    return build


async def ask(action, tracker) -> tuple[dict, list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    return message, events


async def test_loan_waiting_for_payslips(action, live_client, track) -> None:
    message, events = await ask(action, track("CUST-0001", product="personal_loan"))
    loan = await live_client.get_application("CUST-0001", "APP-100001")
    assert loan.status == "documents_required"
    assert loan.amount_requested and loan.expected_decision_date
    last = loan.timeline[-1]
    assert message["text"].splitlines() == [
        f"Your personal loan application APP-100001 for "
        f"{format_money(loan.amount_requested)} is waiting for documents from you.",
        f"Latest update ({format_day(last.occurred_at)}): {last.note}.",
        f"We still need from you: {loan.missing_documents[0]}.",
        f"Next step: {loan.next_step}",
        f"We expect to make a decision by {format_day(loan.expected_decision_date)}.",
    ]
    assert "payslips" in message["text"]
    assert events == CLEARED


async def test_spanish_customer_mortgage_in_review(action, live_client, track) -> None:
    message, _ = await ask(action, track("CUST-0002"))
    mortgage = await live_client.get_application("CUST-0002", "APP-100002")
    assert mortgage.status == "in_review" and mortgage.expected_decision_date
    assert message["text"].startswith("Your mortgage application APP-100002")
    assert "is being reviewed" in message["text"]
    assert format_day(mortgage.expected_decision_date, "es_ES") in message["text"]
    assert format_day(mortgage.timeline[-1].occurred_at, "es_ES") in message["text"]
    assert " de " in format_day(mortgage.expected_decision_date, "es_ES")


async def test_two_applications_ask_which_then_the_button_answers(
    action, live_client, track
) -> None:
    message, _ = await ask(action, track("CUST-0003"))
    chens = await live_client.list_applications("CUST-0003")
    assert sorted(a.reference for a in chens) == ["APP-100003", "APP-100004"]
    assert message["response"] == "utter_which_application"
    assert sorted(b["payload"] for b in message["buttons"]) == sorted(
        f'/track_application{{"application_reference":"{a.reference}"}}' for a in chens
    )
    assert {b["title"] for b in message["buttons"]} == {
        "Credit card APP-100003 (approved)",
        "Personal loan APP-100004 (declined)",
    }

    message, events = await ask(action, track("CUST-0003", reference="APP-100003"))
    card = await live_client.get_application("CUST-0003", "APP-100003")
    assert card.expected_decision_date is None
    assert message["text"].startswith("Your credit card application APP-100003 has been approved")
    assert f"Next step: {card.next_step}" in message["text"]
    assert "decision by" not in message["text"]
    assert events == CLEARED


async def test_named_product_picks_the_declined_loan(action, track) -> None:
    message, _ = await ask(action, track("CUST-0003", product="personal_loan"))
    assert message["text"].startswith("Your personal loan application APP-100004")
    assert "was declined" in message["text"]


async def test_customer_without_applications_is_offered_to_apply(action, track) -> None:
    message, _ = await ask(action, track("CUST-0004"))
    assert message["response"] == "utter_applications_none"
    assert message["application_label"] == "application"


async def test_another_customers_reference_is_not_revealed(action, track) -> None:
    foreign, _ = await ask(action, track("CUST-0001", reference="APP-100003"))  # Chen's
    missing, _ = await ask(action, track("CUST-0001", reference="APP-999999"))
    assert foreign == missing
    assert foreign["response"] == "utter_application_not_found"


async def test_slow_core_gets_an_apology_within_three_seconds(action, faults, track) -> None:
    faults(latency_ms=5000)
    started = time.monotonic()
    message, events = await ask(action, track("CUST-0001"))
    assert message["response"] == "utter_core_banking_unavailable"
    assert time.monotonic() - started < REPLY_BUDGET_SECONDS
    assert events == CLEARED


async def test_failing_core_gets_an_apology(action, faults, track) -> None:
    faults(error_rate=1.0)
    message, _ = await ask(action, track("CUST-0003", reference="APP-100003"))
    assert message["response"] == "utter_core_banking_unavailable"
