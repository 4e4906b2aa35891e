"""Dates in free text (English and Spanish), each normalised by ``dateparser``.

Spans are found by the regex grammar ``DATE_RULES`` (not ``dateparser.search``, which is
far too slow); each rule builds a ``DateQuery`` that ``dateparser`` reads against a given
"today". A day gives "2026-11-27"; a period ("last week", "este mes", "last 30 days",
"in March") gives {"from": ..., "to": ...} with inclusive ISO dates; "last N days/weeks/
months" runs from N units ago to today. The grain is day | week | month. Weeks run Monday
to Sunday; "last week" is the previous calendar week. Numeric dates follow the region:
month first for US (03/12/2025), day first elsewhere (``date_order_for``).
"""

import calendar
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from typing import Any, NamedTuple

from .entity_amounts import alternation

DATE_LANGUAGES = ("en", "es")
MONTH_FIRST_REGIONS = {"US", "PH", "PR", "GU", "AS", "VI", "MP", "UM", "FM", "MH", "PW"}
DateValue = str | dict[str, str]


@dataclass(frozen=True)
class DateQuery:
    """What dateparser reads for one matched span, and how its answer becomes a value.

    ``period``: None = the day itself; "calendar" = the whole week/month around that
    day; "until_today" = from that day to today ("last 30 days"). ``from_week_start``
    reads relative to the Sunday before this week ("this friday" = this week's Friday).
    """

    text: str
    language: str = "en"
    grain: str = "day"
    prefer: str = "current_period"
    period: str | None = None
    formats: tuple[str, ...] = ()
    from_week_start: bool = False


Builder = Callable[[re.Match[str]], DateQuery | None]


@dataclass(frozen=True)
class DateRule:
    language: str | None  # None: numbers only, always on
    pattern: re.Pattern[str]
    build: Builder


_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_WEEKDAYS_ES = "lunes martes miércoles jueves viernes sábado domingo".split()
_WEEKDAY_NAMES = {
    **{name: name for name in _WEEKDAYS},
    **{name[:3]: name for name in _WEEKDAYS},
    **dict(zip(_WEEKDAYS_ES, _WEEKDAYS, strict=True)),
    "tues": "tuesday", "thurs": "thursday", "miercoles": "wednesday", "sabado": "saturday",
}  # fmt: skip
_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTHS_ES = (
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre "
    "noviembre diciembre"
).split()
_COUNT_WORDS_EN = "one two three four five six seven eight nine ten".split()
_COUNT_WORDS_ES = "uno dos tres cuatro cinco seis siete ocho nueve diez".split()
_COUNTS = {
    **dict(zip(_COUNT_WORDS_EN, range(1, 11), strict=True)),
    **dict(zip(_COUNT_WORDS_ES, range(1, 11), strict=True)),
    "a": 1, "an": 1, "un": 1, "una": 1,
}  # fmt: skip
_UNITS = {
    **dict.fromkeys(("day", "days", "día", "días", "dia", "dias"), "day"),
    **dict.fromkeys(("week", "weeks", "semana", "semanas"), "week"),
    **dict.fromkeys(("month", "months", "mes", "meses"), "month"),
}
_RELATIVE_DAYS = {
    "today": "today", "tonight": "today", "yesterday": "yesterday", "tomorrow": "tomorrow",
    "hoy": "today", "ayer": "yesterday", "mañana": "tomorrow",
    "anteayer": "day before yesterday", "antier": "day before yesterday",
    "antes de ayer": "day before yesterday", "pasado mañana": "day after tomorrow",
}  # fmt: skip
_DIRECTIONS = {
    **dict.fromkeys(("last", "past", "previous", "pasado", "pasada", "anterior"), "last"),
    **dict.fromkeys(("this", "current", "este", "esta"), "this"),
    **dict.fromkeys(("next", "coming", "próximo", "proximo", "próxima", "proxima"), "next"),
    "que viene": "next",
}
_PREFER = {"last": "past", "this": "future", "next": "future"}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _count_and_unit(match: re.Match[str]) -> tuple[int, str]:
    raw = _norm(match["n"])
    return (int(raw) if raw.isdigit() else _COUNTS[raw]), _UNITS[_norm(match["unit"])]


def _relative_day(match: re.Match[str]) -> DateQuery:
    text = _norm(match.group()).removeprefix("the ")
    return DateQuery(_RELATIVE_DAYS.get(text, text))


def _weekday(match: re.Match[str]) -> DateQuery:
    direction = _DIRECTIONS[_norm(match["dir"])]
    return DateQuery(
        _WEEKDAY_NAMES[_norm(match["wd"])],
        prefer=_PREFER[direction],
        from_week_start=direction == "this",
    )


def _calendar_period(match: re.Match[str]) -> DateQuery:
    unit = _UNITS[_norm(match["unit"])]
    return DateQuery(f"{_DIRECTIONS[_norm(match['dir'])]} {unit}", grain=unit, period="calendar")


