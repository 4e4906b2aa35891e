"""The channel's credentials are checked at load; a bad value names its key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.exceptions import InvalidConfigException

from connectors.voice import BankVoiceInput
from connectors.voice_config import DEFAULT_SIGN_IN_RESPONSES, load_voice_config

REQUIRED = {
    "auth_token": "token",
    "core_banking_url": "http://127.0.0.1:8800/",
    "core_banking_api_key": "key",
}
CREDENTIALS_FILE = Path(__file__).resolve().parents[2] / "bot" / "credentials.yml"


def test_strings_from_the_environment_are_parsed() -> None:
    config = load_voice_config(
        REQUIRED
        | {
            "public_url": "https://voice.example/webhooks/bank_voice/",
            "ssml": "false",
            "voice": "woman",
            "response_budget_seconds": "6.5",
            "max_silences": "2",
            "sign_in_responses": "utter_a, utter_b",
        }
    )

    assert config.core_banking_url == "http://127.0.0.1:8800"
    assert config.public_url == "https://voice.example/webhooks/bank_voice"
    assert config.ssml is False and config.voice == "woman"
    assert config.response_budget_seconds == 6.5 and config.max_silences == 2
    assert config.sign_in_responses == ("utter_a", "utter_b")


def test_defaults() -> None:
    config = load_voice_config(REQUIRED)

    assert config.public_url == "" and config.ssml is True
    assert config.response_budget_seconds == 8.0
    assert config.sign_in_responses == DEFAULT_SIGN_IN_RESPONSES


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"auth_token": ""}, "auth_token"),
        ({"core_banking_api_key": None}, "core_banking_api_key"),
        ({"core_banking_url": "core:8800"}, "core_banking_url"),
        ({"public_url": "https://x.example/?a=1"}, "public_url"),
        ({"ssml": "yes"}, "ssml"),
        ({"response_budget_seconds": "20"}, "response_budget_seconds"),
        ({"max_silences": "two"}, "max_silences"),
        ({"voice": "robot"}, "voice"),
        ({"voice": "alice"}, "ssml"),  # SSML is on by default; alice would read the tags
        ({"speech_timeout": "auto"}, "speech_timeout"),
        ({"speech_model": "best"}, "speech_model"),
        ({"core_banking_timeout_seconds": "9"}, "core_banking_timeout_seconds"),
        ({"auth_tokn": "typo"}, "auth_tokn"),
    ],
)
def test_a_bad_value_names_its_key(overrides: dict, key: str) -> None:
    with pytest.raises(InvalidConfigException, match=f"'{key}'"):
        BankVoiceInput.from_credentials(REQUIRED | overrides)


def test_a_missing_required_key_is_named() -> None:
    with pytest.raises(InvalidConfigException, match="'core_banking_url'"):
        load_voice_config({"auth_token": "t", "core_banking_api_key": "k"})


def test_the_credentials_file_reads_every_value_from_the_environment() -> None:
    section = yaml.safe_load(CREDENTIALS_FILE.read_text())["connectors.voice.BankVoiceInput"]

    assert section, "bot/credentials.yml has no voice section"
    for key, value in section.items():
        assert isinstance(value, str) and value.startswith("${"), key
    assert section["auth_token"] == "${TWILIO_AUTH_TOKEN}"
    env = {value[2:-1]: "true" if key == "ssml" else "1" for key, value in section.items()}
    filled = {key: env[value[2:-1]] for key, value in section.items()}
    filled |= {"auth_token": "t", "core_banking_url": "http://core", "voice": "Polly.Amy"}
    filled |= {"public_url": "", "core_banking_timeout_seconds": "0.5", "state_redis_url": ""}
    assert load_voice_config(filled).ssml is True
