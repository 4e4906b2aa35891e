"""Stores the action server keeps itself, apart from core banking.

``ProfileStore`` (``actions.stores.profile_store``) is the one interface actions use to
read and write what the assistant remembers about a customer; the process shares one
via ``shared_profile_store()``.
"""

from actions.stores.profile_records import (
    Consents,
    Interaction,
    Nudge,
    OfferDecision,
    Profile,
    SentimentReading,
)
from actions.stores.profile_store import (
    UNSET,
    ProfileStore,
    close_shared_profile_store,
    shared_profile_store,
)

__all__ = [
    "UNSET",
    "Consents",
    "Interaction",
    "Nudge",
    "OfferDecision",
    "Profile",
    "ProfileStore",
    "SentimentReading",
    "close_shared_profile_store",
    "shared_profile_store",
]
