"""Contact details: read, history, and challenge-protected idempotent changes."""

from typing import Annotated

from fastapi import APIRouter, Header
from sqlalchemy import select

from core_mock.deps import NowDep, SessionDep, SettingsDep
from core_mock.enums import ContactField
from core_mock.errors import not_found
from core_mock.models import Contact, ContactChange
from core_mock.presenters import contact_change_public, contact_public
from core_mock.schemas import ContactHistory, ContactPublic, ContactUpdate
from core_mock.services.contacts import change_contact
from core_mock.services.lookups import get_customer

router = APIRouter(prefix="/v1/customers/{customer_id}/contact", tags=["contact"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description="Client-chosen key; a retry with the same key and body replays the result",
    ),
]


def _contact(session: SessionDep, customer_id: str, *, for_update: bool = False) -> Contact:
    get_customer(session, customer_id)
    query = select(Contact).where(Contact.customer_id == customer_id)
    contact = session.execute(query.with_for_update() if for_update else query).scalar_one_or_none()
    if contact is None:
        raise not_found("contact", customer_id)
    return contact


@router.get("", response_model=ContactPublic, summary="Get the contact details on file")
def read_contact(customer_id: str, session: SessionDep) -> ContactPublic:
    return contact_public(_contact(session, customer_id))


@router.get(
    "/history", response_model=ContactHistory, summary="List changes to the contact details"
)
def read_contact_history(customer_id: str, session: SessionDep) -> ContactHistory:
    get_customer(session, customer_id)
    query = (
        select(ContactChange)
        .where(ContactChange.customer_id == customer_id)
        .order_by(ContactChange.changed_at.desc(), ContactChange.id.desc())
    )
    rows = session.execute(query).scalars().all()
    return ContactHistory(changes=[contact_change_public(row) for row in rows])


@router.put("/{field}", response_model=ContactPublic, summary="Change one contact field")
def update_contact(
    customer_id: str,
    field: ContactField,
    body: ContactUpdate,
    idempotency_key: IdempotencyKey,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> ContactPublic:
    contact = _contact(session, customer_id, for_update=True)
    return change_contact(session, contact, field, body, idempotency_key, settings, now)