def _offset(match: re.Match[str]) -> DateQuery | None:
    if bool(match["ahead"]) == bool(match["ago"]):  # "3 days" alone is a duration
        return None
    count, unit = _count_and_unit(match)
    return DateQuery(f"{count} {unit}s ago" if match["ago"] else f"in {count} {unit}s")


def _last_n(match: re.Match[str]) -> DateQuery:
    count, unit = _count_and_unit(match)
    return DateQuery(f"{count} {unit}s ago", grain=unit, period="until_today")


def _written(language: str, **options: Any) -> Builder:
    def build(match: re.Match[str]) -> DateQuery:
        return DateQuery(_norm(match.group()), language, **options)

    return build


def _month(language: str) -> Builder:
    """A month needs a preposition or a year: "in March", "March 2025", not "may"."""

    def build(match: re.Match[str]) -> DateQuery | None:
        if not match["prep"] and not match["year"]:
            return None
        return DateQuery(_norm(match["span"]), language, grain="month", period="calendar")

    return build


_WD_EN = alternation(_WEEKDAYS, (name[:3] for name in _WEEKDAYS), ["tues", "thurs"])
_WD_ES = alternation(_WEEKDAYS_ES, ["miercoles", "sabado"])
_MON_EN = alternation(_MONTHS)
_MON_EN_ANY = alternation(_MONTHS, (name[:3] for name in _MONTHS), ["sept"])
_MON_ES = alternation(_MONTHS_ES)
_N_EN = alternation(_COUNT_WORDS_EN, ["a", "an"])
_N_ES = alternation(_COUNT_WORDS_ES, ["un", "una"])
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_YEAR = r"(?:19|20)\d\d"
_UNIT_EN = r"(?P<unit>days?|weeks?|months?)"
_UNIT_ES = r"(?P<unit>d[íi]as?|semanas?|mes(?:es)?)"
_NOT_MORNING = r"(?<!\bla\s)(?<!\besta\s)(?<!\bcada\s)"  # "esta mañana" = this morning
_SPANISH_DIRECTION = r"pasad[oa]|anterior|que\s+viene|pr[óo]xim[oa]"


def _rule(language: str | None, build: Builder, *pattern: str) -> DateRule:
    return DateRule(language, re.compile("".join(pattern), re.IGNORECASE), build)


DATE_RULES = [
    # Numeric, any language: ISO, then month/day order from the region.
    _rule(None, _written("en", formats=("%Y-%m-%d",)),
          rf"(?<![\w/.-]){_YEAR}-\d\d?-\d\d?(?![\w/-]|\.\d)"),
    _rule(None, _written("en"),
          rf"(?<![\w/.,-]){_DAY}([/.-])\d\d?\1(?:{_YEAR}|\d\d)(?![\w/-]|\.\d)"),
    # English
    _rule("en", _relative_day,
          r"\b(?:(?:the\s+)?day\s+(?:before\s+yesterday|after\s+tomorrow)",
          r"|today|tonight|yesterday|tomorrow)\b"),
    _rule("en", _weekday,
          rf"\b(?P<dir>last|past|previous|next|coming|this)\s+(?P<wd>{_WD_EN})\b"),
    _rule("en", _calendar_period,
          r"\b(?P<dir>last|past|previous|this|current|next|coming)\s+(?P<unit>week|month)\b"),
    _rule("en", _offset,
          rf"\b(?P<ahead>in\s+)?(?P<n>\d{{1,3}}|{_N_EN})\s+{_UNIT_EN}(?:\s+(?P<ago>ago))?\b"),
    _rule("en", _last_n,
          rf"\b(?:the\s+)?(?:last|past|previous)\s+(?P<n>\d{{1,3}}|{alternation(_COUNT_WORDS_EN)})",
          r"\s+(?P<unit>days|weeks|months)\b"),
    _rule("en", _written("en"),
          rf"\b{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MON_EN_ANY})\b(?:,?\s+{_YEAR}\b)?"),
    _rule("en", _written("en"),
          rf"\b(?:{_MON_EN_ANY})\.?\s+{_DAY}(?:st|nd|rd|th)?\b(?!:\d)(?:,?\s+{_YEAR}\b)?"),
    _rule("en", _month("en"),
          r"\b(?P<prep>(?:in|for|during)\s+)?",
          rf"(?P<span>(?:{_MON_EN})(?:,?\s+(?P<year>{_YEAR}))?)\b"),
    # Spanish
    _rule("es", _relative_day,
          r"\b(?:pasado\s+mañana|antes\s+de\s+ayer|anteayer|antier|ayer|hoy",
          rf"|{_NOT_MORNING}mañana)\b"),
    _rule("es", _weekday, rf"\b(?:el\s+)?(?P<dir>pasado|pr[óo]ximo|este)\s+(?P<wd>{_WD_ES})\b"),
    _rule("es", _weekday,
          rf"\b(?:el\s+)?(?P<wd>{_WD_ES})\s+(?P<dir>pasado|que\s+viene|pr[óo]ximo)\b"),
    _rule("es", _calendar_period,
          rf"\b(?:(?:la|el)\s+)?(?P<unit>semana|mes)\s+(?P<dir>{_SPANISH_DIRECTION})\b"),
    _rule("es", _calendar_period,
          r"\b(?:(?:la|el)\s+)?(?P<dir>pr[óo]xim[oa]|est[ea])\s+(?P<unit>semana|mes)\b"),
    _rule("es", _offset,
          r"\b(?:(?P<ago>hace)|(?P<ahead>dentro\s+de|en))\s+",
          rf"(?P<n>\d{{1,3}}|{_N_ES})\s+{_UNIT_ES}\b"),
    _rule("es", _last_n,
          rf"\b(?:(?:los|las)\s+)?[úu]ltim[oa]s\s+(?P<n>\d{{1,3}}|{alternation(_COUNT_WORDS_ES)})",
          r"\s+(?P<unit>d[íi]as|semanas|meses)\b"),
    _rule("es", _written("es"), rf"\b{_DAY}\s+de\s+(?:{_MON_ES})\b(?:\s+del?\s+{_YEAR}\b)?"),
    _rule("es", _month("es"),
          r"\b(?P<prep>(?:en|de|durante)\s+)?",
          rf"(?P<span>(?:{_MON_ES})(?:\s+del?\s+(?P<year>{_YEAR}))?)\b"),
]  # fmt: skip


