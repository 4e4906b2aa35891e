"""Pure contact-value helpers: parsing, validation and masking."""

from __future__ import annotations

import pytest

from actions import contact_values as values
from actions.clients.models import ContactDetails, PostalAddress

ADDRESS = PostalAddress(
    line1="12 Oak Street", city="Springfield", region="IL", postal_code="62704", country="US"
)


def contact(phone: str = "+14155550101", country: str = "US") -> ContactDetails:
    address = ADDRESS.copy(update={"country": country})
    return ContactDetails(email="a@example.com", phone=phone, postal_address=address)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("email", "email"),
        ("my e-mail", "email"),
        ("Mobile", "phone"),
        ("phone number", "phone"),
        ("home address", "address"),
        ("correo", "email"),
        ("my pet", None),
        (None, None),
    ],
)
def test_parse_field(text, field):
    assert values.parse_field(text) == field


def test_email_is_normalised_and_bad_ones_refused():
    assert values.parse_email(" Ana.Lopez@EXAMPLE.com ") == "Ana.Lopez@example.com"
    assert values.parse_email("ana.lopez@") is None
    assert values.parse_email("not an email") is None


def test_phone_national_numbers_read_in_the_region_on_file():
    assert values.parse_phone("(415) 555-0134", "US") == "+14155550134"
    assert values.parse_phone("07911 123456", "GB") == "+447911123456"
    assert values.parse_phone("+34 612 345 678", "US") == "+34612345678"
    assert values.parse_phone("12345", "US") is None
    assert values.parse_phone("call me", "US") is None


def test_phone_region_from_phone_then_address_then_us():
    assert values.phone_region(contact("+442071838750")) == "GB"
    assert values.phone_region(contact("+14155550101")) == "US"
    assert values.phone_region(None) == "US"


@pytest.mark.parametrize(
    ("text", "code"),
    [("us", "US"), ("Spain", "ES"), ("United Kingdom", "GB"), ("UK", "GB"), ("Narnia", None)],
)
def test_parse_country(text, code):
    assert values.parse_country(text) == code


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("62704", "US", "62704"),
        ("62704-1234", "US", "62704-1234"),
        ("6270", "US", None),
        ("bs1 4dj", "GB", "BS1 4DJ"),
        ("12", "GB", None),
        ("1010", "AT", "1010"),
        ("!!", "AT", None),
    ],
)
def test_parse_postcode(text, country, expected):
    assert values.parse_postcode(text, country) == expected


def test_address_parts_need_a_letter_and_a_sensible_length():
    assert values.parse_text_part("  12   Oak  Street ") == "12 Oak Street"
    assert values.parse_text_part("12") is None
    assert values.parse_text_part("x" * 101) is None
    assert values.parse_text_part("Main\x00St") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("123456", "123456"),
        ("123 456", "123456"),
        ("1234", "1234"),
        ("12345678", "12345678"),
        ("123", None),
        ("123456789", None),
        ("12ab56", None),
        ("verified", None),
    ],
)
def test_parse_code_accepts_4_to_8_digits(text, code):
    assert values.parse_code(text) == code


def test_masks_hide_the_value():
    assert values.mask_email("alice.morgan@example.com") == "a***@example.com"
    assert values.mask_phone("+14155550101") == "+1 *** *** **01"
    masked = values.mask_address(ADDRESS)
    assert "12" not in masked and "Oak Street" in masked


def test_same_address_ignores_case_and_spacing():
    other = ADDRESS.copy(update={"line1": "12  oak street", "city": "SPRINGFIELD"})
    assert values.same_address(ADDRESS, other)
    assert not values.same_address(ADDRESS, ADDRESS.copy(update={"postal_code": "62705"}))


def test_idempotency_key_is_stable_per_change_and_hides_the_value():
    key = values.idempotency_key("conv-1", "ch-1", "email", "new@example.com")
    assert key == values.idempotency_key("conv-1", "ch-1", "email", "new@example.com")
    assert key != values.idempotency_key("conv-2", "ch-1", "email", "new@example.com")
    assert key != values.idempotency_key("conv-1", "ch-1", "email", "other@example.com")
    assert "example" not in key and len(key) <= 128
    assert values.idempotency_key("c", "h", "address", ADDRESS).startswith("contact-")
