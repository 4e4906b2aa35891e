"""Structured entities found by rules, not learned: email, phone_number, amount, date.

Each one is appended to the message's ``entities`` (entities from other extractors stay):

    {"entity": "amount", "start": 9, "end": 21, "confidence": 1.0,
     "value": {"amount": "1200.50", "currency": "USD"},
     "extractor": "StructuredEntityExtractor"}

- ``email``: regex candidates that ``email_validator`` accepts (no DNS lookup); the value
  is the validator's normalised address.
- ``phone_number``: libphonenumber's matcher at ``Leniency.VALID`` for ``default_region``;
  the value is E.164 ("+14155550134"). Digits glued to a reference ("ACC-4155550134")
  are not phone numbers.
- ``amount``: a number with a currency symbol, ISO code or word ("$50", "USD 1,200.50",
  "20 euros", "100 dólares", "1.5k dollars", "twenty bucks"), or a bare number right after
  a money verb ("send 50 to Bob"), whose currency is ``default_currency``. The value's
  amount is a two-decimal string (Decimal, never float).
- ``date``: spans found by the regex grammar ``DATE_RULES`` (English and Spanish; not
  ``dateparser.search``, which is far too slow), each normalised by ``dateparser``
  against today's date in ``timezone``. A day gives "2026-11-27"; a period ("last week",
  "este mes", "last 30 days", "in March") gives {"from": ..., "to": ...} with inclusive
  ISO dates; "last N days/weeks/months" runs from N units ago to today. ``additional_info.grain`` is
  day | week | month. Weeks run Monday to Sunday; "last week" is the previous calendar week.
  Numeric dates follow the region: month first for US (03/12/2025), day first elsewhere.

Only the first ``max_chars`` characters are scanned. Overlaps are resolved in the order
email, phone_number, date, amount (longest span first within one dimension).

This module is the Rasa graph component (config, overlaps, message output); the rules
live in ``entity_contacts`` (email, phone_number), ``entity_amounts`` and ``entity_dates``.
"""

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from .entity_amounts import find_amounts
from .entity_contacts import find_emails, find_phone_numbers
from .entity_dates import (
    DATE_LANGUAGES,
    WARM_UP_TEXT,
    date_order_for,
    find_dates,
    rules_for,
)

EMAIL, PHONE_NUMBER, AMOUNT, DATE = "email", "phone_number", "amount", "date"
DIMENSIONS = (EMAIL, PHONE_NUMBER, AMOUNT, DATE)
OVERLAP_ORDER = (EMAIL, PHONE_NUMBER, DATE, AMOUNT)  # earlier dimensions win an overlap
# Bounds the work on a hostile message (each phone match or dateparser call costs ~0.3 ms).
MAX_PER_DIMENSION = 20
Entity = dict[str, Any]


def _entity(name: str, start: int, end: int, value: Any, **extra: Any) -> Entity:
    return {
        ENTITY_ATTRIBUTE_TYPE: name,
        ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: end,
        ENTITY_ATTRIBUTE_VALUE: value,
        "confidence": 1.0,
        **extra,
    }


