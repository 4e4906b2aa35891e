"""Typed results of the core-banking API (read-only views, parsed from its JSON).

Amounts are ``Decimal`` parsed from the API's decimal strings; never floats.
Unknown extra fields are ignored so that additive API changes do not break us.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, validator

AccountType = Literal["checking", "savings", "credit_card"]
ACCOUNT_TYPES: tuple[str, ...] = ("checking", "savings", "credit_card")


class _Model(BaseModel):
    class Config:
        frozen = True
        extra = "ignore"
        # pydantic v1 would write Decimals as JSON floats; the API wants decimal strings.
        json_encoders = {Decimal: lambda value: format(value, "f")}


class Money(_Model):
    amount: Decimal
    currency: str

    @validator("amount", pre=True)
    def _no_float(cls, value: object) -> object:
        if isinstance(value, float):
            raise ValueError("money amounts must be decimal strings, not floats")
        return value

    @validator("currency")
    def _iso_currency(cls, value: str) -> str:
        if len(value) != 3 or not value.isalpha():
            raise ValueError("currency must be a 3-letter ISO 4217 code")
        return value.upper()


class Customer(_Model):
    id: str
    first_name: str
    last_name: str
    preferred_name: str | None = None
    language: str = "en"
    date_of_birth: date | None = None
    segment: str | None = None
    created_at: datetime | None = None


class Account(_Model):
    id: str
    customer_id: str
    type: AccountType
    nickname: str
    masked_number: str
    currency: str
    available_balance: Money
    ledger_balance: Money
    credit_limit: Money | None = None
    status: str
    opened_at: datetime | None = None

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


class Transaction(_Model):
    id: str
    account_id: str
    merchant: str
    category: str
    amount: Money
    status: str
    booked_at: datetime | None = None
    created_at: datetime
    description: str | None = None


class NewTransaction(_Model):
    """Body of ``POST .../transactions`` (the core posts and returns a Transaction)."""

    merchant: str
    category: str
    amount: Money
    status: Literal["pending", "posted"] = "posted"
    description: str | None = None


class TimelineEntry(_Model):
    status: str
    stage: str | None = None
    note: str | None = None
    occurred_at: datetime


class Application(_Model):
    reference: str
    customer_id: str
    product: str
    amount_requested: Money | None = None
    status: str
    current_stage: str | None = None
    next_step: str | None = None
    missing_documents: list[str] = []
    expected_decision_date: date | None = None
    submitted_at: datetime
    updated_at: datetime
    timeline: list[TimelineEntry] = []


# -- contact details and one-time-code challenges ------------------------------------

ContactFieldName = Literal["email", "phone", "postal_address"]


class PostalAddress(_Model):
    line1: str
    line2: str | None = None
    city: str
    region: str
    postal_code: str
    country: str


class ContactDetails(_Model):
    email: str
    phone: str
    postal_address: PostalAddress
    updated_at: datetime | None = None


class ContactChange(_Model):
    field: str
    old_value: PostalAddress | str
    new_value: PostalAddress | str
    changed_at: datetime
    challenge_id: str
    idempotency_key: str


class Challenge(_Model):
    """A one-time code sent to a contact on file; ``sent_to`` is already masked."""

    id: str
    purpose: str
    channel: Literal["sms", "email"]
    sent_to: str
    expires_at: datetime
    attempts_remaining: int
    verified: bool
    verified_at: datetime | None = None
