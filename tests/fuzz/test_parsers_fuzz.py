"""Property-based tests of the parsers and validators that read what strangers send.

Each property is what the code promises for *any* input: no exception other than the
documented one, and results that keep the invariants later code relies on."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from actions import contact_values
from bot.components.entity_amounts import find_amounts
from bot.components.entity_contacts import find_emails, find_phone_numbers
from connectors.agent_desk.schemas import MessageCreate, SignIn, TicketClose, TicketCreate
from connectors.voice_calls import CallEvent, _chosen_option, call_event_from_form
from connectors.voice_speech import render_plain, speech_for_text, spoken_words
from connectors.voice_verification import customer_id_from_keys
from connectors.web_auth import CUSTOMER_ID, TokenRejected, TokenVerifier, bearer_token
from connectors.web_messages import (
    MAX_MESSAGE_CHARS,
    BodyInvalid,
    MessageInvalid,
    bot_message,
    client_metadata,
    json_object,
    message_text,
    transcript,
    visitor_conversation_id,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)
any_text = st.text(st.characters(codec=None), max_size=300)  # lone surrogates, NUL, everything


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


# ---- web channel -------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=600) | st.builds(lambda v: repr(v).encode(), json_values))
def test_json_object_gives_a_dict_or_a_body_error(body: bytes) -> None:
    try:
        assert isinstance(json_object(body), dict)
    except BodyInvalid as invalid:
        assert invalid.status in (400, 413) and invalid.code


@FUZZ
@given(st.dictionaries(st.text(), json_values, max_size=4) | json_values)
def test_message_text_is_clean_text_or_message_invalid(data: object) -> None:
    try:
        text = message_text(data)
    except MessageInvalid:
        return
    assert text and text == text.strip() and len(text) <= MAX_MESSAGE_CHARS and _storable(text)


@FUZZ
@given(
    st.fixed_dictionaries(
        {
            "message": any_text,
            "metadata": st.dictionaries(
                st.sampled_from(["locale", "client", "display_text", "customer_id", "auth"]),
                any_text | json_values,
                max_size=5,
            ),
        }
    )
)
def test_client_metadata_keeps_only_harmless_keys(data: dict) -> None:
    kept = client_metadata(data)
    assert set(kept) <= {"locale", "client", "display_text"}
    assert all(isinstance(v, str) and _storable(v) and len(v) <= 200 for v in kept.values())


@FUZZ
@given(json_values)
def test_a_visitor_id_is_never_a_customers_conversation(claimed: object) -> None:
    conversation = visitor_conversation_id(claimed)
    assert conversation.startswith("visitor-") and len(conversation) == 44


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["text", "buttons", "custom", "image", "quick_replies"]),
        json_values,
        max_size=5,
    )
)
def test_bot_message_renders_any_response_without_crashing(response: dict) -> None:
    message = bot_message(response)  # found: {"buttons": {"a": 1}} raised TypeError
    assert message["sender"] in ("bot", "agent")
    assert all(set(button) == {"title", "payload"} for button in message.get("buttons", []))


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "event": st.sampled_from(["user", "bot", "slot"]),
                "text": st.none() | any_text,
                "timestamp": st.none() | st.floats(0, 2e9),
            }
        ),
        max_size=8,
    )
)
def test_transcript_from_any_events(events: list[dict]) -> None:
    assert len(transcript(events)) <= len(events)


@FUZZ
@given(st.none() | any_text)
def test_bearer_token_parses_any_header(header: str | None) -> None:
    token = bearer_token(header)
    assert token is None or (token and token == token.strip())


@pytest.fixture(scope="module")
def verifier() -> TokenVerifier:
    return TokenVerifier("HS256", "s" * 40, "https://login.test", "bank-assistant")


@FUZZ
@given(
    token=any_text | st.from_regex(r"[A-Za-z0-9_-]{0,40}\.[A-Za-z0-9_-]{0,60}\.[A-Za-z0-9_-]{0,40}")
)
def test_a_random_token_is_always_rejected_cleanly(verifier: TokenVerifier, token: str) -> None:
    with pytest.raises(TokenRejected) as rejected:
        verifier.verify(token)
    assert rejected.value.code.startswith("token_")


# ---- voice ------------------------------------------------------------------------------


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["CallSid", "SpeechResult", "Digits", "CallStatus"]), any_text, max_size=4
    )
)
def test_call_events_from_any_form(form: dict[str, str]) -> None:
    event = call_event_from_form(form)
    assert event is None or (event.call_sid.isascii() and event.call_sid.isalnum())


@FUZZ
@given(
    any_text, st.lists(st.fixed_dictionaries({"title": any_text, "payload": any_text}), max_size=4)
)
def test_keypad_choices_from_any_keys(keys: str, options: list[dict[str, str]]) -> None:
    chosen = _chosen_option(options, CallEvent("CA1", speech=keys, digits=keys))
    assert chosen is None or chosen in [option["payload"] for option in options]


@FUZZ
@given(any_text)
def test_customer_numbers_from_any_keys(keys: str) -> None:
    customer = customer_id_from_keys(keys)
    assert customer is None or CUSTOMER_ID.fullmatch(customer)


@FUZZ
@given(st.text(max_size=300))
def test_any_reply_can_be_spoken(text: str) -> None:
    segments = speech_for_text(text, date(2026, 11, 28))
    assert isinstance(render_plain(segments), str)
    assert isinstance(spoken_words(text, date(2026, 11, 28)), str)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="$£€0123456789,. ", min_size=1, max_size=60))
def test_money_rendering_is_fast_for_digit_soup(text: str) -> None:
    started = time.perf_counter()
    spoken_words(text * 20, date(2026, 11, 28))
    assert time.perf_counter() - started < 1.0


# ---- desk schemas ----------------------------------------------------------------------------


@FUZZ
@given(json_values)
def test_desk_bodies_validate_or_raise_validation_errors(value: object) -> None:
    from pydantic import ValidationError

    for schema in (TicketCreate, SignIn, MessageCreate, TicketClose):
        try:
            schema.parse_obj(value)
        except ValidationError:
            pass


# ---- actions' validators -----------------------------------------------------------------------


@FUZZ
@example("١٢٣٤")  # found: Arabic-Indic digits passed as a one-time code
@given(any_text | json_values)
def test_contact_validators_take_anything(value: object) -> None:
    assert contact_values.parse_field(value) in (None, "email", "phone", "address")
    email = contact_values.parse_email(value)
    assert email is None or "@" in email
    phone = contact_values.parse_phone(value)
    assert phone is None or (phone.startswith("+") and phone[1:].isdigit())
    code = contact_values.parse_code(value)
    assert code is None or (code.isascii() and code.isdigit() and 4 <= len(code) <= 8)
    for part in (contact_values.parse_text_part(value), contact_values.parse_country(value)):
        assert part is None or isinstance(part, str)


# ---- NLU entity parsing --------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_entity_parsers_take_any_message(text: str) -> None:
    find_amounts(text, "USD")
    find_emails(text, 5)
    find_phone_numbers(text, "US", 5)
