"""Accounts of a customer, with available and ledger balances."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from core_mock.deps import SessionDep
from core_mock.enums import AccountType
from core_mock.models import Account
from core_mock.presenters import account_public
from core_mock.schemas import AccountList, AccountPublic
from core_mock.services.lookups import get_account, get_customer

router = APIRouter(prefix="/v1/customers/{customer_id}/accounts", tags=["accounts"])


@router.get("", response_model=AccountList, summary="List a customer's accounts")
def list_accounts(
    customer_id: str,
    session: SessionDep,
    type: Annotated[AccountType | None, Query(description="Only accounts of this type")] = None,
) -> AccountList:
    get_customer(session, customer_id)
    query = select(Account).where(Account.customer_id == customer_id).order_by(Account.id)
    if type is not None:
        query = query.where(Account.type == type.value)
    accounts = session.execute(query).scalars().all()
    return AccountList(accounts=[account_public(account) for account in accounts])


@router.get("/{account_id}", response_model=AccountPublic, summary="Get one account")
def read_account(customer_id: str, account_id: str, session: SessionDep) -> AccountPublic:
    return account_public(get_account(session, customer_id, account_id))
