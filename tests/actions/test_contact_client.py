"""Core-banking client: contact and challenge calls, and which of them are retried."""

from __future__ import annotations

import json

import httpx
import pytest

from actions.clients.core_banking import CoreBankingClient
from actions.clients.errors import CoreBankingUnavailable, Rejected
from actions.clients.models import PostalAddress
from tests.actions.action_factories import API_KEY

CONTACT = {
    "email": "a@example.com",
    "phone": "+14155550101",
    "postal_address": {
        "line1": "1 Main St",
        "city": "Austin",
        "region": "TX",
        "postal_code": "78701",
        "country": "US",
    },
    "updated_at": "2026-01-01T00:00:00+00:00",
}
CHALLENGE = {
    "id": "ch1",
    "purpose": "contact_change",
    "channel": "sms",
    "sent_to": "•••••••01",
    "expires_at": "2026-01-01T00:05:00+00:00",
    "attempts_remaining": 3,
    "verified": False,
}


def client_for(handler, settings) -> CoreBankingClient:
    return CoreBankingClient.from_settings(settings, transport=httpx.MockTransport(handler))


async def test_update_contact_sends_the_key_and_is_retried_safely(settings):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(503)
        return httpx.Response(200, json=CONTACT)

    async with client_for(handler, settings) as client:
        address = PostalAddress(**CONTACT["postal_address"])
        result = await client.update_contact(
            "CUST-0001", "postal_address", address, challenge_id="ch1", idempotency_key="k-1"
        )
    assert result.postal_address == address
    assert len(seen) == 2
    assert {r.headers["Idempotency-Key"] for r in seen} == {"k-1"}
    assert seen[0].method == "PUT" and seen[0].url.path.endswith("/contact/postal_address")
    body = json.loads(seen[0].content)
    assert body["challenge_id"] == "ch1" and "line2" not in body["value"]
    assert seen[0].headers["X-API-Key"] == API_KEY


@pytest.mark.parametrize("call", ["create", "verify"])
async def test_challenge_calls_are_never_retried(settings, call):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503)

    async with client_for(handler, settings) as client:
        with pytest.raises(CoreBankingUnavailable):
            if call == "create":
                await client.create_challenge("CUST-0001", purpose="contact_change", channel="sms")
            else:
                await client.verify_challenge("CUST-0001", "ch1", "123456")
    assert len(seen) == 1


async def test_wrong_code_is_a_rejection_with_its_code(settings):
    def handler(request: httpx.Request) -> httpx.Response:
        error = {"code": "wrong_code", "message": "no", "attempts_remaining": 2}
        return httpx.Response(422, json={"error": error})

    async with client_for(handler, settings) as client:
        with pytest.raises(Rejected) as raised:
            await client.verify_challenge("CUST-0001", "ch1", "000000")
    assert raised.value.code == "wrong_code"


async def test_challenge_and_contact_are_parsed(settings):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/challenges"):
            assert json.loads(request.content) == {"purpose": "contact_change", "channel": "sms"}
            return httpx.Response(201, json=CHALLENGE)
        return httpx.Response(200, json=CONTACT)

    async with client_for(handler, settings) as client:
        challenge = await client.create_challenge(
            "CUST-0001", purpose="contact_change", channel="sms"
        )
        contact = await client.get_contact("CUST-0001")
    assert challenge.id == "ch1" and challenge.attempts_remaining == 3
    assert contact.phone == "+14155550101"
