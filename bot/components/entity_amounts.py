"""Money amounts in free text, as (start, end, {"amount": "1200.50", "currency": "USD"}).

An amount is a number with a currency symbol, ISO code or word ("$50", "USD 1,200.50",
"20 euros", "100 dólares", "1.5k dollars", "twenty bucks"), or a bare number right after a
money verb ("send 50 to Bob"), whose currency is the caller's default (None = unknown).
The amount is a two-decimal string computed with Decimal, never float. Spans may overlap
one another; ``StructuredEntityExtractor`` (``bot.components.entities``) resolves that.
"""

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

Money = dict[str, str | None]
Span = tuple[int, int, Money]


def alternation(*alternatives: Iterable[str]) -> str:
    """Regex alternation, longest first, so "seventeen" wins over "seven"."""
    return "|".join(sorted({w for group in alternatives for w in group}, key=len, reverse=True))


_THOUSANDS_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?")
_THOUSANDS_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?")
_NUMBER = (
    rf"(?P<num>{_THOUSANDS_COMMA.pattern}|{_THOUSANDS_DOT.pattern}|\d{{1,12}}(?:[.,]\d{{1,2}})?)"
    r"(?!\d|[.,/:-]\d)(?:(?P<short>[km])\b|\s+(?P<scale>thousand|million|grand|mil)\b)?"
)
_ALONE = r"(?<![\w.,/-])"  # not the tail of a reference such as APP-100001
_SCALES = {"k": 1000, "m": 10**6, "thousand": 1000, "million": 10**6, "grand": 1000, "mil": 1000}
_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP"}
_CODES = ("USD", "EUR", "GBP", "CAD", "MXN", "AUD", "CHF", "JPY")
_CURRENCY_WORDS = {
    **dict.fromkeys(("dollar", "dollars", "buck", "bucks", "dólar", "dólares"), "USD"),
    **dict.fromkeys(("dolar", "dolares"), "USD"),
    **dict.fromkeys(("euro", "euros"), "EUR"),
    **dict.fromkeys(("pound", "pounds", "quid", "libra", "libras"), "GBP"),
}
_NO_LETTER_BEFORE, _NO_LETTER_AFTER = r"(?<![^\W\d_])", r"(?![^\W\d_])"  # "USD50", "50USD"
_CURRENCY = (
    rf"(?P<cur>US\$|[$€£]"
    rf"|{_NO_LETTER_BEFORE}(?:{alternation(_CODES, _CURRENCY_WORDS)}){_NO_LETTER_AFTER})"
)
_MONEY_VERBS = (
    "transfer transferred send sent pay paid withdraw withdrew spend spent charge charged "
    "deposit deposited move moved wire wired lend lent refund refunded owe owed "
    "transfiere transferir transferí envía envia enviar envié manda mandar mandé paga pagar "
    "pagué retira retirar retiré gasté gastar cobraron deposita depositar deposité"
).split()
_AFTER_BARE = (
    "to into from for on at now please today tomorrow tonight via by each every per a al "
    "para desde hoy mañana ahora por"
).split()
_WITH_CURRENCY = [
    re.compile(rf"{_CURRENCY}\s?{_NUMBER}(?!\w)", re.IGNORECASE),
    re.compile(rf"{_ALONE}{_NUMBER}\s?{_CURRENCY}", re.IGNORECASE),
]
# A bare number counts only right after a money verb ("send 50 to Bob", not "pay 3 bills").
_BARE = re.compile(
    rf"{_ALONE}{_NUMBER}(?=\s*(?:$|[.,!?;:)]|(?:{alternation(_AFTER_BARE)})\b))", re.IGNORECASE
)
_MONEY_VERB_BEFORE = re.compile(
    rf"\b(?:{alternation(_MONEY_VERBS)})\s+"
    r"(?:(?:about|around|only|just|me|you|him|her|them|us)\s+)?\Z",
    re.IGNORECASE,
)
_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_NUMBER_WORDS = {
    **{word: value for value, word in enumerate(_ONES)},
    **{word: 10 * value for value, word in enumerate(_TENS, start=2)},
}
_SPELLED = alternation(_NUMBER_WORDS)
_SPELLED_AMOUNT = re.compile(
    rf"\b(?P<words>(?:{_SPELLED}|a(?=\s+(?:hundred|thousand)\b))"
    rf"(?:[\s-]+(?:and\s+)?(?:{_SPELLED}|hundred|thousand)\b)*)\s+{_CURRENCY}",
    re.IGNORECASE,
)
_CENT = Decimal("0.01")


def parse_number(raw: str) -> Decimal:
    """ "1,200.50" and "1.200,50" -> 1200.50; "20,5" -> 20.5 (comma as decimal mark)."""
    if _THOUSANDS_COMMA.fullmatch(raw):
        return Decimal(raw.replace(",", ""))
    if _THOUSANDS_DOT.fullmatch(raw):
        return Decimal(raw.replace(".", "").replace(",", "."))
    return Decimal(raw.replace(",", "."))


def parse_spelled_number(words: str) -> int:
    """ "twenty five" -> 25, "a hundred and ten" -> 110, "two thousand" -> 2000."""
    total, current = 0, 0
    for word in re.split(r"[\s-]+", words.lower()):
        if word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total, current = total + max(current, 1) * 1000, 0
        elif word in _NUMBER_WORDS:
            current += _NUMBER_WORDS[word]
    return total + current


def _currency_code(raw: str | None, default: str | None) -> str | None:
    if not raw:
        return default
    lowered = raw.lower()
    return _SYMBOLS.get(lowered) or _CURRENCY_WORDS.get(lowered) or raw.upper()


def _money(amount: Decimal, currency: str | None) -> Money:
    return {"amount": str(amount.quantize(_CENT, rounding=ROUND_HALF_UP)), "currency": currency}


def _numeric_amount(match: re.Match[str], default_currency: str | None) -> Span:
    groups = match.groupdict()
    scale = (groups["short"] or groups["scale"] or "").lower()
    amount = parse_number(groups["num"]) * _SCALES.get(scale, 1)
    currency = _currency_code(groups.get("cur"), default_currency)
    return match.start(), match.end(), _money(amount, currency)


def find_amounts(text: str, default_currency: str | None) -> list[Span]:
    """Every amount pattern's matches in ``text``; bare numbers get ``default_currency``."""
    found = [
        _numeric_amount(match, default_currency)
        for pattern in _WITH_CURRENCY
        for match in pattern.finditer(text)
    ]
    for match in _BARE.finditer(text):
        if _MONEY_VERB_BEFORE.search(text, max(0, match.start() - 40), match.start()):
            found.append(_numeric_amount(match, default_currency))
    for match in _SPELLED_AMOUNT.finditer(text):
        amount = Decimal(parse_spelled_number(match["words"]))
        currency = _currency_code(match["cur"], default_currency)
        found.append((match.start(), match.end(), _money(amount, currency)))
    return found
