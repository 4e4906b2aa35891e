"""A phone call through the real stack: Twilio-signed webhooks to the Rasa server's
bank_voice channel, keypad verification with a code from core banking's outbox, and the
balance spoken from the seeded data."""

from __future__ import annotations

import re
from decimal import Decimal
from xml.etree import ElementTree

import httpx
import pytest
from twilio.request_validator import RequestValidator

from scripts.channel_env import voice_channel_env

pytestmark = pytest.mark.stack


class Phone:
    def __init__(self, webhook_base: str, auth_token: str, call_sid: str) -> None:
        self.base = webhook_base
        self.validator = RequestValidator(auth_token)
        self.call_sid = call_sid

    def post(self, route: str = "webhook", *, sign: bool = True, **fields: str) -> httpx.Response:
        params = {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "1" * 32,
            "From": "+15005550006",
            "To": "+15005550001",
            "CallStatus": "in-progress",
            **fields,
        }
        url = f"{self.base}/{route}"
        headers = {"X-Twilio-Signature": self.validator.compute_signature(url, params)}
        return httpx.post(url, data=params, headers=headers if sign else {}, timeout=30)

    def send(self, **fields: str) -> str:
        response = self.post(**fields)
        assert response.status_code == 200, response.text
        twiml = ElementTree.fromstring(response.text)
        spoken = " ".join("".join(say.itertext()) for say in twiml.iter("Say"))
        return re.sub(r"\s+", " ", spoken)


@pytest.fixture
def phone(stack_config) -> Phone:
    token = voice_channel_env(stack_config.core_url, stack_config.core_api_key)["TWILIO_AUTH_TOKEN"]
    return Phone(f"{stack_config.rasa_url}/webhooks/bank_voice", token, "CA" + "7" * 32)


def spoken_amount(amount: str) -> str:
    value = Decimal(amount)
    dollars, cents = int(value), int((value - int(value)) * 100)
    return f"{dollars:,} dollars" + (f" and {cents} cents" if cents else "")


def test_a_verified_caller_hears_their_balance(phone: Phone, core_api) -> None:
    assert phone.post(sign=False, CallStatus="ringing").status_code == 403

    greeting = phone.send(CallStatus="ringing")
    assert greeting
    asked = phone.send(SpeechResult="what's my savings balance", Confidence="0.9")
    assert "dollars" not in asked and "customer number" in asked  # no data before verifying

    assert "code" in phone.send(Digits="0001")
    outbox = core_api.get("/v1/outbox", params={"customer_id": "CUST-0001", "limit": 1}).json()
    code = re.search(r"\b(\d{6})\b", str(outbox)).group(1)
    answer = phone.send(Digits=code)

    accounts = core_api.get("/v1/customers/CUST-0001/accounts").json()["accounts"]
    savings = next(a for a in accounts if a["type"] == "savings")
    assert spoken_amount(savings["available_balance"]["amount"]) in answer
    assert "$" not in answer and "**" not in answer

    ended = phone.post("status", CallStatus="completed")
    assert ended.status_code in (200, 204)
