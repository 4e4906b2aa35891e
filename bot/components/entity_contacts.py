"""Email addresses and phone numbers in free text, as (start, end, normalised value).

- Emails: regex candidates that ``email_validator`` accepts (no DNS lookup); the value is
  the validator's normalised address.
- Phone numbers: libphonenumber's matcher at ``Leniency.VALID`` for a default region; the
  value is E.164 ("+14155550134"). Digits glued to a reference ("ACC-4155550134") are not
  phone numbers.

Both libraries are imported on first use, so a message without "@" or seven digits costs
only a regex scan. ``StructuredEntityExtractor`` (``bot.components.entities``) turns the
spans into Rasa entities.
"""

import re
from itertools import islice

Span = tuple[int, int, str]

_EMAIL_CANDIDATE = re.compile(r"(?<![\w.%+'-])[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT = re.compile(r"\d")
_GLUED_BEFORE = re.compile(r"[\w-]$")


def find_emails(text: str, limit: int) -> list[Span]:
    """Valid addresses in ``text``, at most ``limit``."""
    if "@" not in text:
        return []
    from email_validator import EmailNotValidError, validate_email

    found = []
    for match in _EMAIL_CANDIDATE.finditer(text):
        try:
            result = validate_email(match.group(), check_deliverability=False)
        except EmailNotValidError:
            continue
        found.append((match.start(), match.end(), result.normalized))
        if len(found) == limit:
            break
    return found


def find_phone_numbers(text: str, region: str, limit: int) -> list[Span]:
    """Valid numbers in ``text`` (``region`` for those without a country code), in E.164.

    At most ``limit`` matcher results are looked at.
    """
    if len(_DIGIT.findall(text)) < 7:  # no phone number is shorter; skips most messages
        return []
    from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, format_number

    found = []
    matches = PhoneNumberMatcher(text, region, leniency=Leniency.VALID)
    for match in islice(matches, limit):
        if _GLUED_BEFORE.search(text, 0, match.start):  # e.g. ACC-4155550134
            continue
        found.append((match.start, match.end, format_number(match.number, PhoneNumberFormat.E164)))
    return found
