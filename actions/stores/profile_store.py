"""The profile store: what the assistant remembers that core banking does not.

Preferences (preferred name, language, contact channels), consent flags, interaction
and sentiment history, the offer audit log, nudges sent and a little conversational
memory, in SQLite (default) or PostgreSQL (``PROFILE_STORE_URL``).

Actions use one small async interface, ``ProfileStore``; each call validates its
arguments (``ValueError`` on bad input), then runs one short transaction in a worker
thread so the event loop is never blocked by the database. Tables are created on
first use. Logs carry event names and customer ids only, never what is stored.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from datetime import datetime, timezone
from enum import Enum
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

from actions.settings import Settings, get_settings
from actions.stores import profile_queries as queries
from actions.stores import profile_validation as check
from actions.stores.profile_models import Base
from actions.stores.profile_records import (
    Interaction,
    Nudge,
    OfferDecision,
    Profile,
    SentimentReading,
)
from sqlstore import create_engine, ensure_sqlite_directory, is_memory_sqlite

logger = logging.getLogger(__name__)
# (offer_code, decision, reasons, data_used): one entry of record_offer_decisions
OfferDecisionDraft = tuple[str, str, Iterable[str], Iterable[str]]

T = TypeVar("T")

MAX_HISTORY = 500
_SCHEMA_LOCK_KEY = 0x70726F66  # PostgreSQL advisory lock taken while creating tables


class _Unset(Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET
"""Default of ``update_preferences`` arguments: leave this preference as it is."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ProfileStore:
    """Per-customer preferences, consents and history behind one async interface."""

    def __init__(self, database_url: str, *, clock: Callable[[], datetime] = utc_now) -> None:
        """Creating a store does not connect; the first call creates missing tables."""
        self._engine = create_engine(database_url)
        self._clock = clock
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        # An in-memory SQLite database is one shared connection: one call at a time.
        self._serial = threading.Lock() if is_memory_sqlite(database_url) else None

    @classmethod
    def from_settings(cls, settings: Settings) -> ProfileStore:
        return cls(settings.profile_store_url)

    def close(self) -> None:
        """Close pooled connections; a later call opens new ones."""
        self._engine.dispose()

    # -- preferences and consents -------------------------------------------------

    async def get_profile(self, customer_id: str) -> Profile:
        """The customer's profile; the defaults (no name, no consents) when none is stored."""
        cid = check.customer_id(customer_id)
        return await self._run(lambda session: queries.load_profile(session, cid))

    async def update_preferences(
        self,
        customer_id: str,
        *,
        preferred_name: str | None | _Unset = UNSET,
        language: str | None | _Unset = UNSET,
        channels: Iterable[str] | _Unset = UNSET,
    ) -> Profile:
        """Change the given preferences (``None`` clears a name or language); others stay."""
        cid = check.customer_id(customer_id)
        changes: dict[str, object] = {}
        if preferred_name is not UNSET:
            changes["preferred_name"] = check.preferred_name(preferred_name)
        if language is not UNSET:
            changes["language"] = check.language(language)
        if channels is not UNSET:
            changes["channels"] = list(check.channels(channels))
        if not changes:
            raise ValueError("give at least one of preferred_name, language, channels")
        now = self._clock()

        def work(session: Session) -> Profile:
            queries.save_preferences(session, cid, changes, now)
            return queries.load_profile(session, cid)

        profile = await self._run(work)
        logger.info(
            "profile.preferences.updated customer_id=%s fields=%s", cid, ",".join(sorted(changes))
        )
        return profile

    async def set_consent(self, customer_id: str, **consents: bool) -> Profile:
        """Grant or withdraw consents by name, e.g. ``set_consent(cid, marketing=False)``.

        Known consents: ``personalised_offers`` and ``marketing``; others are refused.
        """
        cid = check.customer_id(customer_id)
        checked = check.consents(consents)
        now = self._clock()

        def work(session: Session) -> Profile:
            queries.save_consents(session, cid, checked, now)
            return queries.load_profile(session, cid)

        profile = await self._run(work)
        logger.info("profile.consent.updated customer_id=%s consents=%s", cid, ",".join(checked))
        return profile

    # -- interactions and sentiment -----------------------------------------------

    async def record_interaction(
        self, customer_id: str, topic: str, outcome: str, at: datetime | None = None
    ) -> Interaction:
        """Record that ``topic`` (snake_case, e.g. ``check_balance``) ended in ``outcome``."""
        interaction = Interaction(
            customer_id=check.customer_id(customer_id),
            topic=check.label("topic", topic),
            outcome=check.label("outcome", outcome),
            occurred_at=check.moment("at", at, self._clock),
        )
        await self._run(lambda session: queries.add_interaction(session, interaction))
        logger.debug("profile.interaction.recorded customer_id=%s", interaction.customer_id)
        return interaction

    async def last_interaction(
        self, customer_id: str, topic: str | None = None
    ) -> Interaction | None:
        """The latest interaction (on ``topic`` if given); ``None`` when there is none."""
        history = await self.interaction_history(customer_id, topic=topic, limit=1)
        return history[0] if history else None

    async def interaction_history(
        self, customer_id: str, *, topic: str | None = None, limit: int = 20
    ) -> list[Interaction]:
        """Up to ``limit`` interactions, newest first."""
        cid = check.customer_id(customer_id)
        topic = None if topic is None else check.label("topic", topic)
        count = check.limit("limit", limit, MAX_HISTORY)
        return await self._run(lambda session: queries.interactions(session, cid, topic, count))

    async def record_sentiment(
        self, customer_id: str, label: str, score: float, at: datetime | None = None
    ) -> SentimentReading:
        """Record a message's sentiment: negative, neutral or positive, score in [0, 1]."""
        checked_label, checked_score = check.sentiment(label, score)
        reading = SentimentReading(
            customer_id=check.customer_id(customer_id),
            label=checked_label,
            score=checked_score,
            recorded_at=check.moment("at", at, self._clock),
        )
        await self._run(lambda session: queries.add_sentiment(session, reading))
        logger.debug("profile.sentiment.recorded customer_id=%s", reading.customer_id)
        return reading

    async def recent_sentiment(self, customer_id: str, n: int = 5) -> list[SentimentReading]:
        """The ``n`` most recent sentiment readings, newest first."""
        cid = check.customer_id(customer_id)
        count = check.limit("n", n, MAX_HISTORY)
        return await self._run(lambda session: queries.sentiments(session, cid, count))

    # -- offers and nudges --------------------------------------------------------

    async def record_offer_decision(
        self,
        customer_id: str,
        offer_code: str,
        decision: str,
        *,
        reasons: Iterable[str] = (),
        data_used: Iterable[str] = (),
        at: datetime | None = None,
    ) -> OfferDecision:
        """Write one entry of the offer audit log (see ``OfferDecision``)."""
        entry = self._offer_decision(customer_id, offer_code, decision, reasons, data_used, at)
        await self._run(lambda session: queries.add_offer_decision(session, entry))
        _log_offer_decision(entry)
        return entry

    async def record_offer_decisions(
        self, customer_id: str, decisions: Iterable[OfferDecisionDraft], at: datetime | None = None
    ) -> list[OfferDecision]:
        """Write the entries of one decision moment together: all of them or none."""
        entries = [
            self._offer_decision(customer_id, code, decision, reasons, data_used, at)
            for code, decision, reasons, data_used in decisions
        ]

        def add_all(session: Session) -> None:
            for entry in entries:
                queries.add_offer_decision(session, entry)

        if entries:
            await self._run(add_all)
        for entry in entries:
            _log_offer_decision(entry)
        return entries

    def _offer_decision(
        self,
        customer_id: str,
        offer_code: str,
        decision: str,
        reasons: Iterable[str],
        data_used: Iterable[str],
        at: datetime | None,
    ) -> OfferDecision:
        return OfferDecision(
            customer_id=check.customer_id(customer_id),
            offer_code=check.code("offer_code", offer_code),
            decision=check.decision(decision),
            reasons=check.reasons(reasons),
            data_used=check.data_fields(data_used),
            created_at=check.moment("at", at, self._clock),
        )

    async def offer_history(
        self, customer_id: str, offer_code: str | None = None, *, limit: int = 50
    ) -> list[OfferDecision]:
        """Offer decisions (for ``offer_code`` if given), newest first."""
        cid = check.customer_id(customer_id)
        code = None if offer_code is None else check.code("offer_code", offer_code)
        count = check.limit("limit", limit, MAX_HISTORY)
        return await self._run(lambda session: queries.offer_decisions(session, cid, code, count))

    async def record_nudge(
        self, customer_id: str, nudge_code: str, channel: str, at: datetime | None = None
    ) -> Nudge:
        """Record that nudge ``nudge_code`` was sent on ``channel``."""
        nudge = Nudge(
            customer_id=check.customer_id(customer_id),
            nudge_code=check.code("nudge_code", nudge_code),
            channel=check.channel(channel),
            sent_at=check.moment("at", at, self._clock),
        )
        await self._run(lambda session: queries.add_nudge(session, nudge))
        logger.info(
            "profile.nudge.recorded customer_id=%s nudge_code=%s",
            nudge.customer_id,
            nudge.nudge_code,
        )
        return nudge

    async def nudges_sent(
        self,
        customer_id: str,
        nudge_code: str | None = None,
        *,
        since: datetime | None = None,
        limit: int = 50,
    ) -> list[Nudge]:
        """Nudges sent (of ``nudge_code``, at or after ``since`` if given), newest first."""
        cid = check.customer_id(customer_id)
        code = None if nudge_code is None else check.code("nudge_code", nudge_code)
        after = None if since is None else check.moment("since", since, self._clock)
        count = check.limit("limit", limit, MAX_HISTORY)
        return await self._run(lambda session: queries.nudges(session, cid, code, after, count))

    # -- conversational memory ----------------------------------------------------

    async def remember(self, customer_id: str, key: str, value: str | None) -> None:
        """Keep a small fact under a whitelisted key (``last_account_id``); None forgets it."""
        cid = check.customer_id(customer_id)
        checked_key = check.memory_key(key)
        checked_value = None if value is None else check.memory_value(value)
        now = self._clock()
        await self._run(
            lambda session: queries.save_memory(session, cid, checked_key, checked_value, now)
        )
        logger.debug("profile.memory.updated customer_id=%s key=%s", cid, checked_key)

    async def recall(self, customer_id: str, key: str) -> str | None:
        """The value remembered under ``key``, or ``None``."""
        cid = check.customer_id(customer_id)
        checked_key = check.memory_key(key)
        return await self._run(lambda session: queries.load_memory(session, cid, checked_key))

    # -- plumbing -------------------------------------------------------------------

    async def _run(self, work: Callable[[Session], T]) -> T:
        return await asyncio.to_thread(self._transaction, work)

    def _transaction(self, work: Callable[[Session], T]) -> T:
        with self._serial or nullcontext():
            self._ensure_schema()
            with Session(self._engine, future=True, expire_on_commit=False) as session:
                with session.begin():
                    return work(session)

    def _ensure_schema(self) -> None:
        """Create missing tables once per store; safe when several processes start at once."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            ensure_sqlite_directory(self._engine)
            with self._engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY}
                    )
                Base.metadata.create_all(connection)
            self._schema_ready = True
            logger.info("profile_store.schema.ready dialect=%s", self._engine.dialect.name)


# -- one shared store per action-server process ----------------------------------

_shared: ProfileStore | None = None
_shared_lock = threading.Lock()


def shared_profile_store() -> ProfileStore:
    """The process-wide store, created from the settings on first use (not at import).

    Unlike the HTTP client it is not bound to an event loop: its engine is used from
    worker threads.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ProfileStore.from_settings(get_settings())
        return _shared


def close_shared_profile_store() -> None:
    global _shared
    with _shared_lock:
        store, _shared = _shared, None
    if store is not None:
        store.close()


def _log_offer_decision(entry: OfferDecision) -> None:
    logger.info(
        "profile.offer.%s customer_id=%s offer_code=%s",
        entry.decision,
        entry.customer_id,
        entry.offer_code,
    )