def scan_window(text: str, max_chars: int) -> str:
    """The first ``max_chars`` characters, not ending in the middle of a word."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    if not text[max_chars].isspace():
        cut = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
        head = head[:cut] if cut > 0 else head
    return head


def _overlap(first: Entity, second: Entity) -> bool:
    return first["start"] < second["end"] and second["start"] < first["end"]


def resolve_overlaps(groups: list[list[Entity]]) -> list[Entity]:
    """Keep entities that overlap nothing kept before: earlier groups win, then longer spans."""
    kept: list[Entity] = []
    for group in groups:
        for entity in sorted(group, key=lambda e: (e["start"] - e["end"], e["start"])):
            if not any(_overlap(entity, other) for other in kept):
                kept.append(entity)
    return sorted(kept, key=lambda e: e["start"])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class StructuredEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Appends email, phone_number, amount and date entities to every message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Which of email, phone_number, amount, date to extract (null = all).
            "dimensions": list(DIMENSIONS),
            # ISO 3166 alpha-2 region for numbers without a country code; US also means
            # month-first numeric dates (03/12/2025), other regions day-first.
            "default_region": "US",
            # ISO 4217 code for bare amounts ("send 50 to Bob"); null = unknown.
            "default_currency": None,
            # Languages of the date grammar (numeric dates are always read).
            "date_languages": list(DATE_LANGUAGES),
            # IANA time zone that decides what "today" is.
            "timezone": "UTC",
            # Only the first max_chars characters of a message are scanned.
            "max_chars": 2000,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["phonenumbers", "email_validator", "dateparser"]

    def __init__(self, config: dict[str, Any], clock: Callable[[], datetime] | None = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self.validate_config(self.config)
        self.dimensions = set(self.config["dimensions"] or DIMENSIONS)
        self.region = self.config["default_region"].upper()
        self.date_order = date_order_for(self.region)
        self.timezone = ZoneInfo(self.config["timezone"])
        self.date_rules = rules_for(self.config["date_languages"])
        self._clock = clock or (lambda: datetime.now(self.timezone))

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Fail early, naming the bad key."""
        from phonenumbers import SUPPORTED_REGIONS

        config = {**cls.get_default_config(), **config}

        def fail(key: str, expected: str) -> None:
            raise InvalidConfigException(
                f"{cls.__name__}: '{key}' must be {expected}, got {config[key]!r}."
            )

        dimensions = config["dimensions"]
        if dimensions is not None and (
            not isinstance(dimensions, list) or not dimensions or set(dimensions) - set(DIMENSIONS)
        ):
            fail("dimensions", f"null or a non-empty list out of {list(DIMENSIONS)}")
        region = config["default_region"]
        if not isinstance(region, str) or region.upper() not in SUPPORTED_REGIONS:
            fail("default_region", "an ISO 3166 alpha-2 region code such as 'US'")
        currency = config["default_currency"]
        if currency is not None and not (
            isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)
        ):
            fail("default_currency", "null or an ISO 4217 code such as 'USD'")
        languages = config["date_languages"]
        if not isinstance(languages, list) or set(languages) - set(DATE_LANGUAGES):
            fail("date_languages", f"a list out of {list(DATE_LANGUAGES)}")
        try:
            ZoneInfo(str(config["timezone"]))
        except (ZoneInfoNotFoundError, ValueError, OSError):
            fail("timezone", "an IANA time zone name such as 'America/New_York'")
        max_chars = config["max_chars"]
        if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
            fail("max_chars", "a positive integer")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "StructuredEntityExtractor":
        extractor = cls(config)
        extractor.warm_up()
        return extractor

    def warm_up(self) -> None:
        """dateparser loads a language's data on first use (~40 ms); do it before traffic."""
        find_emails("warm.up@example.com", MAX_PER_DIMENSION)
        find_phone_numbers("+1 415 555 0134", self.region, MAX_PER_DIMENSION)
        if DATE in self.dimensions:
            self._dates(WARM_UP_TEXT, self.today())

    def today(self) -> date:
        """Today's date in the configured time zone (a naive clock reading is taken as local)."""
        now = self._clock()
        if now.tzinfo is None:
            now = now.replace(tzinfo=self.timezone)
        return now.astimezone(self.timezone).date()

    def extract(self, text: Any, today: date | None = None) -> list[Entity]:
        """Entities in ``text`` (without the extractor name), ordered by position."""
        if not isinstance(text, str) or not text.strip():
            return []
        window = scan_window(text, self.config["max_chars"])
        return resolve_overlaps(
            [self._find(name, window, today) for name in OVERLAP_ORDER if name in self.dimensions]
        )

    def _find(self, dimension: str, window: str, today: date | None) -> list[Entity]:
        spans: Sequence[tuple[int, int, Any]]
        if dimension == EMAIL:
            spans = find_emails(window, MAX_PER_DIMENSION)
        elif dimension == PHONE_NUMBER:
            spans = find_phone_numbers(window, self.region, MAX_PER_DIMENSION)
        elif dimension == AMOUNT:
            spans = find_amounts(window, self.config["default_currency"])
        else:
            return self._dates(window, today or self.today())
        return [_entity(dimension, start, end, value) for start, end, value in spans]

    def _dates(self, window: str, today: date) -> list[Entity]:
        found = find_dates(window, self.date_rules, self.date_order, today, MAX_PER_DIMENSION)
        return [
            _entity(DATE, d.start, d.end, d.value, additional_info={"grain": d.grain})
            for d in found
        ]

    def process(self, messages: list[Message]) -> list[Message]:
        """Append this extractor's entities to each message's ``entities``."""
        today = self.today()
        for message in messages:
            found = self.add_extractor_name(self.extract(message.get(TEXT), today))
            message.set(ENTITIES, [*message.get(ENTITIES, []), *found], add_to_output=True)
        return messages
