"""Money for humans: babel formatting in the account's currency and the customer's locale."""

from __future__ import annotations

from babel.numbers import format_currency

from actions.clients.models import Money

DEFAULT_LOCALE = "en_US"
LOCALE_BY_LANGUAGE = {"en": "en_US", "es": "es_ES"}


def locale_for(language: str | None) -> str:
    """Babel locale for a customer language code (``en`` → ``en_US``); English if unknown."""
    return LOCALE_BY_LANGUAGE.get((language or "").strip().lower(), DEFAULT_LOCALE)


def format_money(money: Money, locale: str = DEFAULT_LOCALE) -> str:
    """``Money(1523.40, USD)`` → ``$1,523.40`` (en_US) / ``1523,40 US$`` (es_ES).

    The Decimal goes to babel as is: no float ever touches the amount.
    """
    return format_currency(money.amount, money.currency, locale=locale)
