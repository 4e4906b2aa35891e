"""Pure helpers: money conversion, input schemas, settings, event rules, masking."""

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from core_mock.clock import add_business_days
from core_mock.enums import ApplicationStatus, EventType, Product
from core_mock.money import MoneyError, format_amount, from_minor, to_minor
from core_mock.schemas import MoneyIn, TransactionCreate
from core_mock.services.applications import expected_decision_date, stage_for
from core_mock.services.challenges import mask_email, mask_phone
from core_mock.services.postings import DebitHistory, detect_events
from core_mock.settings import ConfigurationError, Settings, load_settings


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("1523.40", "USD", 152340),
        ("-0.01", "EUR", -1),
        ("12.5", "USD", 1250),
        ("1E+2", "USD", 10000),
        ("7", "JPY", 7),
    ],
)
def test_to_minor_is_exact(amount: str, currency: str, minor: int) -> None:
    assert to_minor(Decimal(amount), currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [
        ("1.005", "USD", "at most 2 decimal places"),
        ("1.0000000000000000000000000000001", "USD", "decimal places"),
        ("0.5", "JPY", "at most 0 decimal places"),
        ("1000000000.01", "USD", "must not exceed"),
        ("1e400", "USD", "must not exceed"),
        ("10", "XXX", "unsupported currency"),
    ],
)
def test_to_minor_refuses_to_round_or_overflow(amount: str, currency: str, reason: str) -> None:
    with pytest.raises(MoneyError, match=reason):
        to_minor(Decimal(amount), currency)


def test_amounts_are_shown_with_the_currency_digits() -> None:
    assert format_amount(152340, "USD") == "1523.40"
    assert format_amount(-5, "USD") == "-0.05"
    assert format_amount(0, "EUR") == "0.00"
    assert format_amount(1200, "JPY") == "1200"
    assert from_minor(152340, "USD") == Decimal("1523.40")


def test_money_input_accepts_decimal_strings_and_rejects_floats() -> None:
    assert MoneyIn(amount="-42.15", currency="USD").minor() == -4215
    with pytest.raises(ValidationError, match="decimal string"):
        MoneyIn(amount=42.15, currency="USD")
    with pytest.raises(ValidationError, match="finite|valid decimal"):
        MoneyIn(amount="NaN", currency="USD")
    with pytest.raises(ValidationError, match="unsupported currency"):
        MoneyIn(amount="1", currency="ABC")


def test_transaction_input_rejects_zero_control_characters_and_unknown_fields() -> None:
    base = {
        "merchant": "Shop",
        "category": "shopping",
        "amount": {"amount": "-1.00", "currency": "USD"},
    }
    assert TransactionCreate(**base).status.value == "posted"
    with pytest.raises(ValidationError, match="must not be zero"):
        TransactionCreate(**{**base, "amount": {"amount": "0.00", "currency": "USD"}})
    with pytest.raises(ValidationError, match="regex"):
        TransactionCreate(**{**base, "merchant": "Sh\x00op"})
    with pytest.raises(ValidationError, match="extra fields"):
        TransactionCreate(**base, surprise=True)


def test_settings_name_the_bad_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORE_MOCK_ERROR_RATE", "1.5")
    with pytest.raises(ConfigurationError, match="CORE_MOCK_ERROR_RATE"):
        load_settings()
    monkeypatch.setenv("CORE_MOCK_ERROR_RATE", "0.25")
    monkeypatch.setenv("CORE_MOCK_LATENCY_MS", "120")
    monkeypatch.setenv("CORE_MOCK_DATABASE_URL", "postgres://u@db/core")
    settings = load_settings()
    assert (settings.error_rate, settings.latency_ms) == (0.25, 120)
    assert settings.database_url == "postgresql://u@db/core"
    with pytest.raises(ConfigurationError, match="CORE_MOCK_DATABASE_URL"):
        load_settings(database_url="mysql://nope")


def test_settings_defaults_match_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DATABASE_URL",
        "API_KEY",
        "LATENCY_MS",
        "ERROR_RATE",
        "OTP_TTL_SECONDS",
        "OTP_MAX_ATTEMPTS",
    ):
        monkeypatch.delenv(f"CORE_MOCK_{name}", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///var/core_mock.sqlite3"
    assert settings.api_key == "dev-core-banking-key"
    assert (settings.latency_ms, settings.error_rate) == (0, 0.0)
    assert (settings.otp_ttl_seconds, settings.otp_max_attempts) == (300, 3)


def _events(
    amount: int,
    *,
    category: str = "shopping",
    account_type: str = "checking",
    status: str = "posted",
    ledger_after: int = 100_00,
    history: DebitHistory = DebitHistory(0, 0),
) -> list:
    return detect_events(
        account_type=account_type,
        category=category,
        amount=amount,
        status=status,
        ledger_after=ledger_after,
        history=history,
    )


def test_event_rules() -> None:
    history = DebitHistory(total=100_00, count=4)  # average debit 25.00
    assert _events(2500_00, category="salary") == [EventType.salary_credited]
    assert _events(-2500_00, category="salary", history=history) == [EventType.large_purchase]
    assert _events(-75_01, history=history) == [EventType.large_purchase]
    assert _events(-75_00, history=history) == []  # exactly 3x is not "more than 3x"
    assert _events(-10_00) == []  # no history, no average to compare with
    assert _events(-10_00, ledger_after=-1) == [EventType.overdraft]
    assert _events(-10_00, ledger_after=-1, status="pending") == []
    assert _events(-10_00, ledger_after=-1, account_type="savings") == []


def test_application_stages_and_decision_dates() -> None:
    assert stage_for(Product.mortgage, ApplicationStatus.approved)[1].startswith("Review and sign")
    assert (
        stage_for(Product.personal_loan, ApplicationStatus.documents_required)[0]
        == "Waiting for documents"
    )
    friday = add_business_days(date(2026, 11, 26), 1)
    assert friday.isoformat() == "2026-11-27"
    assert add_business_days(friday, 1).isoformat() == "2026-11-30"  # skips the weekend
    assert expected_decision_date(Product.personal_loan, ApplicationStatus.declined, friday) is None


def test_contact_masks_hide_all_but_a_hint() -> None:
    assert mask_phone("+14155550189") == "•••••••89"
    assert mask_email("alice.morgan@example.com") == "a•••@example.com"
