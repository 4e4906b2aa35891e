"""The patterns, the log filter (as bot/logging.yml installs it) and the policy file."""

from __future__ import annotations

import copy
import logging
import logging.config
from pathlib import Path

import pytest
import yaml

from privacy.log_filter import RedactingFilter, Redactor
from privacy.masking import mask_event
from privacy.policy import PolicyError, load_policy, policy_from_dict
from privacy.redact import redact, redact_message

ROOT = Path(__file__).resolve().parents[2]
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJDVVNULTAwMDEifQ.c2lnbmF0dXJlX2hlcmU"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail ali.morgan@example.org now", "mail [email] now"),
        ("call +1 415 555 0101 or (415) 555-0101", "call [phone] or [phone]"),
        ("+14155550101", "[phone]"),
        ("account 4820193746", "account [number]"),
        ("card 4111 1111 1111 1111", "card [card]"),
        ("IBAN GB29 NWBK 6016 1331 9268 19", "IBAN [iban]"),
        ("your code is 483920", "your code is [code]"),
        ("PIN: 4321", "PIN: [code]"),
        ("I moved to 221 Juniper Lane, Springfield", "I moved to [address], Springfield"),
        ("zip 62704", "zip [postcode]"),
        ("SW1A 1AA", "[postcode]"),
        (f"token {JWT}", "token [jwt]"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz", "Authorization: Bearer [token]"),
    ],
)
def test_personal_data_is_replaced_by_a_label(text, expected):
    assert redact(text) == expected
    assert redact(expected) == expected  # stable


@pytest.mark.parametrize(
    "text",
    [
        "2026-05-01 took 1234 ms",
        "APP-100001 for CUST-0001 in web-c293a7b09332465c21af5b19",
        "GET /v1/customers/CUST-0001/contact HTTP/1.1 200",
        "127.0.0.1:5005 ticket_id=12 timestamp 1795901732.0531006",
        "$4,612.40 available",
    ],
)
def test_what_is_not_personal_is_left_alone(text):
    assert redact(text) == text


def test_a_message_that_is_only_a_number_is_a_code():
    assert redact_message(" 483 920 ") == "[code]"
    assert redact_message("APP-100001") == "APP-100001"


def test_rasa_debug_lines_lose_the_customers_words():
    redactor = Redactor(["contact_email", "contact_address_city"])
    assert (
        redactor("Received user message 'I am getting divorced' with intent '{}'")
        == "Received user message '[message]' with intent '{}'"
    )
    assert redactor('{"parse_data_text": "I am getting divorced", "x": 1}') == (
        '{"parse_data_text": "[message]", "x": 1}'
    )
    assert redactor("[state 3] user text: I am sad | previous action name: x") == (
        "[state 3] user text: [message] | previous action name: x"
    )
    assert redactor("SlotSet(key: contact_address_city, value: Springfield)") == (
        "SlotSet(key: contact_address_city, value: [slot])"
    )


def test_the_logging_config_redacts_every_logger_and_exception(tmp_path, capsys):
    config = yaml.safe_load((ROOT / "bot" / "logging.yml").read_text())
    config["filters"]["redact_personal_data"]["policy"] = str(ROOT / "bot" / "privacy.yml")
    config["handlers"]["console"]["stream"] = "ext://sys.stdout"
    previous_factory = logging.getLogRecordFactory()
    logging.config.dictConfig(config)
    try:
        late = logging.getLogger("sanic.access")  # a handler added after the config
        late_handler = logging.StreamHandler(open(tmp_path / "late.log", "w"))  # noqa: SIM115
        late.addHandler(late_handler)
        late.propagate = False
        late.info("POST /webhook from ali@example.org")
        try:
            raise ValueError("account 4820193746")
        except ValueError:
            logging.getLogger("rasa.core").exception("failed for %s", "+1 415 555 0101")
        late_handler.close()
        out = capsys.readouterr().out
        assert "[phone]" in out and "ValueError: account [number]" in out
        assert "4820193746" not in out and "415 555" not in out
        assert (tmp_path / "late.log").read_text().strip() == "POST /webhook from [email]"
    finally:
        logging.setLogRecordFactory(previous_factory)
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        logging.getLogger("sanic.access").propagate = True


def test_uvicorn_access_arguments_stay_a_tuple():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/x?email=ali@example.org", "1.1", 200), None,
    )  # fmt: skip
    RedactingFilter().filter(record)
    assert record.args == ("127.0.0.1:1", "GET", "/x?email=[email]", "1.1", 200)


def test_events_are_masked_by_the_policy():
    policy = policy_from_dict({"personal_slots": ["contact_email"], "user_text": "drop"})
    user = {
        "event": "user",
        "text": "I'm sad",
        "parse_data": {"text": "I'm sad", "entities": [{"entity": "x", "value": "y"}]},
        "metadata": {"from": "+15005550006"},
    }
    as_given = copy.deepcopy(user)
    masked = mask_event(user, policy)
    assert masked["text"] == masked["parse_data"]["text"] == "[message]"
    assert masked["parse_data"]["entities"][0]["value"] == "[entity]"
    assert masked["metadata"] == {"from": "[phone]"}
    assert user == as_given  # the input is not changed, at any depth
    slot = mask_event({"event": "slot", "name": "contact_email", "value": "a@b.org"}, policy)
    assert slot["value"] == "[slot]"
    assert (
        mask_event({"event": "slot", "name": "contact_email", "value": None}, policy)["value"]
        is None
    )


def test_the_policy_file_loads_and_bad_keys_are_named():
    policy = load_policy(ROOT / "bot" / "privacy.yml")
    assert "contact_email" in policy.kept_slots("contact_details_form")
    assert policy.kept_slots(None) == frozenset()
    with pytest.raises(PolicyError, match="unknown key 'retention'"):
        policy_from_dict({"retention": 3})
    with pytest.raises(PolicyError, match="user_text"):
        policy_from_dict({"user_text": "hide"})
    with pytest.raises(PolicyError, match="retention_days"):
        policy_from_dict({"retention_days": 0})
    with pytest.raises(PolicyError, match="not a personal_slot"):
        policy_from_dict({"personal_slots": ["a"], "keep_during_form": {"f": ["b"]}})
