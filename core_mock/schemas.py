"""API schemas (pydantic v1): separate Create/Update/Public models per resource.

Amounts travel as Decimal *strings* (``{"amount": "12.50", "currency": "USD"}``):
public models hold them as ``str`` so they never pass through a float.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConstrainedInt, ConstrainedStr, Field, root_validator, validator
from pydantic.errors import DictError

from core_mock.enums import (
    AccountStatus,
    AccountType,
    ApplicationStatus,
    ChallengeChannel,
    ChallengePurpose,
    EventType,
    Language,
    NotificationChannel,
    Product,
    Segment,
    TransactionCategory,
    TransactionStatus,
)
from core_mock.money import MoneyError, minor_digits, to_minor

# Control characters and lone UTF-16 surrogates cannot be stored (PostgreSQL rejects NUL,
# and surrogates cannot be encoded as UTF-8), so text fields refuse them up front.
NO_CONTROL_CHARACTERS = re.compile(r"^[^\x00-\x1f\x7f\ud800-\udfff]*$")


class ShortText(ConstrainedStr):
    strip_whitespace = True
    min_length = 1
    max_length = 100
    regex = NO_CONTROL_CHARACTERS


class LongText(ShortText):
    max_length = 500


class ContactText(ShortText):
    max_length = 254


SchemaT = TypeVar("SchemaT", bound="Schema")


class Schema(BaseModel):
    """A request body: a JSON object with known keys only."""

    class Config:
        extra = "forbid"
        anystr_strip_whitespace = True

    @classmethod
    def validate(cls: type[SchemaT], value: Any) -> SchemaT:
        # pydantic 1 turns any iterable of pairs into a dict: [] would pass as {}.
        if not isinstance(value, dict | cls):
            raise DictError()
        return super().validate(value)


# --- money -------------------------------------------------------------------------------


class MoneyIn(Schema):
    amount: Decimal = Field(
        ..., description='Decimal string, e.g. "-42.15" (numbers as floats are refused)'
    )
    currency: str = Field(..., description="ISO 4217 code, e.g. USD", min_length=3, max_length=3)

    @validator("amount", pre=True)
    def _no_floats(cls, value: Any) -> Any:
        if isinstance(value, float | bool):
            raise ValueError('amount must be a decimal string such as "12.50", not a JSON number')
        return value

    @validator("currency")
    def _known_currency(cls, value: str) -> str:
        try:
            minor_digits(value)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None
        return value

    @root_validator(skip_on_failure=True)
    def _representable(cls, values: dict[str, Any]) -> dict[str, Any]:
        try:
            to_minor(values["amount"], values["currency"])
        except MoneyError as exc:
            raise ValueError(str(exc)) from None
        return values

    def minor(self) -> int:
        return to_minor(self.amount, self.currency)


class MoneyPublic(BaseModel):
    amount: str = Field(..., example="1523.40")
    currency: str = Field(..., example="USD")


# --- errors ------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


# --- customers and accounts --------------------------------------------------------------


class CustomerPublic(BaseModel):
    id: str
    first_name: str
    last_name: str
    preferred_name: str
    language: Language
    date_of_birth: date
    segment: Segment
    created_at: datetime


class AccountPublic(BaseModel):
    id: str
    customer_id: str
    type: AccountType
    nickname: str
    masked_number: str
    currency: str
    available_balance: MoneyPublic
    ledger_balance: MoneyPublic
    credit_limit: MoneyPublic | None
    status: AccountStatus
    opened_at: datetime


class AccountList(BaseModel):
    accounts: list[AccountPublic]


# --- transactions ------------------------------------------------------------------------


class TransactionCreate(Schema):
    merchant: ShortText
    category: TransactionCategory
    amount: MoneyIn = Field(..., description="Negative for a debit, positive for a credit")
    status: TransactionStatus = TransactionStatus.posted
    description: LongText | None = None

    @validator("amount")
    def _not_zero(cls, value: MoneyIn) -> MoneyIn:
        if value.amount == 0:
            raise ValueError("amount must not be zero")
        return value


class TransactionPublic(BaseModel):
    id: str
    account_id: str
    merchant: str
    category: str
    amount: MoneyPublic
    status: TransactionStatus
    booked_at: datetime | None
    created_at: datetime
    description: str | None


class TransactionList(BaseModel):
    transactions: list[TransactionPublic]


# --- applications ------------------------------------------------------------------------


class TimelineEntry(BaseModel):
    status: ApplicationStatus
    stage: str
    note: str | None
    occurred_at: datetime


class ApplicationPublic(BaseModel):
    reference: str
    customer_id: str
    product: Product
    amount_requested: MoneyPublic | None
    status: ApplicationStatus
    current_stage: str
    next_step: str
    missing_documents: list[str]
    expected_decision_date: date | None
    submitted_at: datetime
    updated_at: datetime
    timeline: list[TimelineEntry]


class ApplicationList(BaseModel):
    applications: list[ApplicationPublic]


class ApplicationStatusUpdate(Schema):
    status: ApplicationStatus
    note: LongText | None = None
    missing_documents: list[LongText] | None = Field(None, max_items=20)


# --- contact details ---------------------------------------------------------------------


class PostalAddress(Schema):
    line1: ShortText
    line2: ShortText | None = None
    city: ShortText
    region: ShortText
    postal_code: ShortText = Field(..., max_length=12)
    country: str = Field(..., regex=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. US")


class ContactPublic(BaseModel):
    email: str
    phone: str
    postal_address: PostalAddress
    updated_at: datetime


class ContactUpdate(Schema):
    value: PostalAddress | ContactText = Field(
        ..., description="An e-mail address, an E.164 phone number, or a postal address object"
    )
    challenge_id: str = Field(..., min_length=1, max_length=64)


class ContactChangePublic(BaseModel):
    field: str
    old_value: PostalAddress | str
    new_value: PostalAddress | str
    changed_at: datetime
    challenge_id: str
    idempotency_key: str


class ContactHistory(BaseModel):
    changes: list[ContactChangePublic]


# --- challenges and the outbox -----------------------------------------------------------


class ChallengeCreate(Schema):
    purpose: ChallengePurpose
    channel: ChallengeChannel


class SixDigitCode(ConstrainedStr):
    strict = True
    strip_whitespace = True
    regex = re.compile(r"^\d{6}$")


class ChallengeVerify(Schema):
    code: SixDigitCode = Field(..., description="The 6-digit code that was sent, as a string")


class ChallengePublic(BaseModel):
    id: str
    purpose: ChallengePurpose
    channel: ChallengeChannel
    sent_to: str
    expires_at: datetime
    attempts_remaining: int
    verified: bool
    verified_at: datetime | None


class NotificationPublic(BaseModel):
    id: int
    customer_id: str | None
    channel: NotificationChannel
    to: str
    subject: str
    body: str
    created_at: datetime


class Outbox(BaseModel):
    notifications: list[NotificationPublic]


# --- events and faults -------------------------------------------------------------------


class EventPublic(BaseModel):
    id: int
    customer_id: str
    account_id: str | None
    type: EventType
    payload: dict[str, Any]
    occurred_at: datetime


class EventList(BaseModel):
    events: list[EventPublic]


class LatencyMs(ConstrainedInt):
    strict = True
    ge = 0
    le = 60_000


class FaultsUpdate(Schema):
    latency_ms: LatencyMs | None = None
    error_rate: float | None = Field(None, ge=0.0, le=1.0)


class FaultsPublic(BaseModel):
    latency_ms: int
    error_rate: float


class Health(BaseModel):
    status: str = "ok"
