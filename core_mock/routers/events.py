"""The account-event feed, read incrementally with ``after_id``."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from core_mock.deps import SessionDep
from core_mock.enums import EventType
from core_mock.models import AccountEvent
from core_mock.presenters import event_public
from core_mock.routers.outbox import CustomerFilter
from core_mock.schemas import EventList

router = APIRouter(prefix="/v1/events", tags=["events"])

MAX_ID = 2**63 - 1


@router.get("", response_model=EventList, summary="List feed events, oldest first")
def list_events(
    session: SessionDep,
    customer_id: CustomerFilter = None,
    type: EventType | None = None,
    after_id: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Only events with a larger id")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EventList:
    query = (
        select(AccountEvent)
        .where(AccountEvent.id > after_id)
        .order_by(AccountEvent.id)
        .limit(limit)
    )
    if customer_id is not None:
        query = query.where(AccountEvent.customer_id == customer_id)
    if type is not None:
        query = query.where(AccountEvent.type == type.value)
    return EventList(events=[event_public(row) for row in session.execute(query).scalars()])
