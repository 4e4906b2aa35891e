"""Time helpers: every datetime inside the mock is timezone-aware UTC."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def to_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC; naive datetimes are a programming error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(timezone.utc)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def add_business_days(day: date, count: int) -> date:
    """The date ``count`` weekdays after ``day`` (weekends skipped, holidays ignored)."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
