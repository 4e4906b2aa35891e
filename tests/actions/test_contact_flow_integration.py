"""The contact-change form and commit against the real core_mock app over HTTP.

The code is read from core_mock's outbox, as the customer would read their SMS/e-mail.
Each test uses its own seeded customer: the live database lasts for the module.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.core_banking import CoreBankingClient
from actions.clients.errors import Rejected
from actions.contact import ValidateContactDetailsForm
from actions.contact_commit import ActionCancelContactChange, ActionFinishContactChange
from actions.stores.profile_store import ProfileStore
from tests.actions.conftest import LIVE_API_KEY

# The real domain file: its form and slot mappings are what the action server is sent.
DOMAIN: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parents[2] / "bot/domain/contact_details.yml").read_text()
)


def tracker(customer_id: str | None, slots: dict[str, Any], new: dict[str, Any]) -> Tracker:
    """The tracker the form's validation sees: ``new`` are this turn's slot candidates."""
    identity = {"customer_id": customer_id, "auth": "jwt"} if customer_id else {"auth": "anonymous"}
    events: list[dict[str, Any]] = [
        {
            "event": "user",
            "text": "...",
            "parse_data": {"intent": {"name": "x"}},
            "metadata": identity,
            "input_channel": "bank_web",
        }
    ]
    events += [{"event": "slot", "name": k, "value": v} for k, v in new.items()]
    sender = customer_id or "web-visitor-1"
    return Tracker(
        sender,
        {**slots, **new},
        {"intent": {"name": "x"}},
        events,
        False,
        None,
        {"name": "contact_details_form"},
        "action_listen",
    )


def outbox(core_url: str, customer_id: str, limit: int) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{core_url}/v1/outbox",
        params={"customer_id": customer_id, "limit": limit},
        headers={"X-API-Key": LIVE_API_KEY},
    )
    return response.json()["notifications"]


def latest_code(core_url: str, customer_id: str) -> str:
    """The code from the newest message core banking sent the customer."""
    found = re.match(r"\d{6}", outbox(core_url, customer_id, 1)[0]["body"])
    assert found is not None
    return found.group()


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


@pytest.fixture
def store(tmp_path) -> ProfileStore:
    return ProfileStore(f"sqlite:///{tmp_path / 'profile.sqlite3'}")


@pytest.fixture
def form(live_client: CoreBankingClient, core_settings) -> ValidateContactDetailsForm:
    return ValidateContactDetailsForm(live_client, core_settings)


async def run_form(form, customer, slots, new) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    events = await form.run(dispatcher, tracker(customer, slots, new), DOMAIN)
    return slot_events(events), responses(dispatcher)


async def fill_to_code(form, customer: str, field: str, value_slots: dict[str, Any]) -> dict:
    """Choose the field, give the value: the code is sent; returns the slots so far."""
    slots, _ = await run_form(form, customer, {}, {"contact_field": field})
    assert slots["requested_slot"] != "contact_code"
    state = {"contact_field": field}
    set_slots, said = await run_form(form, customer, state, value_slots)
    assert said == [] and set_slots["requested_slot"] == "contact_code"
    assert set_slots["contact_challenge_id"]
    return {**state, **set_slots}


async def test_email_change_end_to_end(form, live_client, live_core_url, core_settings, store):
    customer = "CUST-0005"
    before = await live_client.get_contact(customer)
    state = await fill_to_code(form, customer, "email", {"contact_email": "New.Mail@Example.org"})
    assert state["contact_email"] == "New.Mail@example.org"
    assert state["contact_change_summary"] == "your email address to N***@example.org"
    # the code went to the phone on file (SMS), never to the new address
    assert state["contact_code_sent_to"].endswith(before.phone[-2:])
    code = latest_code(live_core_url, customer)

    set_slots, said = await run_form(form, customer, state, {"contact_code": code})
    assert set_slots["contact_code"] == "verified" and code not in str(set_slots)
    assert set_slots["requested_slot"] == "contact_confirm" and said == []
    state.update(set_slots)

    set_slots, _ = await run_form(form, customer, state, {"contact_confirm": True})
    assert set_slots["requested_slot"] is None
    state.update(set_slots)

    finish = ActionFinishContactChange(live_client, core_settings, store)
    dispatcher = CollectingDispatcher()
    events = await finish.run(dispatcher, tracker(customer, state, {}), {})
    assert dispatcher.messages[0]["response"] == "utter_contact_change_done"
    assert dispatcher.messages[0]["masked_value"] == "N***@example.org"
    assert all(value is None for value in slot_events(events).values())
    assert (await live_client.get_contact(customer)).email == "New.Mail@example.org"

    history = await live_client.contact_history(customer)
    assert history[0].field == "email" and history[0].new_value == "New.Mail@example.org"
    notices = outbox(live_core_url, customer, 2)
    assert {n["to"] for n in notices} == {before.email, "New.Mail@example.org"}
    audit = await store.last_interaction(customer, "update_contact_details")
    assert audit is not None and audit.outcome == "changed"

    # the same confirmed change again (a retry) is replayed, not applied twice
    dispatcher = CollectingDispatcher()
    await finish.run(dispatcher, tracker(customer, state, {}), {})
    assert dispatcher.messages[0]["response"] == "utter_contact_change_done"
    assert len(await live_client.contact_history(customer)) == len(history)


async def test_three_wrong_codes_lock_the_change_and_hand_over(
    form, live_client, live_core_url, core_settings, store
):
    customer = "CUST-0006"
    before = await live_client.get_contact(customer)
    state = await fill_to_code(form, customer, "phone", {"contact_phone": "(212) 555-0199"})
    assert state["contact_phone"] == "+12125550199"
    real = latest_code(live_core_url, customer)
    wrong = "000000" if real != "000000" else "111111"
    for _ in range(2):
        set_slots, said = await run_form(form, customer, state, {"contact_code": wrong})
        assert said == ["utter_contact_code_wrong"] and set_slots["contact_code"] is None
    set_slots, _ = await run_form(form, customer, state, {"contact_code": wrong})
    assert set_slots["contact_change_outcome"] == "locked"
    assert set_slots["requested_slot"] is None
    state.update(set_slots)

    dispatcher = CollectingDispatcher()
    events = await ActionFinishContactChange(live_client, core_settings, store).run(
        dispatcher, tracker(customer, state, {}), {}
    )
    assert responses(dispatcher) == ["utter_contact_change_locked"]
    assert slot_events(events)["handoff_reason"] == "contact_change_locked"
    assert events[-1] == {"event": "followup", "name": "action_hand_over", "timestamp": None}
    assert (await live_client.get_contact(customer)).phone == before.phone
    # even the right code no longer works
    with pytest.raises(Rejected):
        await live_client.verify_challenge(customer, state["contact_challenge_id"], real)


async def test_address_change_with_country_and_postcode_checks(
    form, live_client, live_core_url, core_settings, store
):
    customer = "CUST-0007"
    state: dict[str, Any] = {"contact_field": "address"}
    for slot, text in [
        ("contact_address_line1", "221 Maple Avenue"),
        ("contact_address_city", "Portland"),
        ("contact_address_region", "OR"),
    ]:
        set_slots, _ = await run_form(form, customer, state, {slot: text})
        state.update(set_slots)
    set_slots, said = await run_form(form, customer, state, {"contact_address_country": "Narnia"})
    assert said == ["utter_contact_country_invalid"]
    set_slots, _ = await run_form(form, customer, state, {"contact_address_country": "usa"})
    state.update(set_slots)
    set_slots, said = await run_form(form, customer, state, {"contact_address_postcode": "9720"})
    assert said == ["utter_contact_postcode_invalid"]
    set_slots, _ = await run_form(form, customer, state, {"contact_address_postcode": "97205"})
    state.update(set_slots)
    assert state["requested_slot"] == "contact_code"
    assert "221" not in state["contact_change_summary"]
    set_slots, _ = await run_form(
        form, customer, state, {"contact_code": latest_code(live_core_url, customer)}
    )
    state.update(set_slots)
    state.update((await run_form(form, customer, state, {"contact_confirm": True}))[0])
    dispatcher = CollectingDispatcher()
    await ActionFinishContactChange(live_client, core_settings, store).run(
        dispatcher, tracker(customer, state, {}), {}
    )
    assert responses(dispatcher) == ["utter_contact_change_done"]
    address = (await live_client.get_contact(customer)).postal_address
    assert (address.line1, address.postal_code, address.country) == (
        "221 Maple Avenue",
        "97205",
        "US",
    )


async def test_declined_read_back_changes_nothing(form, live_client, core_settings, store):
    customer = "CUST-0008"
    before = await live_client.get_contact(customer)
    state = {
        "contact_field": "email",
        "contact_email": "x@example.net",
        "contact_confirm": False,
        "contact_code": "verified",
        "contact_challenge_id": "abc",
    }
    dispatcher = CollectingDispatcher()
    await ActionFinishContactChange(live_client, core_settings, store).run(
        dispatcher, tracker(customer, state, {}), {}
    )
    assert responses(dispatcher) == ["utter_contact_change_not_confirmed"]
    assert await live_client.get_contact(customer) == before


async def test_value_already_on_file_is_asked_again(form, live_client):
    customer = "CUST-0004"
    on_file = (await live_client.get_contact(customer)).email
    state = {"contact_field": "email"}
    set_slots, said = await run_form(form, customer, state, {"contact_email": on_file})
    assert said == ["utter_contact_value_unchanged"]
    assert set_slots["contact_email"] is None and set_slots["requested_slot"] == "contact_email"


async def test_bad_values_and_codes_are_refused_without_calling_core(form):
    state = {"contact_field": "phone"}
    set_slots, said = await run_form(form, "CUST-0003", state, {"contact_phone": "12"})
    assert said == ["utter_contact_phone_invalid"] and set_slots["contact_phone"] is None
    state = {
        "contact_field": "email",
        "contact_email": "a@example.org",
        "contact_challenge_id": "c1",
    }
    set_slots, said = await run_form(form, "CUST-0003", state, {"contact_code": "12ab"})
    assert said == ["utter_contact_code_format"] and set_slots["contact_code"] is None


async def test_no_signed_in_customer_ends_the_form_at_once(form, live_client, core_settings):
    set_slots, said = await run_form(form, None, {}, {"contact_field": "email"})
    assert set_slots == {"contact_change_outcome": "unauthenticated", "requested_slot": None}
    dispatcher = CollectingDispatcher()
    await ActionFinishContactChange(live_client, core_settings).run(
        dispatcher, tracker(None, set_slots, {}), {}
    )
    assert responses(dispatcher) == ["utter_contact_sign_in"]


async def test_core_banking_down_ends_with_an_apology_and_nothing_changed(
    form, live_client, core_settings, faults, store
):
    customer = "CUST-0002"
    before = await live_client.get_contact(customer)
    faults(error_rate=1.0)
    set_slots, _ = await run_form(
        form, customer, {"contact_field": "email"}, {"contact_email": "b@example.org"}
    )
    assert set_slots["contact_change_outcome"] == "unavailable"
    assert set_slots["requested_slot"] is None
    dispatcher = CollectingDispatcher()
    await ActionFinishContactChange(live_client, core_settings, store).run(
        dispatcher, tracker(customer, set_slots, {}), {}
    )
    assert responses(dispatcher) == ["utter_contact_change_unavailable"]
    faults(error_rate=0.0)
    assert await live_client.get_contact(customer) == before


async def test_cancel_clears_the_form_and_is_audited(live_client, core_settings, store):
    dispatcher = CollectingDispatcher()
    state = {"contact_field": "email", "contact_email": "c@example.org"}
    events = await ActionCancelContactChange(live_client, core_settings, store).run(
        dispatcher, tracker("CUST-0001", state, {}), {}
    )
    assert responses(dispatcher) == ["utter_contact_change_cancelled"]
    assert all(value is None for value in slot_events(events).values())
    audit = await store.last_interaction("CUST-0001", "update_contact_details")
    assert audit is not None and audit.outcome == "cancelled"
