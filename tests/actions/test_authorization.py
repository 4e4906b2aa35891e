"""No crafted slot value reaches another customer's data: a button payload or a typed
reference naming someone else's account or application, against the real core_mock."""

from __future__ import annotations

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.applications import ActionTrackApplication
from actions.balance import ActionCheckBalance
from tests.actions.conftest import LIVE_API_KEY

ALICE, BRUNO = "CUST-0001", "CUST-0002"


@pytest.fixture
def bruno_accounts(live_core_url) -> list[dict]:
    answer = httpx.get(
        f"{live_core_url}/v1/customers/{BRUNO}/accounts", headers={"X-API-Key": LIVE_API_KEY}
    )
    return answer.json()["accounts"]


async def said(action, tracker, domain=None) -> str:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker, domain or {})
    return " ".join(str(m.get("text") or m.get("response") or "") for m in dispatcher.messages)


async def test_a_button_payload_with_another_customers_account_shows_nothing_of_it(
    live_client, core_settings, make_tracker, domain, bruno_accounts
):
    action = ActionCheckBalance(client=live_client, settings=core_settings)
    for account in bruno_accounts:
        tracker = make_tracker(
            sender_id=ALICE,
            intent="select_account",
            entities={"account_id": account["id"]},
            slots={"account_id": account["id"]},
            text=f'/select_account{{"account_id":"{account["id"]}"}}',
        )
        answer = await said(action, tracker, domain)
        assert account["nickname"] not in answer
        assert account["masked_number"][-4:] not in answer
        assert account["available_balance"]["amount"] not in answer.replace(",", "")


@pytest.mark.parametrize("reference", ["APP-100002", "APP-100003", "APP-100004"])
async def test_another_customers_application_reference_reveals_nothing(
    live_client, core_settings, make_tracker, reference
):
    action = ActionTrackApplication(client=live_client, settings=core_settings)
    tracker = make_tracker(
        sender_id=ALICE,
        intent="track_application",
        entities={"application_reference": reference},
        slots={"application_reference": reference, "application_type": None},
        text=f"where is {reference}",
    )
    answer = (await said(action, tracker)).lower()
    assert "not_found" in answer  # the same answer as for a reference that does not exist
    for leak in ("mortgage", "approved", "declined", "in review", "credit card"):
        assert leak not in answer, answer
