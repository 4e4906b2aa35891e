"""What the profile store returns: frozen dataclasses, never database rows.

Every datetime is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime


@dataclass(frozen=True)
class Consents:
    """Consent flags; a customer who never answered has given none (opt-in)."""

    personalised_offers: bool = False
    marketing: bool = False


CONSENT_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Consents))


@dataclass(frozen=True)
class Profile:
    """Preferences and consents of one customer; the defaults when nothing is stored.

    ``channels`` are contact channels in order of preference; ``updated_at`` is when
    the preferences last changed (``None``: never).
    """

    customer_id: str
    preferred_name: str | None = None
    language: str | None = None
    channels: tuple[str, ...] = ()
    consents: Consents = field(default_factory=Consents)
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Interaction:
    """A conversation topic and its outcome, e.g. ``check_balance`` / ``resolved``."""

    customer_id: str
    topic: str
    outcome: str
    occurred_at: datetime


@dataclass(frozen=True)
class SentimentReading:
    """The sentiment of one message: ``negative``, ``neutral`` or ``positive`` and its score."""

    customer_id: str
    label: str
    score: float
    recorded_at: datetime


@dataclass(frozen=True)
class OfferDecision:
    """One entry of the offer audit log.

    ``decision`` is shown, suppressed, accepted or declined; ``reasons`` are reason
    codes (``no_consent``, ``too_expensive``); ``data_used`` names the data fields the
    decision looked at (``accounts.balance``), never their values.
    """

    customer_id: str
    offer_code: str
    decision: str
    reasons: tuple[str, ...]
    data_used: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class Nudge:
    """A proactive message that was sent: which nudge, on which channel, when."""

    customer_id: str
    nudge_code: str
    channel: str
    sent_at: datetime
