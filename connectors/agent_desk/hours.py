"""When agents are on duty: ``always``, or day ranges with times in one time zone.

``Mon-Fri 08:00-20:00 Europe/London``; several windows separated by commas:
``Mon-Fri 08:00-20:00, Sat 09:00-13:00 Europe/London``. A window's end is exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(
    r"(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2}|24:00)"
)


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # Monday is 0
    start: time
    end: time | None  # None: until midnight

    def contains(self, local: datetime) -> bool:
        if local.weekday() not in self.days:
            return False
        now = local.time()
        return self.start <= now and (self.end is None or now < self.end)


@dataclass(frozen=True)
class AgentHours:
    windows: tuple[Window, ...]
    zone: ZoneInfo | None  # None: always on duty

    @classmethod
    def parse(cls, spec: str) -> AgentHours:
        """Parse ``spec``; ``ValueError`` says what is wrong with it."""
        text = spec.strip()
        if text.lower() == "always":
            return cls((), None)
        body, _, zone_name = text.rpartition(" ")
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "must be 'always' or like 'Mon-Fri 08:00-20:00 Europe/London' "
                "(ending with an IANA time zone)"
            ) from None
        windows = tuple(_window(part.strip().lower()) for part in body.split(","))
        return cls(windows, zone)

    def on_duty(self, now: datetime) -> bool:
        """Whether agents are on duty at the aware datetime ``now``."""
        if self.zone is None:
            return True
        local = now.astimezone(self.zone)
        return any(window.contains(local) for window in self.windows)


def _window(part: str) -> Window:
    match = _WINDOW.fullmatch(part)
    if not match:
        raise ValueError(f"window {part!r} must look like 'Mon-Fri 08:00-20:00'")
    first, last = match["first"], match["last"] or match["first"]
    if first not in DAYS or last not in DAYS:
        raise ValueError(f"days must be among {', '.join(d.title() for d in DAYS)}")
    start_day, end_day = DAYS.index(first), DAYS.index(last)
    span = (
        range(start_day, end_day + 1)
        if start_day <= end_day
        else [*range(start_day, 7), *range(end_day + 1)]
    )
    start = _clock_time(match["start"])
    end = None if match["end"] in ("24:00", "00:00") else _clock_time(match["end"])
    if end is not None and end <= start:
        raise ValueError(f"window {part!r} must end after it starts")
    return Window(frozenset(span), start, end)


def _clock_time(value: str) -> time:
    hours, minutes = (int(piece) for piece in value.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(f"{value} is not a time of day")
    return time(hours, minutes)
