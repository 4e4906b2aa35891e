"""Offer actions with a real Tracker, CollectingDispatcher, the real core_mock over HTTP
(seeded demo data, as of 2026-11-28) and a profile store on SQLite in tmp_path.

CUST-0001 has a personal-loan application waiting for payslips (finish_application);
CUST-0003 owes 4,612.40 on a 5,000.00 card (card_balance_transfer). Every decision,
shown or suppressed, must land in the profile store's audit log.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.offers.actions import (
    ActionExplainOffer,
    ActionRespondToOffer,
    ActionSuggestOffer,
)
from actions.stores.profile_store import ProfileStore

NOW = datetime(2026, 11, 28, 18, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path) -> ProfileStore:
    profile_store = ProfileStore(f"sqlite:///{tmp_path / 'profile.sqlite3'}", clock=lambda: NOW)
    yield profile_store
    profile_store.close()


@pytest.fixture
def deps(live_client, store, core_settings):
    return {"client": live_client, "store": store, "settings": core_settings, "clock": lambda: NOW}


@pytest.fixture
def tracker_for(make_tracker):
    def build(sender_id: str, *, intent: str = "check_balance", **slots):
        all_slots = {"sentiment": None, "negative_turns": 0.0, "active_offer": None, **slots}
        return make_tracker(sender_id=sender_id, intent=intent, slots=all_slots)

    return build


async def suggest(deps, tracker):
    dispatcher = CollectingDispatcher()
    events = await ActionSuggestOffer(**deps).run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_without_consent_nothing_is_read_or_shown_and_the_suppression_is_audited(
    deps, store, tracker_for
):
    messages, events = await suggest(deps, tracker_for("CUST-0003"))
    assert messages == [] and events == []
    (entry,) = await store.offer_history("CUST-0003")
    assert (entry.offer_code, entry.decision, entry.reasons) == (
        "all_offers",
        "suppressed",
        ("no_consent",),
    )
    assert entry.data_used == ("consents.personalised_offers",)


async def test_high_card_utilisation_shows_a_balance_transfer_with_personal_terms(
    deps, store, tracker_for
):
    await store.set_consent("CUST-0003", personalised_offers=True)
    messages, events = await suggest(deps, tracker_for("CUST-0003"))
    (message,) = messages
    assert message["response"] == "utter_offer_card_balance_transfer"
    assert message["amount"] == "$4,612.40"
    assert message["utilisation_percent"] == "92"
    assert events == [SlotSet("active_offer", "card_balance_transfer")]
    history = await store.offer_history("CUST-0003")
    shown = [d for d in history if d.decision == "shown"]
    assert [d.offer_code for d in shown] == ["card_balance_transfer"]
    assert shown[0].reasons == ("high_card_utilisation",)
    assert "accounts.credit_limit" in shown[0].data_used


async def test_incomplete_application_wins_and_lower_offers_are_audited_as_suppressed(
    deps, store, tracker_for
):
    await store.set_consent("CUST-0001", personalised_offers=True)
    messages, _ = await suggest(deps, tracker_for("CUST-0001"))
    assert messages[0]["response"] == "utter_offer_finish_application"
    assert messages[0]["reference"] == "APP-100001"
    history = await store.offer_history("CUST-0001")
    assert {(d.offer_code, d.decision) for d in history if d.decision == "shown"} == {
        ("finish_application", "shown")
    }
    # A personal-loan application is open, so no pre-approved loan is even eligible.
    assert "preapproved_personal_loan" not in {d.offer_code for d in history}


async def test_negative_sentiment_suppresses_and_is_audited(deps, store, tracker_for):
    await store.set_consent("CUST-0003", personalised_offers=True)
    tracker = tracker_for("CUST-0003", sentiment="negative", negative_turns=1.0)
    messages, events = await suggest(deps, tracker)
    assert messages == []
    assert events == [SlotSet("active_offer", None)]
    (entry,) = await store.offer_history("CUST-0003")
    assert (entry.offer_code, entry.decision) == ("card_balance_transfer", "suppressed")
    assert entry.reasons == ("negative_sentiment",)


async def test_an_open_complaint_suppresses(deps, store, tracker_for):
    await store.set_consent("CUST-0003", personalised_offers=True)
    await store.record_interaction("CUST-0003", "complaint", "open", at=NOW - timedelta(days=2))
    messages, _ = await suggest(deps, tracker_for("CUST-0003"))
    assert messages == []
    (entry,) = await store.offer_history("CUST-0003")
    assert entry.reasons == ("open_complaint",)


async def test_the_same_offer_is_not_shown_twice_within_the_cooling_off_period(
    deps, store, tracker_for
):
    await store.set_consent("CUST-0003", personalised_offers=True)
    first, _ = await suggest(deps, tracker_for("CUST-0003"))
    second, _ = await suggest(deps, tracker_for("CUST-0003"))
    assert len(first) == 1 and second == []
    latest = (await store.offer_history("CUST-0003"))[0]
    assert (latest.decision, latest.reasons) == ("suppressed", ("cooling_off",))


async def test_no_offer_right_after_a_which_account_question(deps, store, tracker_for):
    await store.set_consent("CUST-0003", personalised_offers=True)
    tracker = tracker_for("CUST-0003")
    tracker.events.append({"event": "bot", "text": "Which one?", "data": {"buttons": [{}]}})
    messages, events = await suggest(deps, tracker)
    assert messages == [] and events == []
    assert await store.offer_history("CUST-0003") == []


async def test_explain_names_the_facts_the_rule_and_the_data_used(deps, store, tracker_for):
    await store.set_consent("CUST-0003", personalised_offers=True)
    await suggest(deps, tracker_for("CUST-0003"))
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("CUST-0003", intent="explain_offer", active_offer="card_balance_transfer")
    assert await ActionExplainOffer(**deps).run(dispatcher, tracker, {}) == []
    (message,) = dispatcher.messages
    assert message["response"] == "utter_offer_explanation"
    text = message["explanation"]
    assert "$4,612.40, 92% of its $5,000.00 limit" in text
    assert "80% or more of its limit" in text
    assert "your credit limit" in text
    assert "never use your age, gender, nationality" in text


async def test_explain_without_an_active_offer_says_so(deps, tracker_for):
    dispatcher = CollectingDispatcher()
    await ActionExplainOffer(**deps).run(dispatcher, tracker_for("CUST-0003"), {})
    assert dispatcher.messages[0]["response"] == "utter_offer_none_active"


@pytest.mark.parametrize(
    ("intent", "decision", "response"),
    [
        ("affirm", "accepted", "utter_offer_accepted_card_balance_transfer"),
        ("deny", "declined", "utter_offer_declined"),
    ],
)
async def test_respond_records_the_answer_and_clears_the_offer(
    deps, store, tracker_for, intent, decision, response
):
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("CUST-0003", intent=intent, active_offer="card_balance_transfer")
    events = await ActionRespondToOffer(**deps).run(dispatcher, tracker, {})
    assert events == [SlotSet("active_offer", None)]
    assert dispatcher.messages[0]["response"] == response
    (entry,) = await store.offer_history("CUST-0003")
    assert (entry.offer_code, entry.decision) == ("card_balance_transfer", decision)


async def test_a_declined_offer_is_not_shown_again(deps, store, tracker_for):
    await store.set_consent("CUST-0003", personalised_offers=True)
    tracker = tracker_for("CUST-0003", intent="deny", active_offer="card_balance_transfer")
    await ActionRespondToOffer(**deps).run(CollectingDispatcher(), tracker, {})
    messages, _ = await suggest(deps, tracker_for("CUST-0003"))
    assert messages == []
    latest = (await store.offer_history("CUST-0003"))[0]
    assert latest.reasons == ("declined_before",)


async def test_respond_without_an_active_offer_records_nothing(deps, store, tracker_for):
    dispatcher = CollectingDispatcher()
    await ActionRespondToOffer(**deps).run(dispatcher, tracker_for("CUST-0003", intent="deny"), {})
    assert dispatcher.messages[0]["response"] == "utter_offer_none_active"
    assert await store.offer_history("CUST-0003") == []


async def test_core_banking_down_means_no_offer_and_no_error(deps, store, tracker_for, faults):
    await store.set_consent("CUST-0003", personalised_offers=True)
    faults(error_rate=1.0)
    messages, events = await suggest(deps, tracker_for("CUST-0003"))
    assert messages == [] and events == []


async def test_no_offer_in_the_middle_of_a_form(deps, store, tracker_for):
    await store.set_consent("CUST-0003", personalised_offers=True)
    tracker = tracker_for("CUST-0003")
    tracker.active_loop = {"name": "contact_details_form"}
    messages, events = await suggest(deps, tracker)
    assert messages == [] and events == []
    assert await store.offer_history("CUST-0003") == []


async def test_a_shown_nudge_is_recorded_as_a_nudge_sent(deps, store, tracker_for):
    from actions.offers.rules import month_start
    from actions.offers.snapshot import AccountFacts, CustomerSnapshot, TransactionFacts

    def spent(amount: str, category: str, months_back: int) -> TransactionFacts:
        at = month_start(NOW, months_back) + timedelta(days=2)
        return TransactionFacts("ACC-1", category, Decimal(amount), "USD", "posted", at)

    class SpendingAction(ActionSuggestOffer):
        async def snapshot(self, customer_id, now):  # a month of spending far above usual
            checking = AccountFacts("ACC-1", "checking", "USD", Decimal("800.00"), None, "open")
            spending = [spent("-1000.00", "shopping", k) for k in (1, 2, 3)]
            return CustomerSnapshot(
                customer_id, (checking,), (*spending, spent("-2000.00", "dining", 0))
            )

    await store.set_consent("CUST-0004", personalised_offers=True)
    dispatcher = CollectingDispatcher()
    events = await SpendingAction(**deps).run(dispatcher, tracker_for("CUST-0004"), {})

    assert events == [SlotSet("active_offer", "savings_plan")]
    [nudge] = await store.nudges_sent("CUST-0004")
    assert (nudge.nudge_code, nudge.channel) == ("savings_plan", "chat")
