"""Contact-detail values: parse, validate, mask (pure functions, no I/O).

Every ``parse_*`` returns the normalised value, or ``None`` when the text is not
acceptable; callers decide what to say. Nothing here logs: the values are personal.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

from actions.clients.models import ContactDetails, ContactFieldName, PostalAddress

DEFAULT_REGION = "US"
FIELD_ALIASES = {
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "correo": "email",
    "phone": "phone",
    "number": "phone",
    "mobile": "phone",
    "cell": "phone",
    "telephone": "phone",
    "telefono": "phone",
    "teléfono": "phone",
    "address": "address",
    "postal": "address",
    "home": "address",
    "direccion": "address",
    "dirección": "address",
}
# The form's contact_field values and the API's field names.
API_FIELDS: dict[str, ContactFieldName] = {
    "email": "email",
    "phone": "phone",
    "address": "postal_address",
}
FIELD_LABELS = {"email": "email address", "phone": "phone number", "address": "postal address"}
# The code goes to a contact already on file, and never to the one being replaced:
# someone who lost the old phone can still receive it by e-mail, and the other way round.
CODE_CHANNELS = {"email": "sms", "phone": "email", "address": "sms"}
CODE_PATTERN = re.compile(r"\d{4,8}", re.ASCII)  # keypad digits, not any Unicode digit
COUNTRY_ALIASES = {"usa": "US", "uk": "GB", "britain": "GB", "england": "GB", "america": "US"}
POSTCODE_PATTERNS = {
    "US": re.compile(r"\d{5}(-\d{4})?"),
    "GB": re.compile(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"),
    "CA": re.compile(r"[A-Z]\d[A-Z] ?\d[A-Z]\d"),
    "ES": re.compile(r"\d{5}"),
    "DE": re.compile(r"\d{5}"),
    "FR": re.compile(r"\d{5}"),
    "MX": re.compile(r"\d{5}"),
}
GENERIC_POSTCODE = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,10}[A-Z0-9]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def parse_field(text: Any) -> str | None:
    """``"my e-mail"`` → ``email``; ``phone`` and ``address`` likewise; else ``None``."""
    if not isinstance(text, str):
        return None
    words = re.findall(r"[\w-]+", text.lower())
    return next((FIELD_ALIASES[w] for w in words if w in FIELD_ALIASES), None)


def parse_email(text: Any) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    from email_validator import EmailNotValidError, validate_email

    try:
        return str(validate_email(text.strip(), check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


def parse_phone(text: Any, region: str = DEFAULT_REGION) -> str | None:
    """A valid number (national numbers read in ``region``), as E.164."""
    if not isinstance(text, str) or not text.strip():
        return None
    import phonenumbers

    try:
        number = phonenumbers.parse(text.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_region(contact: ContactDetails | None) -> str:
    """Where national numbers are read: the country of the phone on file, else of the
    address on file, else the US."""
    if contact is None:
        return DEFAULT_REGION
    import phonenumbers

    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(contact.phone))
    except phonenumbers.NumberParseException:
        region = None
    if region and region != "ZZ":
        return str(region)
    country = contact.postal_address.country
    return country if country in _countries() else DEFAULT_REGION


def parse_text_part(text: Any, *, min_length: int = 2, max_length: int = 100) -> str | None:
    """An address line, city or region: printable, with a letter, of a sensible length."""
    if not isinstance(text, str):
        return None
    value = " ".join(text.split())
    if not (min_length <= len(value) <= max_length) or _CONTROL.search(value):
        return None
    return value if _HAS_LETTER.search(value) else None


def parse_country(text: Any) -> str | None:
    """ISO 3166-1 alpha-2 from a code (``us``) or an English name (``Spain``)."""
    if not isinstance(text, str):
        return None
    value = " ".join(text.split()).strip(".").lower()
    countries = _countries()
    if value.upper() in countries:
        return value.upper()
    return COUNTRY_ALIASES.get(value) or _country_names().get(value)


def parse_postcode(text: Any, country: str | None) -> str | None:
    if not isinstance(text, str):
        return None
    value = " ".join(text.split()).upper()
    pattern = POSTCODE_PATTERNS.get(country or "", GENERIC_POSTCODE)
    return value if len(value) <= 12 and pattern.fullmatch(value) else None


def parse_code(text: Any) -> str | None:
    """A one-time code: 4 to 8 digits (spaces and dashes between them are ignored)."""
    if not isinstance(text, str):
        return None
    digits = re.sub(r"[\s-]", "", text)
    return digits if CODE_PATTERN.fullmatch(digits) else None


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    from babel import Locale

    codes = (str(code) for code in Locale("en").territories)
    return frozenset(code for code in codes if re.fullmatch("[A-Z]{2}", code))


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    from babel import Locale

    names = Locale("en").territories
    return {str(names[code]).lower(): code for code in _countries()}


# -- masking and read-back -----------------------------------------------------------


def mask_email(email: str) -> str:
    """``alice.morgan@example.com`` → ``a***@example.com``."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


def mask_phone(phone: str) -> str:
    """``+14155550101`` → ``+1 *** *** **01``: country code and last two digits only."""
    import phonenumbers

    try:
        country = f"+{phonenumbers.parse(phone).country_code} "
    except phonenumbers.NumberParseException:
        country = ""
    return f"{country}*** *** **{phone[-2:]}"


def mask_address(address: PostalAddress) -> str:
    """House number hidden, street kept: ``** Oak Street, Springfield, IL 62704, US``."""
    line1 = re.sub(r"\d", "*", address.line1)
    return f"{line1}, {address.city}, {address.region} {address.postal_code}, {address.country}"


def masked_value(field: str, value: str | PostalAddress) -> str:
    if isinstance(value, PostalAddress):
        return mask_address(value)
    return mask_email(value) if field == "email" else mask_phone(value)


def current_value(contact: ContactDetails, field: str) -> str | PostalAddress:
    if field == "address":
        return contact.postal_address
    return contact.email if field == "email" else contact.phone


def same_address(a: PostalAddress, b: PostalAddress) -> bool:
    def key(address: PostalAddress) -> tuple[str, ...]:
        parts = (address.line1, address.city, address.region, address.postal_code)
        return (*(" ".join(p.lower().split()) for p in parts), address.country)

    return key(a) == key(b)


def idempotency_key(
    conversation_id: str, challenge_id: str, field: str, value: str | PostalAddress
) -> str:
    """The same confirmed change always gets the same key, so a retry is replayed by
    core banking instead of being applied twice. Hashed: the value never travels in it."""
    canonical = value.json(exclude_none=True) if isinstance(value, PostalAddress) else value
    digest = hashlib.sha256(
        "\x1f".join([conversation_id, challenge_id, field, canonical]).encode()
    ).hexdigest()
    return f"contact-{digest[:48]}"
