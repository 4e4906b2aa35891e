"""Database tables of the core-banking mock (kept apart from the API schemas).

Money columns hold integer minor units (cents) next to a currency code, so
PostgreSQL and SQLite store exactly the same numbers.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeMeta, registry, relationship

from core_mock.db import UTCDateTime

mapper_registry = registry()


class Base(metaclass=DeclarativeMeta):
    """Declarative base, spelled out so type checkers understand it without a plugin."""

    __abstract__ = True
    registry = mapper_registry
    metadata = mapper_registry.metadata
    __init__ = mapper_registry.constructor


class Customer(Base):
    __tablename__ = "customers"

    id = Column(String(16), primary_key=True)
    first_name = Column(String(60), nullable=False)
    last_name = Column(String(60), nullable=False)
    preferred_name = Column(String(60), nullable=False)
    language = Column(String(2), nullable=False)
    date_of_birth = Column(Date, nullable=False)
    segment = Column(String(20), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class Account(Base):
    """A deposit account or credit card with its running balances.

    ``ledger_minor`` is the signed sum of posted transactions; ``pending_debit_minor``
    is the (positive) total of pending debits. Both change in the same database
    transaction as the movement that causes them.
    """

    __tablename__ = "accounts"

    id = Column(String(12), primary_key=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    type = Column(String(20), nullable=False)
    nickname = Column(String(60), nullable=False)
    account_number = Column(String(20), nullable=False)
    currency = Column(String(3), nullable=False)
    ledger_minor = Column(BigInteger, nullable=False, default=0)
    pending_debit_minor = Column(BigInteger, nullable=False, default=0)
    credit_limit_minor = Column(BigInteger, nullable=True)
    status = Column(String(10), nullable=False)
    opened_at = Column(UTCDateTime, nullable=False)


class Transaction(Base):
    __tablename__ = "transactions"
    __table_args__ = (Index("ix_transactions_account_created", "account_id", "created_at"),)

    id = Column(String(24), primary_key=True)
    account_id = Column(ForeignKey("accounts.id"), nullable=False)
    merchant = Column(String(100), nullable=False)
    category = Column(String(30), nullable=False)
    amount_minor = Column(BigInteger, nullable=False)
    currency = Column(String(3), nullable=False)
    status = Column(String(10), nullable=False)
    description = Column(String(500), nullable=True)
    created_at = Column(UTCDateTime, nullable=False)
    booked_at = Column(UTCDateTime, nullable=True)


class Application(Base):
    __tablename__ = "applications"

    reference = Column(String(12), primary_key=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    product = Column(String(20), nullable=False)
    amount_minor = Column(BigInteger, nullable=True)
    currency = Column(String(3), nullable=True)
    status = Column(String(20), nullable=False)
    current_stage = Column(String(80), nullable=False)
    next_step = Column(String(300), nullable=False)
    missing_documents = Column(JSON, nullable=False, default=list)
    expected_decision_date = Column(Date, nullable=True)
    submitted_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)

    timeline = relationship(
        "ApplicationEvent",
        order_by="[ApplicationEvent.occurred_at, ApplicationEvent.id]",
        lazy="selectin",
    )


class ApplicationEvent(Base):
    """One step of an application's status timeline."""

    __tablename__ = "application_timeline"

    id = Column(Integer, primary_key=True, autoincrement=True)
    reference = Column(ForeignKey("applications.reference"), nullable=False, index=True)
    status = Column(String(20), nullable=False)
    stage = Column(String(80), nullable=False)
    note = Column(String(500), nullable=True)
    occurred_at = Column(UTCDateTime, nullable=False)


class Contact(Base):
    __tablename__ = "contacts"

    customer_id = Column(ForeignKey("customers.id"), primary_key=True)
    email = Column(String(254), nullable=False)
    phone = Column(String(16), nullable=False)
    line1 = Column(String(100), nullable=False)
    line2 = Column(String(100), nullable=True)
    city = Column(String(100), nullable=False)
    region = Column(String(100), nullable=False)
    postal_code = Column(String(12), nullable=False)
    country = Column(String(2), nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)


class ContactChange(Base):
    __tablename__ = "contact_changes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    field = Column(String(20), nullable=False)
    old_value = Column(JSON, nullable=False)
    new_value = Column(JSON, nullable=False)
    changed_at = Column(UTCDateTime, nullable=False)
    challenge_id = Column(String(32), nullable=False)
    idempotency_key = Column(String(128), nullable=False)


class IdempotencyRecord(Base):
    """The first successful response for an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("customer_id", "key", name="uq_idempotency_customer_key"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False)
    key = Column(String(128), nullable=False)
    request_hash = Column(String(64), nullable=False)
    response = Column(JSON, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class Challenge(Base):
    """A one-time-code challenge; only a hash of the code is stored."""

    __tablename__ = "challenges"

    id = Column(String(32), primary_key=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    purpose = Column(String(20), nullable=False)
    channel = Column(String(10), nullable=False)
    sent_to = Column(String(254), nullable=False)
    code_hash = Column(String(64), nullable=False)
    attempts_remaining = Column(Integer, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    verified_at = Column(UTCDateTime, nullable=True)
    used_at = Column(UTCDateTime, nullable=True)


class Notification(Base):
    """A message the bank "sent" (SMS, e-mail, letter); tests and demos read the outbox."""

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=True, index=True)
    channel = Column(String(10), nullable=False)
    to = Column(String(500), nullable=False)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class AccountEvent(Base):
    """An entry of the event feed (salary credited, large purchase, ...)."""

    __tablename__ = "account_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    account_id = Column(ForeignKey("accounts.id"), nullable=True)
    type = Column(String(40), nullable=False)
    payload = Column(JSON, nullable=False)
    occurred_at = Column(UTCDateTime, nullable=False)
