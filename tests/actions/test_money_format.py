"""Money formatting: babel, the account's currency, the customer's locale, no floats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actions.clients.models import Money
from actions.money import format_money, locale_for


@pytest.mark.parametrize(
    ("language", "locale"),
    [("en", "en_US"), ("es", "es_ES"), ("ES", "es_ES"), (None, "en_US"), ("fr", "en_US")],
)
def test_locale_for_customer_language(language, locale) -> None:
    assert locale_for(language) == locale


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1523.40", "USD", "en_US", "$1,523.40"),
        ("1523.40", "EUR", "en_US", "€1,523.40"),
        ("1523.40", "EUR", "es_ES", "1.523,40\xa0€"),
        ("12345.67", "USD", "es_ES", "12.345,67\xa0US$"),
        ("-50.00", "USD", "en_US", "-$50.00"),
        ("0", "USD", "en_US", "$0.00"),
    ],
)
def test_format_money(amount, currency, locale, expected) -> None:
    assert format_money(Money(amount=Decimal(amount), currency=currency), locale) == expected


def test_amounts_that_floats_would_round_wrongly_stay_exact() -> None:
    total = Decimal("0.1") + Decimal("0.2")
    assert format_money(Money(amount=total, currency="USD")) == "$0.30"
    big = Money(amount=Decimal("12345678901234.565"), currency="USD")
    assert format_money(big) == "$12,345,678,901,234.56"  # half-even, exact digits
