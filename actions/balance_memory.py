"""What the balance answer remembers about a customer, from the profile store.

The preferred name to greet them by (the profile's, else core banking's) and the
account type they asked about last time, which is listed first when they next ask
for "my balance" without naming one. A profile store that is down never stops a
balance answer: the answer is then simply not personalised.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from actions.clients.models import Account, Customer
from actions.stores.profile_store import ProfileStore

logger = logging.getLogger(__name__)

LAST_ACCOUNT_TYPE = "last_account_type"


@dataclass(frozen=True)
class BalanceMemory:
    preferred_name: str | None = None
    last_account_type: str | None = None


async def recall(store: ProfileStore, customer_id: str) -> BalanceMemory:
    try:
        profile = await store.get_profile(customer_id)
        last_type = await store.recall(customer_id, LAST_ACCOUNT_TYPE)
    except Exception as exc:  # noqa: BLE001 - personalisation is optional, the balance is not
        logger.warning(
            "balance.memory_unavailable customer=%s error=%s", customer_id, type(exc).__name__
        )
        return BalanceMemory()
    return BalanceMemory(preferred_name=profile.preferred_name, last_account_type=last_type)


async def remember_account_type(store: ProfileStore, customer_id: str, account_type: str) -> None:
    try:
        await store.remember(customer_id, LAST_ACCOUNT_TYPE, account_type)
    except Exception as exc:  # noqa: BLE001 - see recall()
        logger.warning(
            "balance.memory_not_saved customer=%s error=%s", customer_id, type(exc).__name__
        )


def greeting_name(memory: BalanceMemory, customer: Customer) -> str | None:
    """The name the customer asked to be called, else the one core banking has."""
    return memory.preferred_name or customer.preferred_name or customer.first_name or None


def remembered_first(accounts: Sequence[Account], last_type: str | None) -> list[Account]:
    """The same accounts, those of the remembered type first (order otherwise kept)."""
    if not last_type:
        return list(accounts)
    return sorted(accounts, key=lambda account: account.type != last_type)
