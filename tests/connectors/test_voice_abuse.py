"""The voice webhook under bad input and floods: 4xx JSON answers, never a 500, and limits
per call and per address (429 with Retry-After) on the real Sanic app."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from twilio.request_validator import RequestValidator

from tests.connectors.test_voice_channel import OpenCall, call, core_url, open_call  # noqa: F401
from tests.connectors.voice_support import AUTH_TOKEN, PREFIX, PUBLIC_URL, Phone, spoken

pytestmark = pytest.mark.filterwarnings("ignore:You have set a listener:UserWarning")


def assert_rate_limited(response) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


async def test_one_call_cannot_post_faster_than_its_limit(open_call: OpenCall) -> None:  # noqa: F811
    async with open_call(rate_limit_call="3/minute") as harness:
        phone = harness.phone
        await phone.ring()
        await phone.say("what are your opening hours")
        await phone.say("thanks")
        assert_rate_limited(await phone.post("webhook", phone.params(SpeechResult="again")))
        other = Phone(phone.client, call_sid="CA" + "7" * 32)
        assert spoken(await other.ring())  # another call has its own limit


async def test_one_address_cannot_flood_the_webhook(open_call: OpenCall) -> None:  # noqa: F811
    async with open_call(rate_limit_ip="2/minute") as harness:
        phone = harness.phone
        await phone.ring()
        await phone.say("hello")
        # Refused before the signature is even checked: a flood costs no HMAC.
        assert_rate_limited(await phone.post("webhook", phone.params(), signature="forged"))


async def test_limits_can_be_switched_off(open_call: OpenCall) -> None:  # noqa: F811
    async with open_call(rate_limit_call="off", rate_limit_ip="off") as harness:
        await harness.phone.ring()
        for _ in range(70):
            await harness.phone.say("hours")


async def test_an_oversized_form_is_refused_with_413(call) -> None:  # noqa: F811
    response = await call.phone.post("webhook", call.phone.params(SpeechResult="x" * 40_000))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


async def test_a_unicode_digit_turn_is_a_400_not_a_crash(call) -> None:  # noqa: F811
    await call.phone.ring()
    for turn in ("²", "٣", "9" * 5000, "-1", ""):
        response = await call.phone.post(f"pending?turn={quote(turn)}", call.phone.params())
        assert response.status_code == 400, turn
        assert response.json()["error"]["code"] == "bad_request"


async def test_unicode_digits_on_the_keypad_are_not_a_crash(call) -> None:  # noqa: F811
    await call.phone.ring()
    for keys in ("²", "١٢٣", "9" * 5000):
        response = await call.phone.post("webhook", call.phone.params(Digits=keys))
        assert response.status_code == 200, keys


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"CallSid=CA\xff\xfe&Digits=1", "application/x-www-form-urlencoded"),
        (b'{"CallSid": "CA123"}', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"\x00\x01\x02", "application/octet-stream"),
    ],
)
async def test_malformed_bodies_get_a_json_4xx(call, body: bytes, content_type: str) -> None:  # noqa: F811
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}/webhook", {})
    response = await call.phone.client.post(
        f"{PREFIX}/webhook",
        content=body,
        headers={"Content-Type": content_type, "X-Twilio-Signature": signature},
    )
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] in ("invalid_signature", "bad_request")
