"""What the offer engine may look at: a customer's products and behaviour, nothing personal.

``CustomerSnapshot`` is built from core-banking accounts, recent transactions and
applications only. It deliberately has no date of birth, age, gender, nationality,
language, name or address: protected attributes (and their proxies) can never be an
input to an offer decision because they are not in the type
(tests/actions/test_offer_engine.py checks this).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from actions.clients.models import Account, Application, Transaction


@dataclass(frozen=True)
class AccountFacts:
    id: str
    type: str
    currency: str
    ledger_balance: Decimal  # on a card: the amount owed (positive means owed)
    credit_limit: Decimal | None
    status: str


@dataclass(frozen=True)
class TransactionFacts:
    account_id: str
    category: str
    amount: Decimal  # negative for a debit
    currency: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class ApplicationFacts:
    reference: str
    product: str
    status: str
    missing_documents: int
    updated_at: datetime


@dataclass(frozen=True)
class CustomerSnapshot:
    customer_id: str
    accounts: tuple[AccountFacts, ...] = ()
    transactions: tuple[TransactionFacts, ...] = ()
    applications: tuple[ApplicationFacts, ...] = ()


def account_facts(account: Account) -> AccountFacts:
    limit = account.credit_limit.amount if account.credit_limit is not None else None
    return AccountFacts(
        id=account.id,
        type=account.type,
        currency=account.currency,
        ledger_balance=account.ledger_balance.amount,
        credit_limit=limit,
        status=account.status,
    )


def transaction_facts(transaction: Transaction) -> TransactionFacts:
    return TransactionFacts(
        account_id=transaction.account_id,
        category=transaction.category,
        amount=transaction.amount.amount,
        currency=transaction.amount.currency,
        status=transaction.status,
        created_at=transaction.created_at,
    )


def application_facts(application: Application) -> ApplicationFacts:
    return ApplicationFacts(
        reference=application.reference,
        product=application.product,
        status=application.status,
        missing_documents=len(application.missing_documents),
        updated_at=application.updated_at,
    )


def snapshot_from(
    customer_id: str,
    accounts: Iterable[Account],
    transactions: Iterable[Transaction],
    applications: Iterable[Application],
) -> CustomerSnapshot:
    """The engine's input from core-banking results (closed accounts are left out)."""
    return CustomerSnapshot(
        customer_id=customer_id,
        accounts=tuple(account_facts(a) for a in accounts if not a.is_closed),
        transactions=tuple(transaction_facts(t) for t in transactions),
        applications=tuple(application_facts(a) for a in applications),
    )