WARM_UP_TEXT = "today, last friday, next monday, 2025-03-12, 12/03/2025, 12 March, hoy, 12 de marzo"


@lru_cache(maxsize=64)
def _date_parser(language: str, prefer: str, date_order: str, base: date) -> Any:
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": datetime.combine(base, time(12)),
        "PREFER_DATES_FROM": prefer,
        "DATE_ORDER": date_order,
    }
    return DateDataParser(languages=[language], settings=settings)


@lru_cache(maxsize=4096)
def parse_date(query: DateQuery, date_order: str, today: date) -> date | None:
    """The day dateparser reads in ``query``, relative to ``today`` (None if it reads none)."""
    base = today - timedelta(days=today.weekday() + 1) if query.from_week_start else today
    parser = _date_parser(query.language, query.prefer, date_order, base)
    try:
        found = parser.get_date_data(query.text, list(query.formats) or None).date_obj
    except (ValueError, OverflowError):
        return None
    return found.date() if found else None


def _calendar_bounds(day: date, grain: str) -> tuple[date, date]:
    if grain == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def date_value(query: DateQuery, day: date, today: date) -> DateValue:
    """ISO day, or {"from", "to"} (inclusive) for a period."""
    if query.period == "calendar":
        first, last = _calendar_bounds(day, query.grain)
        return {"from": first.isoformat(), "to": last.isoformat()}
    if query.period == "until_today":
        return {"from": day.isoformat(), "to": today.isoformat()}
    return day.isoformat()


def _date_candidates(text: str, rules: list[DateRule]) -> Iterator[tuple[int, int, DateQuery]]:
    for rule in rules:
        for match in rule.pattern.finditer(text):
            query = rule.build(match)
            if query is not None:
                group = "span" if "span" in rule.pattern.groupindex else 0
                yield match.start(group), match.end(group), query


class FoundDate(NamedTuple):
    start: int
    end: int
    value: DateValue
    grain: str


def find_dates(
    text: str, rules: list[DateRule], date_order: str, today: date, limit: int
) -> list[FoundDate]:
    """Dates the ``rules`` match in ``text``, read against ``today``.

    At most ``limit`` spans are read (each dateparser call costs ~0.3 ms).
    """
    found, impossible = [], []  # "31 February 2025" must not leave "February 2025" behind
    for start, end, query in islice(_date_candidates(text, rules), limit):
        day = parse_date(query, date_order, today)
        if day is None:
            impossible.append((start, end))
            continue
        found.append(FoundDate(start, end, date_value(query, day, today), query.grain))
    return [d for d in found if not any(s <= d.start and d.end <= t for s, t in impossible)]


def date_order_for(region: str) -> str:
    """dateparser's DATE_ORDER for numeric dates in ``region`` (ISO 3166 alpha-2)."""
    return "MDY" if region.upper() in MONTH_FIRST_REGIONS else "DMY"


def rules_for(languages: Iterable[str]) -> list[DateRule]:
    """The numeric rules plus those of ``languages``, in ``DATE_RULES`` order."""
    wanted = set(languages)
    return [rule for rule in DATE_RULES if rule.language is None or rule.language in wanted]
