"""Tables of the profile store: what the assistant keeps that core banking does not.

Every row is keyed by the core-banking ``customer_id``; there are no foreign keys
to a customers table because core banking owns the customers. Labels (topics,
outcomes, reasons, codes) are short snake_case or code strings, never free text.
Tables are created on first use (``metadata.create_all``); there are no migrations.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import DeclarativeMeta, registry

from sqlstore import UTCDateTime

CUSTOMER_ID_LENGTH = 64
LABEL_LENGTH = 50
CODE_LENGTH = 40
PREFERRED_NAME_LENGTH = 60
MEMORY_VALUE_LENGTH = 100

OFFER_DECISIONS = ("shown", "suppressed", "accepted", "declined")

mapper_registry = registry()


class Base(metaclass=DeclarativeMeta):
    """Declarative base, spelled out so type checkers understand it without a plugin."""

    __abstract__ = True
    registry = mapper_registry
    metadata = mapper_registry.metadata
    __init__ = mapper_registry.constructor


class ProfileRow(Base):
    """Preferences: the name to use, the conversation language, contact channels in order."""

    __tablename__ = "profiles"

    customer_id = Column(String(CUSTOMER_ID_LENGTH), primary_key=True)
    preferred_name = Column(String(PREFERRED_NAME_LENGTH), nullable=True)
    language = Column(String(8), nullable=True)
    channels = Column(JSON, nullable=False, default=list)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)


class ConsentRow(Base):
    """One consent flag per customer and purpose, with when it last changed."""

    __tablename__ = "consents"

    customer_id = Column(String(CUSTOMER_ID_LENGTH), primary_key=True)
    consent = Column(String(CODE_LENGTH), primary_key=True)
    granted = Column(Boolean, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)


class InteractionRow(Base):
    """A conversation topic and how it ended (``check_balance`` / ``resolved``)."""

    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_customer_at", "customer_id", "occurred_at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(CUSTOMER_ID_LENGTH), nullable=False)
    topic = Column(String(LABEL_LENGTH), nullable=False)
    outcome = Column(String(LABEL_LENGTH), nullable=False)
    occurred_at = Column(UTCDateTime, nullable=False)


class SentimentRow(Base):
    """The sentiment of one message: label and the classifier's probability."""

    __tablename__ = "sentiment_history"
    __table_args__ = (
        Index("ix_sentiment_customer_at", "customer_id", "recorded_at"),
        CheckConstraint("score >= 0 AND score <= 1", name="ck_sentiment_score_range"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(CUSTOMER_ID_LENGTH), nullable=False)
    label = Column(String(10), nullable=False)
    score = Column(Float, nullable=False)
    recorded_at = Column(UTCDateTime, nullable=False)


class OfferDecisionRow(Base):
    """Audit log of offers: shown or suppressed (and why), accepted or declined (and why).

    ``data_used`` lists the names of the data fields the decision looked at, never
    their values.
    """

    __tablename__ = "offer_decisions"
    __table_args__ = (
        Index("ix_offer_decisions_customer_at", "customer_id", "created_at"),
        CheckConstraint(
            "decision IN ({})".format(", ".join(f"'{d}'" for d in OFFER_DECISIONS)),
            name="ck_offer_decisions_decision",
        ),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(CUSTOMER_ID_LENGTH), nullable=False)
    offer_code = Column(String(CODE_LENGTH), nullable=False)
    decision = Column(String(12), nullable=False)
    reasons = Column(JSON, nullable=False, default=list)
    data_used = Column(JSON, nullable=False, default=list)
    created_at = Column(UTCDateTime, nullable=False)


class NudgeRow(Base):
    """A proactive message sent to the customer (which nudge, on which channel, when)."""

    __tablename__ = "nudges"
    __table_args__ = (Index("ix_nudges_customer_at", "customer_id", "sent_at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    customer_id = Column(String(CUSTOMER_ID_LENGTH), nullable=False)
    nudge_code = Column(String(CODE_LENGTH), nullable=False)
    channel = Column(String(10), nullable=False)
    sent_at = Column(UTCDateTime, nullable=False)


class MemoryRow(Base):
    """Small conversational memory (``last_account_id``), one value per whitelisted key."""

    __tablename__ = "profile_memory"

    customer_id = Column(String(CUSTOMER_ID_LENGTH), primary_key=True)
    key = Column(String(CODE_LENGTH), primary_key=True)
    value = Column(String(MEMORY_VALUE_LENGTH), nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
