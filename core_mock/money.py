"""Money arithmetic: amounts are stored as integer minor units and shown as Decimal strings."""

from decimal import Decimal, DecimalException

# ISO 4217 codes the mock books, with the number of minor-unit digits of each.
CURRENCY_DIGITS: dict[str, int] = {"USD": 2, "EUR": 2, "GBP": 2, "MXN": 2, "JPY": 0}

# Largest single movement the core accepts, in major units; guards against absurd input.
MAX_AMOUNT = Decimal("1000000000")


class MoneyError(ValueError):
    """An amount or currency the core cannot book; the message is safe to show to callers."""


def minor_digits(currency: str) -> int:
    try:
        return CURRENCY_DIGITS[currency]
    except KeyError:
        supported = ", ".join(sorted(CURRENCY_DIGITS))
        raise MoneyError(f"unsupported currency {currency!r}; supported: {supported}") from None


def to_minor(amount: Decimal, currency: str) -> int:
    """Convert a major-unit amount to integer minor units, refusing to round."""
    digits = minor_digits(currency)
    if not amount.is_finite():
        raise MoneyError("amount must be a finite number")
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError(f"amount must not exceed {MAX_AMOUNT} in absolute value")
    try:
        quantized = amount.quantize(Decimal(1).scaleb(-digits))
    except DecimalException:
        raise MoneyError("amount is not a valid number") from None
    if quantized != amount:
        raise MoneyError(f"{currency} amounts have at most {digits} decimal places")
    return int(quantized.scaleb(digits))


def from_minor(minor: int, currency: str) -> Decimal:
    """Convert integer minor units back to a Decimal with the currency's digits."""
    digits = minor_digits(currency)
    return Decimal(minor).scaleb(-digits)


def format_amount(minor: int, currency: str) -> str:
    """The JSON form of an amount: a plain decimal string such as ``"-1523.40"``."""
    return f"{from_minor(minor, currency):f}"
