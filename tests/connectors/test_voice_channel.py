"""The voice channel end to end through a real Sanic app: signed Twilio webhooks in, TwiML
out, verification against the real core_mock app over HTTP, Rasa played by ``FakeRasa``."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sanic import Sanic
from twilio.request_validator import RequestValidator

from connectors.voice import BankVoiceInput
from connectors.voice_state import InMemoryCallStateStore
from tests.connectors.voice_support import (
    AUTH_TOKEN,
    BALANCE_TEXT,
    CORE_API_KEY,
    PREFIX,
    PUBLIC_URL,
    TODAY,
    FakeRasa,
    Phone,
    asgi_client,
    latest_code,
    listens,
    serve_core_mock,
    spoken,
)

# Sanic warns on every ASGI request that the channel closes its HTTP client after_server_stop.
pytestmark = pytest.mark.filterwarnings("ignore:You have set a listener:UserWarning")
VERIFIED_METADATA = {"customer_id": "CUST-0001", "auth": "voice_otp"}


@pytest.fixture(scope="module")
def core_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_core_mock(tmp_path_factory.mktemp("voice_core")) as url:
        yield url


@dataclass
class Harness:
    phone: Phone
    channel: BankVoiceInput
    rasa: FakeRasa

    @property
    def store(self) -> InMemoryCallStateStore:
        assert isinstance(self.channel.store, InMemoryCallStateStore)
        return self.channel.store


OpenCall = Callable[..., AbstractAsyncContextManager[Harness]]


@pytest.fixture
def open_call(core_url: str) -> OpenCall:
    """A channel built from credentials (as Rasa loads it), served by a real Sanic app."""

    @asynccontextmanager
    async def open_one(**overrides: str) -> AsyncIterator[Harness]:
        credentials = {
            "auth_token": AUTH_TOKEN,
            "public_url": PUBLIC_URL,
            "core_banking_url": core_url,
            "core_banking_api_key": CORE_API_KEY,
            "voice": "Polly.Joanna-Neural",
            "ssml": "true",
            "response_budget_seconds": "4",
            "core_banking_timeout_seconds": "3",
            **overrides,
        }
        channel = BankVoiceInput.from_credentials(credentials)
        assert isinstance(channel, BankVoiceInput)
        channel._today = lambda: TODAY
        rasa = FakeRasa()
        app = Sanic(f"voice-test-{uuid.uuid4().hex[:12]}")
        app.blueprint(channel.blueprint(rasa.on_new_message), url_prefix=PREFIX)
        async with asgi_client(app) as client:
            yield Harness(Phone(client), channel, rasa)

    return open_one


@pytest.fixture
async def call(open_call: OpenCall) -> AsyncIterator[Harness]:
    async with open_call() as harness:
        yield harness


async def verify(call: Harness, core_url: str, keys: str = "0001") -> Any:
    """Key the customer number and the texted code; the TwiML after the code."""
    assert "texted a 6-digit code" in spoken(await call.phone.press(keys))
    return await call.phone.press(await latest_code(core_url, f"CUST-{int(keys):04d}"))


# -- signatures ---------------------------------------------------------------------------


async def test_a_request_without_signature_is_refused_and_not_processed(call: Harness) -> None:
    response = await call.phone.post("webhook", call.phone.params(SpeechResult="hi"), None)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    assert len(call.store) == 0 and call.rasa.received == []


async def test_a_request_signed_with_another_token_is_refused(call: Harness) -> None:
    params = call.phone.params(CallStatus="ringing")
    forged = RequestValidator("not-the-token").compute_signature(f"{PUBLIC_URL}/webhook", params)

    response = await call.phone.post("webhook", params, forged)

    assert response.status_code == 403 and len(call.store) == 0


async def test_a_tampered_request_is_refused(call: Harness) -> None:
    await call.phone.ring()
    signed = call.phone.params(SpeechResult="hello")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}/webhook", signed)

    response = await call.phone.post("webhook", {**signed, "Digits": "1"}, signature)

    assert response.status_code == 403 and call.rasa.received == []


async def test_status_callbacks_need_a_signature_too(call: Harness) -> None:
    await call.phone.ring()
    response = await call.phone.post("status", call.phone.params(CallStatus="completed"), "x")

    assert response.status_code == 403 and len(call.store) == 1


async def test_without_public_url_the_url_as_received_is_signed(open_call: OpenCall) -> None:
    async with open_call(public_url="") as call:
        params = call.phone.params(CallStatus="ringing")
        url = f"http://rasa.test{PREFIX}/webhook"
        signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
        response = await call.phone.client.post(
            f"{PREFIX}/webhook", data=params, headers={"X-Twilio-Signature": signature}
        )

    assert response.status_code == 200
    assert f'action="{url}"' in response.text


# -- the start, silence and the end of a call -------------------------------------------


async def test_a_call_is_greeted_and_listened_to(call: Harness) -> None:
    twiml = await call.phone.ring()

    assert listens(twiml)
    assert twiml.find("Gather").get("action") == f"{PUBLIC_URL}/webhook"
    assert "enter your customer number" in spoken(twiml)
    assert call.rasa.received == []


async def test_silence_gets_a_reprompt_and_repeated_silence_a_goodbye(call: Harness) -> None:
    await call.phone.ring()

    first, second = await call.phone.silence(), await call.phone.silence()
    last = await call.phone.silence()

    for reprompt in (first, second):
        assert listens(reprompt) and "didn't hear anything" in spoken(reprompt)
    assert "Goodbye" in spoken(last)
    assert last.find("Hangup") is not None and last.find("Gather") is None
    assert len(call.store) == 0 and call.rasa.received == []


async def test_speaking_resets_the_silence_count(call: Harness) -> None:
    await call.phone.ring()
    await call.phone.silence()
    await call.phone.silence()
    await call.phone.say("when do you open")

    assert listens(await call.phone.silence())


async def test_hang_up_ends_the_call_cleanly(call: Harness) -> None:
    await call.phone.ring()
    await call.phone.say("when do you open")
    assert len(call.store) == 1

    response = await call.phone.post("status", call.phone.params(CallStatus="completed"))

    assert response.status_code == 204
    assert len(call.store) == 0


async def test_a_completed_status_on_the_webhook_ends_the_call_too(call: Harness) -> None:
    await call.phone.ring()

    twiml = await call.phone.send(CallStatus="completed")

    assert len(twiml) == 0 and len(call.store) == 0


# -- verification -------------------------------------------------------------------------


async def test_an_unverified_balance_question_gets_no_account_data(call: Harness) -> None:
    await call.phone.ring()

    twiml = await call.phone.say("what's my balance")

    assert call.rasa.received[0].metadata in (None, {})
    assert call.rasa.received[0].input_channel == "bank_voice"
    heard = spoken(twiml)
    assert "dollars" not in heard and "log in to online banking" not in heard
    assert "enter your customer number" in heard and listens(twiml)


async def test_keypad_verification_then_the_question_is_answered(
    call: Harness, core_url: str
) -> None:
    await call.phone.ring()
    await call.phone.say("what's my balance")

    twiml = await verify(call, core_url)

    heard = spoken(twiml)
    assert heard.startswith("Thank you, you're verified.")
    assert "Your checking account ending in 1234 has 4,612 dollars and 40 cents available." in heard
    asked_again = call.rasa.received[-1]
    assert asked_again.text == "what's my balance"
    assert asked_again.metadata == VERIFIED_METADATA
    assert asked_again.input_channel == "bank_voice"
    assert asked_again.sender_id == f"voice-{call.phone.call_sid}"
    assert not call.rasa.received[0].metadata


async def test_every_message_after_verification_carries_the_customer(
    call: Harness, core_url: str
) -> None:
    await call.phone.ring()
    assert "you're verified" in spoken(await verify(call, core_url, keys="1"))

    await call.phone.say("when do you open")
    twiml = await call.phone.say("and my balance please")

    assert [m.metadata for m in call.rasa.received] == [VERIFIED_METADATA] * 2
    assert "4,612 dollars and 40 cents" in spoken(twiml)


async def test_wrong_codes_use_up_the_attempts_then_lock_verification(
    call: Harness, core_url: str
) -> None:
    await call.phone.ring()
    await call.phone.press("0002")
    code = await latest_code(core_url, "CUST-0002")
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    first, second = await call.phone.press(wrong), await call.phone.press(wrong)
    third = await call.phone.press(wrong)
    after = await call.phone.say("what's my balance")

    assert "isn't right. You have 2 more tries" in spoken(first)
    assert "You have 1 more try" in spoken(second)
    assert "can't verify you on this call" in spoken(third) and listens(third)
    assert "can't share account details" in spoken(after)
    assert call.rasa.received[-1].metadata in (None, {})


async def test_a_code_of_the_wrong_length_costs_no_attempt(call: Harness, core_url: str) -> None:
    await call.phone.ring()
    await call.phone.press("0003")

    short = await call.phone.press("123")
    spoken_code = await call.phone.say("one two three four five six")
    twiml = await call.phone.press(await latest_code(core_url, "CUST-0003"))

    assert "The code has 6 digits" in spoken(short)
    assert "please use the keypad" in spoken(spoken_code)
    assert "you're verified" in spoken(twiml)


async def test_an_unknown_customer_number_sounds_the_same_and_never_verifies(
    call: Harness,
) -> None:
    await call.phone.ring()

    sent = await call.phone.press("9999")
    replies = [spoken(await call.phone.press("123456")) for _ in range(3)]

    assert "texted a 6-digit code" in spoken(sent)
    assert "isn't right" in replies[0] and "can't verify you" in replies[2]


async def test_star_skips_verification(call: Harness) -> None:
    await call.phone.ring()
    await call.phone.say("what's my balance")

    twiml = await call.phone.press("*")
    after = await call.phone.say("when do you open")

    assert "general questions" in spoken(twiml)
    assert "9 am" in spoken(after)


async def test_core_banking_down_means_general_questions_only(open_call: OpenCall) -> None:
    async with open_call(core_banking_url="http://127.0.0.1:9") as call:
        await call.phone.ring()
        twiml = await call.phone.press("0001")

    assert "can't verify callers right now" in spoken(twiml) and listens(twiml)


# -- speaking the bot's answers -----------------------------------------------------------


async def test_buttons_are_spoken_as_keypad_choices(call: Harness) -> None:
    async def choose(message):
        if message.text.startswith("/select"):
            return [{"text": f"You chose {message.text}"}]
        buttons = [
            {"title": "Checking ••••1234", "payload": '/select_account{"account_id":"ACC-1"}'},
            {"title": "Checking ••••5678", "payload": '/select_account{"account_id":"ACC-2"}'},
        ]
        return [{"text": "Which one would you like?", "buttons": buttons}]

    call.rasa.reply = choose
    await call.phone.ring()
    question = await call.phone.say("checking balance")
    answer = await call.phone.press("2")

    heard = spoken(question)
    assert "Say Checking ending in 1234, or press 1." in heard
    assert "Say Checking ending in 5678, or press 2." in heard
    assert call.rasa.received[-1].text == '/select_account{"account_id":"ACC-2"}'
    assert "You chose" in spoken(answer)


async def test_without_ssml_the_voice_gets_plain_text(open_call: OpenCall) -> None:
    async with open_call(ssml="false", voice="alice") as call:

        async def balance(_):
            return [{"text": BALANCE_TEXT}]

        call.rasa.reply = balance
        await call.phone.ring()
        response = await call.phone.post("webhook", call.phone.params(SpeechResult="balance"))

    assert "say-as" not in response.text and "<break" not in response.text
    assert "ending in 1 2 3 4 has 4,612 dollars and 40 cents available" in response.text


async def test_a_failing_bot_gets_an_apology_not_an_error(call: Harness) -> None:
    async def broken(_):
        raise RuntimeError("action server down")

    call.rasa.reply = broken
    await call.phone.ring()

    twiml = await call.phone.say("when do you open")

    assert "something went wrong on my side" in spoken(twiml) and listens(twiml)


# -- the time budget ----------------------------------------------------------------------


async def test_a_slow_answer_gets_one_moment_and_arrives_on_the_redirect(
    open_call: OpenCall,
) -> None:
    async with open_call(response_budget_seconds="0.5", core_banking_timeout_seconds="0.4") as call:
        call.rasa.gate = asyncio.Event()
        await call.phone.ring()

        held = await call.phone.say("when do you open")
        still = await call.phone.follow(held)
        call.rasa.gate.set()
        answered = await call.phone.follow(still)

    assert spoken(held) == "One moment, please." and held.find("Gather") is None
    assert held.find("Redirect").text == f"{PUBLIC_URL}/pending?turn=1"
    assert "still working" in spoken(still)
    assert spoken(answered) == "Our branches open at 9 am." and listens(answered)
    assert len(call.rasa.received) == 1


async def test_an_answer_that_never_comes_is_given_up_politely(open_call: OpenCall) -> None:
    async with open_call(
        response_budget_seconds="0.5", core_banking_timeout_seconds="0.4", max_holds="1"
    ) as call:
        call.rasa.gate = asyncio.Event()
        await call.phone.ring()
        held = await call.phone.say("when do you open")
        gave_up = await call.phone.follow(held)
        call.rasa.gate.set()
        await asyncio.sleep(0.05)  # let the late answer land (and be ignored)

    assert "taking longer than it should" in spoken(gave_up) and listens(gave_up)
