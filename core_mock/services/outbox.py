"""Side effects the core records instead of performing: sent messages and feed events."""

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core_mock.enums import EventType, NotificationChannel
from core_mock.models import AccountEvent, Notification

logger = logging.getLogger(__name__)


def send_notification(
    session: Session,
    *,
    customer_id: str,
    channel: NotificationChannel,
    to: str,
    subject: str,
    body: str,
    now: datetime,
) -> Notification:
    """Queue a message in the outbox (the mock's stand-in for SMS, e-mail and post)."""
    notification = Notification(
        customer_id=customer_id,
        channel=channel.value,
        to=to,
        subject=subject,
        body=body,
        created_at=now,
    )
    session.add(notification)
    session.flush()
    logger.info("core_mock.notification.queued id=%s channel=%s", notification.id, channel.value)
    return notification


def emit_event(
    session: Session,
    *,
    customer_id: str,
    account_id: str | None,
    event_type: EventType,
    payload: dict[str, Any],
    now: datetime,
) -> AccountEvent:
    event = AccountEvent(
        customer_id=customer_id,
        account_id=account_id,
        type=event_type.value,
        payload=payload,
        occurred_at=now,
    )
    session.add(event)
    session.flush()
    logger.info("core_mock.event.emitted id=%s type=%s", event.id, event_type.value)
    return event
