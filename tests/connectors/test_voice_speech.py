"""Text for screens turned into speech: pure functions, and the TwiML built from them."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.voice_config import load_voice_config
from connectors.voice_speech import (
    Pause,
    SayAs,
    Words,
    date_words,
    money_words,
    options_prompt,
    render_plain,
    speech_for_text,
)
from connectors.voice_twiml import Next, VoiceReply, build_say, build_twiml

TODAY = date(2026, 11, 28)
BASE = "https://voice.bank.example/webhooks/bank_voice"


def heard(text: str) -> str:
    return render_plain(speech_for_text(text, TODAY))


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("$4,612.40", "4,612 dollars and 40 cents."),
        ("$1.00", "1 dollar."),
        ("$0.01", "1 cent."),
        ("$12", "12 dollars."),
        ("-$20.50", "minus 20 dollars and 50 cents."),
        ("€1,234.05", "1,234 euros and 5 cents."),
        ("£3.01", "3 pounds and 1 penny."),
    ],
)
def test_money_is_spoken_in_words(text: str, spoken: str) -> None:
    assert heard(text) == spoken


def test_money_words_takes_the_parts_of_an_amount() -> None:
    assert money_words("", "$", "4,612", "40") == "4,612 dollars and 40 cents"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("2026-11-28", "November 28."),
        ("2027-01-05", "January 5, 2027."),
        ("2026-12-03T10:00:00Z", "December 3."),
        ("December 3, 2026", "December 3."),
        ("2026-02-30", "2026-02-30."),  # not a date: left alone
    ],
)
def test_dates_are_spoken_like_a_person_would(text: str, spoken: str) -> None:
    assert heard(text) == spoken


def test_a_date_in_another_year_keeps_its_year() -> None:
    assert date_words(date(2025, 6, 1), TODAY) == "June 1, 2025"


def test_a_balance_answer_sounds_natural() -> None:
    segments = speech_for_text("Your checking account ****1234 has $4,612.40 available.", TODAY)

    assert segments == [
        Words("Your checking account ending in "),
        SayAs("1234", "digits"),
        Words(" has 4,612 dollars and 40 cents available."),
    ]
    assert render_plain(segments) == (
        "Your checking account ending in 1 2 3 4 has 4,612 dollars and 40 cents available."
    )


def test_markdown_links_and_emoji_are_not_read_out() -> None:
    text = "**Good news** 🎉 see [the fees page](https://bank.example/fees) or https://x.example"

    assert heard(text) == "Good news see the fees page or our website."


def test_lines_and_labels_become_short_sentences() -> None:
    text = (
        "Your loan application:\n"
        "- Stage: in review\n"
        "- Latest update (November 20, 2026): payslips received"
    )

    assert heard(text) == (
        "Your loan application. Stage, in review. " "Latest update, November 20, payslips received."
    )


def test_sentences_are_separated_by_pauses() -> None:
    assert speech_for_text("Hello. How can I help?", TODAY) == [
        Words("Hello."),
        Pause(300),
        Words("How can I help?"),
    ]


def test_references_are_spelled_out() -> None:
    assert SayAs("APP-100001", "spell-out") in speech_for_text("APP-100001 is in review", TODAY)
    assert heard("APP-100001 is in review") == "A P P 1 0 0 0 0 1 is in review."


def test_buttons_become_say_or_press_choices() -> None:
    segments = options_prompt(["Checking ••••1234", "**Savings**"], TODAY)

    assert render_plain(segments) == (
        "Say Checking ending in 1 2 3 4, or press 1. Say Savings, or press 2."
    )


def test_percent_and_ampersand_are_words() -> None:
    assert heard("19.9% APR & no fee") == "19.9 percent APR and no fee."


# -- TwiML ----------------------------------------------------------------------------------


def config(**overrides: str):
    return load_voice_config(
        {"auth_token": "t", "core_banking_url": "http://core", "core_banking_api_key": "k"}
        | overrides
    )


def test_ssml_voices_get_say_as_and_breaks() -> None:
    segments = [Words("Ending in "), SayAs("1234", "digits"), Words("."), Pause(300), Words("Ok.")]

    xml = str(build_say(segments, config()))

    assert xml.endswith(
        '<Say language="en-US" voice="Polly.Joanna-Neural">Ending in '
        '<say-as interpret-as="digits">1234</say-as>.<break time="300ms" />Ok.</Say>'
    )


def test_plain_voices_get_plain_text() -> None:
    segments = [Words("Ending in "), SayAs("1234", "digits"), Words(".")]

    xml = str(build_say(segments, config(voice="alice", ssml="false")))

    assert xml.endswith('<Say language="en-US" voice="alice">Ending in 1 2 3 4.</Say>')


def test_a_listening_reply_gathers_speech_and_keys() -> None:
    xml = build_twiml(VoiceReply.say("Hi."), config(), BASE)

    assert (
        f'<Gather action="{BASE}/webhook" actionOnEmptyResult="true" finishOnKey="#" '
        'input="speech dtmf" language="en-US" method="POST" speechModel="phone_call" '
        'speechTimeout="2" timeout="5">'
    ) in xml


def test_hang_up_and_hold_replies() -> None:
    bye = build_twiml(VoiceReply.say("Bye.", next=Next.HANG_UP), config(), BASE)
    hold = build_twiml(
        VoiceReply([[Words("One moment.")]], Next.HOLD, redirect_path="pending?turn=2"),
        config(),
        BASE,
    )

    assert "<Hangup />" in bye and "<Gather" not in bye
    assert f'<Redirect method="POST">{BASE}/pending?turn=2</Redirect>' in hold
    assert "<Gather" not in hold
