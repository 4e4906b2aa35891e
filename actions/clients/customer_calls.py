"""One core-banking read together with the customer's profile, under one deadline.

Actions need the customer (for the locale) and the thing asked about (accounts,
applications). Both calls run concurrently; a customer core banking does not know
becomes ``UnknownCustomer`` (treat the user as not identified), and any other
core-banking error is raised as is. Exceptions that are not core-banking errors are
bugs and are re-raised unchanged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from actions.clients.core_banking import CoreBankingClient
from actions.clients.errors import CoreBankingError, NotFound
from actions.clients.models import Customer

T = TypeVar("T")


class UnknownCustomer(Exception):
    """Core banking has no such customer: treat the user as not identified."""


async def with_customer(
    client: CoreBankingClient, customer_id: str, call: Awaitable[T]
) -> tuple[Customer, T]:
    """``(customer, result of call)``, fetched concurrently."""
    customer, result = await asyncio.gather(
        client.get_customer(customer_id), call, return_exceptions=True
    )
    for outcome in (customer, result):
        if isinstance(outcome, BaseException) and not isinstance(outcome, CoreBankingError):
            raise outcome  # a bug, not an answer from core banking
    if isinstance(customer, NotFound):
        raise UnknownCustomer() from customer
    for outcome in (customer, result):
        if isinstance(outcome, CoreBankingError):
            raise outcome
    assert isinstance(customer, Customer)
    return customer, result  # type: ignore[return-value]
