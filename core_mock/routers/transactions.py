"""Transactions of an account: history with filters, and posting new movements."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from core_mock.clock import to_utc
from core_mock.deps import NowDep, SessionDep
from core_mock.enums import TransactionStatus
from core_mock.errors import ApiError
from core_mock.models import Transaction
from core_mock.presenters import transaction_public
from core_mock.schemas import TransactionCreate, TransactionList, TransactionPublic
from core_mock.services.lookups import get_account
from core_mock.services.postings import post_transaction

router = APIRouter(
    prefix="/v1/customers/{customer_id}/accounts/{account_id}/transactions", tags=["transactions"]
)

_TIME_HINT = "an ISO-8601 time with a timezone offset, e.g. 2026-11-01T00:00:00+00:00"


def query_time(value: datetime | None, name: str) -> datetime | None:
    """A query-string time in UTC; naive or out-of-range times are a 422, not a crash."""
    if value is None:
        return None
    try:
        return to_utc(value)
    except (ValueError, OverflowError):
        message = f"{name} must be {_TIME_HINT}"
        raise ApiError(
            422, "invalid_request", message, fields=[{"loc": ["query", name], "msg": message}]
        ) from None


@router.get(
    "", response_model=TransactionList, summary="List an account's transactions, newest first"
)
def list_transactions(
    customer_id: str,
    account_id: str,
    session: SessionDep,
    status: TransactionStatus | None = None,
    since: Annotated[
        datetime | None, Query(description=f"Created at or after; {_TIME_HINT}")
    ] = None,
    until: Annotated[datetime | None, Query(description=f"Created before; {_TIME_HINT}")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> TransactionList:
    account = get_account(session, customer_id, account_id)
    start, end = query_time(since, "since"), query_time(until, "until")
    if start and end and start > end:
        raise ApiError(422, "invalid_request", "since must not be later than until")
    query = select(Transaction).where(Transaction.account_id == account.id)
    if status is not None:
        query = query.where(Transaction.status == status.value)
    if start is not None:
        query = query.where(Transaction.created_at >= start)
    if end is not None:
        query = query.where(Transaction.created_at < end)
    query = query.order_by(Transaction.created_at.desc(), Transaction.id.desc()).limit(limit)
    rows = session.execute(query).scalars().all()
    return TransactionList(transactions=[transaction_public(row) for row in rows])


@router.post("", response_model=TransactionPublic, status_code=201, summary="Post a transaction")
def create_transaction(
    customer_id: str, account_id: str, body: TransactionCreate, session: SessionDep, now: NowDep
) -> TransactionPublic:
    account = get_account(session, customer_id, account_id, for_update=True)
    return transaction_public(post_transaction(session, account, body, now))
