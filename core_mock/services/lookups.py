"""Load rows that belong to a customer, or fail with the contract's 404.

Identifiers are checked against their format first, so malformed input never
reaches the database (PostgreSQL rejects e.g. NUL characters with an error).
"""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from core_mock.errors import not_found
from core_mock.models import Account, Application, Challenge, Customer

CUSTOMER_ID = re.compile(r"CUST-\d{4,8}")
ACCOUNT_ID = re.compile(r"ACC-\d{8}")
APPLICATION_REF = re.compile(r"APP-\d{6}")
CHALLENGE_ID = re.compile(r"[0-9a-f]{32}")


def get_customer(session: Session, customer_id: str) -> Customer:
    customer = session.get(Customer, customer_id) if CUSTOMER_ID.fullmatch(customer_id) else None
    if customer is None:
        raise not_found("customer", customer_id)
    return customer


def get_account(
    session: Session, customer_id: str, account_id: str, *, for_update: bool = False
) -> Account:
    """The customer's account; another customer's account is reported as not found."""
    get_customer(session, customer_id)
    account = None
    if ACCOUNT_ID.fullmatch(account_id):
        query = select(Account).where(Account.id == account_id, Account.customer_id == customer_id)
        if for_update:
            query = query.with_for_update()
        account = session.execute(query).scalar_one_or_none()
    if account is None:
        raise not_found("account", account_id)
    return account


def get_application(
    session: Session, customer_id: str, reference: str, *, for_update: bool = False
) -> Application:
    get_customer(session, customer_id)
    application = None
    if APPLICATION_REF.fullmatch(reference):
        query = select(Application).where(
            Application.reference == reference, Application.customer_id == customer_id
        )
        if for_update:
            query = query.with_for_update()
        application = session.execute(query).scalar_one_or_none()
    if application is None:
        raise not_found("application", reference)
    return application


def get_challenge(session: Session, customer_id: str, challenge_id: str) -> Challenge:
    """The customer's challenge, locked for update so attempts are counted exactly once."""
    challenge = None
    if CHALLENGE_ID.fullmatch(challenge_id):
        query = (
            select(Challenge)
            .where(Challenge.id == challenge_id, Challenge.customer_id == customer_id)
            .with_for_update()
        )
        challenge = session.execute(query).scalar_one_or_none()
    if challenge is None:
        raise not_found("challenge", challenge_id)
    return challenge
