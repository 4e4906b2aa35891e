"""A contact change end to end: Rasa server, action server and core banking, over REST.

The one-time code is read from core banking's outbox, as the customer would read it
from the text message or e-mail sent to the contact already on file.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.stack

CUSTOMER = "CUST-0001"


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def latest_code(core_api, customer_id: str) -> str:
    notifications = core_api.get(
        "/v1/outbox", params={"customer_id": customer_id, "limit": 5}
    ).json()["notifications"]
    for notification in notifications:
        found = re.search(r"\b(\d{4,8})\b", notification["body"])
        if found:
            return found.group(1)
    raise AssertionError("core banking sent no code")


def test_email_change_with_a_code_sent_to_the_contact_on_file(say, core_api):
    before = core_api.get(f"/v1/customers/{CUSTOMER}/contact").json()
    new_email = "ali.morgan.e2e@example.org"

    asked = texts(say(CUSTOMER, "I want to change my email address"))
    assert "new email" in asked.lower()
    code_prompt = texts(say(CUSTOMER, new_email))
    assert "one-time code" in code_prompt
    assert new_email not in code_prompt  # the code never goes to the new address

    confirm = texts(say(CUSTOMER, latest_code(core_api, CUSTOMER)))
    assert "confirm" in confirm.lower()
    assert new_email not in confirm  # the read-back is masked
    done = texts(say(CUSTOMER, "yes"))

    after = core_api.get(f"/v1/customers/{CUSTOMER}/contact").json()
    assert after["email"] == new_email, done
    assert after["phone"] == before["phone"]


def test_cancel_mid_form_changes_nothing(say, core_api):
    customer = "CUST-0003"
    before = core_api.get(f"/v1/customers/{customer}/contact").json()
    say(customer, "please update my phone number")
    reply = texts(say(customer, "cancel"))
    assert "haven't been changed" in reply
    assert core_api.get(f"/v1/customers/{customer}/contact").json() == before
    assert "balance" in texts(say(customer, "what's my balance")).lower()


def test_three_wrong_codes_lock_the_change_and_change_nothing(
    say, core_api, stack_config, conversation_id, rasa_api
):
    import httpx

    customer = "CUST-0004"
    before = core_api.get(f"/v1/customers/{customer}/contact").json()
    say(customer, "I need to update my email")
    assert "one-time code" in texts(say(customer, "dana.new.e2e@example.org"))
    real = latest_code(core_api, customer)
    wrong = "000000" if real != "000000" else "111111"

    assert "isn't right" in texts(say(customer, wrong))
    assert "isn't right" in texts(say(customer, wrong))
    locked = texts(say(customer, wrong))

    assert "locked" in locked and "nothing has been changed" in locked
    assert "bringing in a person" in locked  # handed over to the agent desk
    assert core_api.get(f"/v1/customers/{customer}/contact").json() == before

    conversation = conversation_id(customer)
    ticket = httpx.get(
        f"{stack_config.desk_url}/api/tickets/open",
        params={"conversation_id": conversation},
        headers={"Authorization": f"Bearer {stack_config.handoff_service_token}"},
        timeout=10,
    )
    assert ticket.status_code == 200
    assert ticket.json()["ticket"]["reason"] == "contact_change_locked"
    events_url = f"/conversations/{conversation}/tracker/events"
    tracker = rasa_api.get(f"/conversations/{conversation}/tracker")
    assert tracker.json()["paused"] is True
    resume = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    rasa_api.post(events_url, json=resume).raise_for_status()
