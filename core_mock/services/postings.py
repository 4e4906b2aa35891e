"""Posting money movements: balances and the event feed change in one DB transaction."""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core_mock.enums import (
    AccountStatus,
    AccountType,
    EventType,
    TransactionCategory,
    TransactionStatus,
)
from core_mock.errors import ApiError
from core_mock.models import Account, Transaction
from core_mock.presenters import balances, money
from core_mock.schemas import TransactionCreate
from core_mock.services.outbox import emit_event

logger = logging.getLogger(__name__)

LARGE_PURCHASE_FACTOR = 3
AVERAGE_DEBIT_WINDOW = timedelta(days=183)


@dataclass(frozen=True)
class DebitHistory:
    """Debits of an account over the averaging window, in minor units (total is positive)."""

    total: int
    count: int

    def average(self) -> int:
        return (self.total + self.count // 2) // self.count if self.count else 0


def new_transaction_id() -> str:
    return f"TXN-{secrets.token_hex(8).upper()}"


def detect_events(
    *,
    account_type: str,
    category: str,
    amount: int,
    status: str,
    ledger_after: int,
    history: DebitHistory,
) -> list[EventType]:
    """Which feed events a movement triggers (amounts in signed minor units)."""
    events = []
    if category == TransactionCategory.salary.value and amount > 0:
        events.append(EventType.salary_credited)
    if (
        amount < 0
        and history.count
        and -amount * history.count > LARGE_PURCHASE_FACTOR * history.total
    ):
        events.append(EventType.large_purchase)
    is_posted_debit = amount < 0 and status == TransactionStatus.posted.value
    if account_type == AccountType.checking.value and is_posted_debit and ledger_after < 0:
        events.append(EventType.overdraft)
    return events


def debit_history(session: Session, account_id: str, now: datetime) -> DebitHistory:
    query = select(func.coalesce(func.sum(-Transaction.amount_minor), 0), func.count()).where(
        Transaction.account_id == account_id,
        Transaction.amount_minor < 0,
        Transaction.created_at >= now - AVERAGE_DEBIT_WINDOW,
    )
    total, count = session.execute(query).one()
    return DebitHistory(total=int(total), count=int(count))


def check_can_post(account: Account, currency: str, amount: int) -> None:
    if currency != account.currency:
        raise ApiError(
            422,
            "currency_mismatch",
            f"Account is held in {account.currency}; the transaction is in {currency}.",
        )
    if account.status != AccountStatus.open.value:
        raise ApiError(
            409, "account_not_open", f"Account is {account.status}; it accepts no postings."
        )
    _, available = balances(account)
    if amount >= 0 or available + amount >= 0:
        return
    if account.type == AccountType.savings.value:
        raise ApiError(422, "insufficient_funds", "Savings accounts cannot be overdrawn.")
    if account.type == AccountType.credit_card.value:
        raise ApiError(422, "credit_limit_exceeded", "The purchase exceeds the available credit.")


def apply_to_balances(session: Session, account: Account, amount: int, status: str) -> None:
    """Move the running balances with an atomic UPDATE, then reload them."""
    if status == TransactionStatus.posted.value:
        values: dict[str, Any] = {"ledger_minor": Account.ledger_minor + amount}
    elif amount < 0:
        values = {"pending_debit_minor": Account.pending_debit_minor - amount}
    else:
        return  # a pending credit is not available until it posts
    statement = update(Account).where(Account.id == account.id).values(**values)
    session.execute(statement.execution_options(synchronize_session=False))
    session.refresh(account)


def _event_payload(
    event_type: EventType, account: Account, txn: Transaction, history: DebitHistory
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "transaction_id": txn.id,
        "merchant": txn.merchant,
        "category": txn.category,
        "status": txn.status,
        "amount": money(txn.amount_minor, txn.currency).dict(),
    }
    if event_type is EventType.large_purchase:
        payload["average_debit"] = money(-history.average(), txn.currency).dict()
    if event_type is EventType.overdraft:
        payload["ledger_balance"] = money(account.ledger_minor, account.currency).dict()
    return payload


def _emit_events(
    session: Session, account: Account, txn: Transaction, history: DebitHistory, now: datetime
) -> None:
    triggered = detect_events(
        account_type=account.type,
        category=txn.category,
        amount=txn.amount_minor,
        status=txn.status,
        ledger_after=account.ledger_minor,
        history=history,
    )
    for event_type in triggered:
        emit_event(
            session,
            customer_id=account.customer_id,
            account_id=account.id,
            event_type=event_type,
            payload=_event_payload(event_type, account, txn, history),
            now=now,
        )


def post_transaction(
    session: Session, account: Account, data: TransactionCreate, now: datetime
) -> Transaction:
    """Book a movement on an account, update its balances and emit any feed events."""
    amount = data.amount.minor()
    check_can_post(account, data.amount.currency, amount)
    history = debit_history(session, account.id, now)
    txn = Transaction(
        id=new_transaction_id(),
        account_id=account.id,
        merchant=data.merchant,
        category=data.category.value,
        amount_minor=amount,
        currency=account.currency,
        status=data.status.value,
        description=data.description,
        created_at=now,
        booked_at=now if data.status is TransactionStatus.posted else None,
    )
    session.add(txn)
    apply_to_balances(session, account, amount, txn.status)
    _emit_events(session, account, txn, history, now)
    logger.info("core_mock.transaction.posted id=%s status=%s", txn.id, txn.status)
    return txn
