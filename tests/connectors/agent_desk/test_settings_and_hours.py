"""The desk's settings name the bad variable; agent hours decide live or callback."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from connectors.agent_desk.hours import AgentHours
from connectors.agent_desk.settings import ConfigurationError, load_settings

GOOD = {"service_token": "s" * 16, "session_secret": "k" * 32}


def test_defaults_are_documented_values(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DESK_DATABASE_URL", "RASA_URL", "RASA_API_TOKEN", "DESK_AGENT_HOURS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(**GOOD)
    assert settings.database_url == "sqlite:///var/handoff.sqlite3"
    assert settings.rasa_url == "http://127.0.0.1:5005" and settings.rasa_api_token is None
    assert settings.agent_hours == "always" and settings.sync_interval_seconds == 1.0
    assert settings.demo_agents is False


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_SERVICE_TOKEN", "t" * 20)
    monkeypatch.setenv("DESK_SESSION_SECRET", "z" * 40)
    monkeypatch.setenv("RASA_URL", "http://rasa.internal:5005/")
    monkeypatch.setenv("DESK_AGENT_HOURS", "Mon-Fri 08:00-20:00 Europe/London")
    monkeypatch.setenv("DESK_DEMO_AGENTS", "true")
    settings = load_settings()
    assert settings.service_token == "t" * 20 and settings.rasa_url == "http://rasa.internal:5005"
    assert settings.demo_agents is True


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"service_token": "short"}, "HANDOFF_SERVICE_TOKEN"),
        ({"session_secret": "too-short"}, "DESK_SESSION_SECRET"),
        ({"database_url": "mysql://db"}, "DESK_DATABASE_URL"),
        ({"database_url": "sqlite://"}, "DESK_DATABASE_URL"),
        ({"rasa_url": "rasa:5005"}, "RASA_URL"),
        ({"agent_hours": "weekdays"}, "DESK_AGENT_HOURS"),
        ({"agent_hours": "Mon-Fri 20:00-08:00 Europe/London"}, "DESK_AGENT_HOURS"),
        ({"agent_hours": "Mon-Fri 08:00-20:00 Mars/Olympus"}, "DESK_AGENT_HOURS"),
        ({"sync_interval_seconds": 0}, "DESK_SYNC_INTERVAL_SECONDS"),
    ],
)
def test_a_bad_setting_is_named(overrides: dict, named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        load_settings(**{**GOOD, **overrides})


def test_a_missing_service_token_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDOFF_SERVICE_TOKEN", raising=False)
    with pytest.raises(ConfigurationError, match="HANDOFF_SERVICE_TOKEN"):
        load_settings(session_secret="k" * 32)


def _at(year_month_day_hour_minute: tuple[int, ...], zone: str = "UTC") -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*year_month_day_hour_minute, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    ("local", "on_duty"),
    [
        ((2026, 11, 30, 8, 0), True),  # Monday 08:00 London
        ((2026, 11, 30, 7, 59), False),
        ((2026, 11, 30, 19, 59), True),
        ((2026, 11, 30, 20, 0), False),  # the end is exclusive
        ((2026, 12, 5, 10, 0), True),  # Saturday morning window
        ((2026, 12, 5, 13, 0), False),
        ((2026, 12, 6, 10, 0), False),  # Sunday
        ((2026, 7, 1, 8, 30), True),  # summer time: 07:30 UTC is 08:30 in London
    ],
)
def test_agent_hours_in_the_local_time_zone(local: tuple[int, ...], on_duty: bool) -> None:
    hours = AgentHours.parse("Mon-Fri 08:00-20:00, Sat 09:00-13:00 Europe/London")
    moment = _at(local, "Europe/London").astimezone(timezone.utc)
    assert hours.on_duty(moment) is on_duty


def test_always_and_wrapping_day_ranges() -> None:
    assert AgentHours.parse("always").on_duty(datetime.now(timezone.utc))
    weekend = AgentHours.parse("Fri-Mon 00:00-24:00 UTC")
    assert weekend.on_duty(_at((2026, 12, 6, 23, 59)))  # Sunday
    assert not weekend.on_duty(_at((2026, 12, 2, 12, 0)))  # Wednesday
