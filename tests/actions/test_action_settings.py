"""Action-server settings: defaults from the contract, env overrides, named errors."""

from __future__ import annotations

import pytest

from actions.settings import Settings, SettingsError


def test_defaults_match_the_contract() -> None:
    settings = Settings.from_env({})
    assert settings.core_banking_url == "http://127.0.0.1:8800"
    assert settings.core_banking_api_key == "dev-core-banking-key"
    assert settings.core_banking_timeout_seconds == 1.0
    assert settings.core_banking_retries == 2
    assert settings.core_banking_deadline_seconds == 2.0
    assert settings.identity_from_sender_id is False  # a client-chosen sender id is no identity


def test_env_overrides() -> None:
    settings = Settings.from_env(
        {
            "CORE_BANKING_URL": "https://core.example/",
            "CORE_BANKING_API_KEY": "k",
            "CORE_BANKING_TIMEOUT_SECONDS": "0.4",
            "CORE_BANKING_RETRIES": "0",
            "CORE_BANKING_DEADLINE_SECONDS": "1.5",
            "IDENTITY_FROM_SENDER_ID": "true",
        }
    )
    assert settings.core_banking_url == "https://core.example"
    assert settings.core_banking_timeout_seconds == 0.4
    assert settings.core_banking_retries == 0
    assert settings.core_banking_deadline_seconds == 1.5
    assert settings.identity_from_sender_id is True


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("CORE_BANKING_URL", "127.0.0.1:8800"),
        ("CORE_BANKING_URL", "ftp://core"),
        ("CORE_BANKING_TIMEOUT_SECONDS", "fast"),
        ("CORE_BANKING_TIMEOUT_SECONDS", "0"),
        ("CORE_BANKING_RETRIES", "2.5"),
        ("CORE_BANKING_RETRIES", "-1"),
        ("CORE_BANKING_DEADLINE_SECONDS", "nan"),
        ("IDENTITY_FROM_SENDER_ID", "maybe"),
    ],
)
def test_bad_values_name_the_key(key: str, value: str) -> None:
    with pytest.raises(SettingsError, match=key):
        Settings.from_env({key: value})


def test_blank_api_key_is_refused() -> None:
    with pytest.raises(SettingsError, match="CORE_BANKING_API_KEY"):
        Settings(core_banking_api_key="  ")


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().core_banking_retries = 5  # type: ignore[misc]


# -- PROFILE_STORE_URL -------------------------------------------------------------


def test_profile_store_defaults_to_a_sqlite_file_under_var() -> None:
    assert Settings.from_env({}).profile_store_url == "sqlite:///var/profile_store.sqlite3"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "postgresql://bot@db.internal:5432/profiles",
            "postgresql://bot@db.internal:5432/profiles",
        ),
        ("postgres://bot@db.internal/profiles", "postgresql://bot@db.internal/profiles"),
        ("postgresql+psycopg2://bot@db/profiles", "postgresql+psycopg2://bot@db/profiles"),
        ("sqlite:////srv/bot/profiles.sqlite3", "sqlite:////srv/bot/profiles.sqlite3"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_profile_store_url_from_env(value: str, expected: str) -> None:
    assert Settings.from_env({"PROFILE_STORE_URL": value}).profile_store_url == expected


@pytest.mark.parametrize(
    "value",
    [
        "not a url",
        "sqlite:/var/profile_store.sqlite3",
        "postgresql://bot@db:port/profiles",
        "mysql://bot@db/profiles",
        "http://db.internal/profiles",
    ],
)
def test_bad_profile_store_url_names_the_key(value: str) -> None:
    with pytest.raises(SettingsError, match="PROFILE_STORE_URL"):
        Settings.from_env({"PROFILE_STORE_URL": value})
    with pytest.raises(SettingsError, match="PROFILE_STORE_URL"):
        Settings(profile_store_url=value)


def test_profile_store_url_errors_do_not_echo_the_password() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"PROFILE_STORE_URL": "mysql://bot:s3cret-pw@db/profiles"})
    assert "s3cret-pw" not in str(refused.value)
