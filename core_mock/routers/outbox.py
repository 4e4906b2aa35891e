"""The outbox: messages the bank "sent", readable by tests and demos."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from core_mock.deps import SessionDep
from core_mock.models import Notification
from core_mock.presenters import notification_public
from core_mock.schemas import Outbox

router = APIRouter(prefix="/v1/outbox", tags=["outbox"])

CustomerFilter = Annotated[
    str | None, Query(pattern=r"^CUST-\d{4,8}$", description="Only this customer's")
]


@router.get("", response_model=Outbox, summary="List sent notifications, newest first")
def list_notifications(
    session: SessionDep,
    customer_id: CustomerFilter = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Outbox:
    query = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if customer_id is not None:
        query = query.where(Notification.customer_id == customer_id)
    rows = session.execute(query).scalars().all()
    return Outbox(notifications=[notification_public(row) for row in rows])
