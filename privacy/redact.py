"""Find personal data in free text and replace it with a label (pure functions).

``redact("mail ali@example.org or call +1 415 555 0101")`` →
``"mail [email] or call [phone]"``. The patterns err on the side of hiding: a long
number that is not an account number is hidden too. Labels are stable so redacting
twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD_BOUNDARY_DIGITS = r"(?<![\w.-])"
_STREET_TYPES = (
    "street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|"
    "terrace|close|crescent|square|sq|parkway|pkwy|highway|hwy|circle|cir|row|walk|calle|"
    "avenida|strasse|straße|rue"
)
_CODE_WORDS = r"code|otp|pin|passcode|one-time code|verification code|security code|digits"

# Order matters: the most specific shapes first, so an IBAN is not half a phone number.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("jwt", re.compile(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*")),
    ("bearer", re.compile(r"(?i)\b(bearer)\s+[\w.~+/=-]{16,}")),
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("iban", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")),
    # 13-19 digits, optionally in groups: cards (and anything that long).
    ("card", re.compile(_WORD_BOUNDARY_DIGITS + r"\d(?:[ -]?\d){12,18}(?![\w-]|\.\d)")),
    # International or grouped phone numbers: +1 (415) 555-0101, 415-555-0101, +14155550101.
    (
        "phone",
        re.compile(
            _WORD_BOUNDARY_DIGITS
            + r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}(?![\w-])"
            + r"|\+\d{8,15}\b"
        ),
    ),
    # Account and other long numbers: 7 digits or more in a row.
    ("number", re.compile(_WORD_BOUNDARY_DIGITS + r"\d{7,}(?![\w-]|\.\d)")),
    (
        "address",
        re.compile(
            r"(?i)\b\d{1,5}[a-z]?\s+(?:[a-zà-ÿ'.-]+\s+){1,4}(?:" + _STREET_TYPES + r")\b\.?"
        ),
    ),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")),  # UK
)
# A 4-8 digit code next to a word that says it is one: "code 123456", "PIN: 4321".
CODE_IN_CONTEXT = re.compile(
    r"(?i)\b(" + _CODE_WORDS + r")\b([^\d\n]{0,20}?)(\d(?:[ -]?\d){3,7})(?!\d)"
)
# A US ZIP only where a word says it is one.
ZIP_IN_CONTEXT = re.compile(
    r"(?i)\b(zip|postcode|postal code|post code)\b(\W{0,5})(\d{5}(?:-\d{4})?)"
)
# A message that is nothing but a short number is a code or a PIN.
BARE_CODE = re.compile(r"\s*\d(?:[ -]?\d){3,7}\s*")


def label(kind: str) -> str:
    return f"[{kind}]"


def _keep_prefix(kind: str) -> Callable[[re.Match[str]], str]:
    return lambda found: f"{found.group(1)}{found.group(2)}{label(kind)}"


def _phone(found: re.Match[str]) -> str:
    """Grouped digits are a phone number only with 9 to 15 digits (not a date)."""
    digits = sum(char.isdigit() for char in found.group(0))
    return label("phone") if 9 <= digits <= 15 else found.group(0)


def redact(text: str) -> str:
    """``text`` with every pattern's match replaced by its label."""
    if not text:
        return text
    text = CODE_IN_CONTEXT.sub(_keep_prefix("code"), text)
    text = ZIP_IN_CONTEXT.sub(_keep_prefix("postcode"), text)
    for kind, pattern in PATTERNS:
        if kind == "bearer":
            text = pattern.sub(lambda found: f"{found.group(1)} {label('token')}", text)
        elif kind == "phone":
            text = pattern.sub(_phone, text)
        else:
            text = pattern.sub(label(kind), text)
    return text


def redact_message(text: str) -> str:
    """A customer's message: ``redact``, and a message that is only a number is a code."""
    if BARE_CODE.fullmatch(text or ""):
        return label("code")
    return redact(text)
