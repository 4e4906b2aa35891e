"""Reads and writes of the profile store on a SQLAlchemy session (synchronous).

Arguments arrive validated (``actions.stores.profile_validation``); every function
filters by ``customer_id`` so one customer never sees another's rows. Results are
records (``actions.stores.profile_records``), never ORM objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.stores.profile_models import (
    ConsentRow,
    InteractionRow,
    MemoryRow,
    NudgeRow,
    OfferDecisionRow,
    ProfileRow,
    SentimentRow,
)
from actions.stores.profile_records import (
    CONSENT_KEYS,
    Consents,
    Interaction,
    Nudge,
    OfferDecision,
    Profile,
    SentimentReading,
)
from sqlstore import upsert


def load_profile(session: Session, customer_id: str) -> Profile:
    row = session.get(ProfileRow, customer_id)
    granted = session.execute(
        select(ConsentRow.consent, ConsentRow.granted).where(ConsentRow.customer_id == customer_id)
    ).all()
    consents = Consents(**{key: bool(flag) for key, flag in granted if key in CONSENT_KEYS})
    if row is None:
        return Profile(customer_id=customer_id, consents=consents)
    return Profile(
        customer_id=customer_id,
        preferred_name=row.preferred_name,
        language=row.language,
        channels=tuple(row.channels or ()),
        consents=consents,
        updated_at=row.updated_at,
    )


def save_preferences(
    session: Session, customer_id: str, changes: Mapping[str, Any], now: datetime
) -> None:
    """Create the profile or change only the columns in ``changes``."""
    values = {"customer_id": customer_id, "channels": [], "created_at": now, "updated_at": now}
    values.update(changes)
    upsert(
        session,
        ProfileRow.__table__,
        values,
        key=["customer_id"],
        update=[*changes, "updated_at"],
    )


def save_consents(
    session: Session, customer_id: str, consents: Mapping[str, bool], now: datetime
) -> None:
    for consent, granted in consents.items():
        upsert(
            session,
            ConsentRow.__table__,
            {"customer_id": customer_id, "consent": consent, "granted": granted, "updated_at": now},
            key=["customer_id", "consent"],
            update=["granted", "updated_at"],
        )


def add_interaction(session: Session, interaction: Interaction) -> None:
    session.add(
        InteractionRow(
            customer_id=interaction.customer_id,
            topic=interaction.topic,
            outcome=interaction.outcome,
            occurred_at=interaction.occurred_at,
        )
    )


def interactions(
    session: Session, customer_id: str, topic: str | None, limit: int
) -> list[Interaction]:
    """Newest first; rows with the same time in reverse order of recording."""
    query = select(InteractionRow).where(InteractionRow.customer_id == customer_id)
    if topic is not None:
        query = query.where(InteractionRow.topic == topic)
    query = query.order_by(InteractionRow.occurred_at.desc(), InteractionRow.id.desc())
    return [
        Interaction(row.customer_id, row.topic, row.outcome, row.occurred_at)
        for row in session.execute(query.limit(limit)).scalars()
    ]


def add_sentiment(session: Session, reading: SentimentReading) -> None:
    session.add(
        SentimentRow(
            customer_id=reading.customer_id,
            label=reading.label,
            score=reading.score,
            recorded_at=reading.recorded_at,
        )
    )


def sentiments(session: Session, customer_id: str, limit: int) -> list[SentimentReading]:
    query = (
        select(SentimentRow)
        .where(SentimentRow.customer_id == customer_id)
        .order_by(SentimentRow.recorded_at.desc(), SentimentRow.id.desc())
        .limit(limit)
    )
    return [
        SentimentReading(row.customer_id, row.label, row.score, row.recorded_at)
        for row in session.execute(query).scalars()
    ]


def add_offer_decision(session: Session, decision: OfferDecision) -> None:
    session.add(
        OfferDecisionRow(
            customer_id=decision.customer_id,
            offer_code=decision.offer_code,
            decision=decision.decision,
            reasons=list(decision.reasons),
            data_used=list(decision.data_used),
            created_at=decision.created_at,
        )
    )


def offer_decisions(
    session: Session, customer_id: str, offer_code: str | None, limit: int
) -> list[OfferDecision]:
    query = select(OfferDecisionRow).where(OfferDecisionRow.customer_id == customer_id)
    if offer_code is not None:
        query = query.where(OfferDecisionRow.offer_code == offer_code)
    query = query.order_by(OfferDecisionRow.created_at.desc(), OfferDecisionRow.id.desc())
    return [
        OfferDecision(
            customer_id=row.customer_id,
            offer_code=row.offer_code,
            decision=row.decision,
            reasons=tuple(row.reasons or ()),
            data_used=tuple(row.data_used or ()),
            created_at=row.created_at,
        )
        for row in session.execute(query.limit(limit)).scalars()
    ]


def add_nudge(session: Session, nudge: Nudge) -> None:
    session.add(
        NudgeRow(
            customer_id=nudge.customer_id,
            nudge_code=nudge.nudge_code,
            channel=nudge.channel,
            sent_at=nudge.sent_at,
        )
    )


def nudges(
    session: Session,
    customer_id: str,
    nudge_code: str | None,
    since: datetime | None,
    limit: int,
) -> list[Nudge]:
    query = select(NudgeRow).where(NudgeRow.customer_id == customer_id)
    if nudge_code is not None:
        query = query.where(NudgeRow.nudge_code == nudge_code)
    if since is not None:
        query = query.where(NudgeRow.sent_at >= since)
    query = query.order_by(NudgeRow.sent_at.desc(), NudgeRow.id.desc())
    return [
        Nudge(row.customer_id, row.nudge_code, row.channel, row.sent_at)
        for row in session.execute(query.limit(limit)).scalars()
    ]


def save_memory(
    session: Session, customer_id: str, key: str, value: str | None, now: datetime
) -> None:
    if value is None:
        row = session.get(MemoryRow, (customer_id, key))
        if row is not None:
            session.delete(row)
        return
    upsert(
        session,
        MemoryRow.__table__,
        {"customer_id": customer_id, "key": key, "value": value, "updated_at": now},
        key=["customer_id", "key"],
        update=["value", "updated_at"],
    )


def load_memory(session: Session, customer_id: str, key: str) -> str | None:
    row = session.get(MemoryRow, (customer_id, key))
    return None if row is None else row.value
