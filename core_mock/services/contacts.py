"""Contact-detail changes: challenge-protected, idempotent, recorded and announced."""

import hashlib
import json
import logging
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core_mock.enums import ContactField, NotificationChannel
from core_mock.errors import ApiError
from core_mock.models import Contact, ContactChange, IdempotencyRecord
from core_mock.presenters import contact_public, postal_address
from core_mock.schemas import ContactPublic, ContactUpdate, PostalAddress
from core_mock.services.challenges import mask_email, mask_phone, require_usable_for_contact_change
from core_mock.services.lookups import get_challenge
from core_mock.services.outbox import send_notification
from core_mock.settings import Settings

logger = logging.getLogger(__name__)

EMAIL = re.compile(
    r"[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+"
)
E164 = re.compile(r"\+[1-9]\d{6,14}")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_FIELD_LABEL = {
    "email": "e-mail address",
    "phone": "phone number",
    "postal_address": "postal address",
}


def _invalid_value(message: str) -> ApiError:
    return ApiError(
        422, "invalid_request", message, fields=[{"loc": ["body", "value"], "msg": message}]
    )


def normalise_value(field: ContactField, value: PostalAddress | str) -> str | dict[str, Any]:
    """Validate a new contact value for its field; returns the form that is stored."""
    if field is ContactField.postal_address:
        if not isinstance(value, PostalAddress):
            raise _invalid_value(
                "postal_address needs an object with line1, city, region, postal_code, country"
            )
        return value.dict()
    if not isinstance(value, str):
        raise _invalid_value(f"{field.value} must be a string")
    if field is ContactField.email:
        local, _, domain = value.rpartition("@")
        if not EMAIL.fullmatch(value):
            raise _invalid_value("email must be an e-mail address such as name@example.com")
        return f"{local}@{domain.lower()}"
    phone = _PHONE_SEPARATORS.sub("", value)
    if not E164.fullmatch(phone):
        raise _invalid_value("phone must be in E.164 format, e.g. +14155550123")
    return phone


def current_value(contact: Contact, field: ContactField) -> str | dict[str, Any]:
    if field is ContactField.postal_address:
        return postal_address(contact).dict()
    return str(getattr(contact, field.value))


def _apply(
    contact: Contact, field: ContactField, value: str | dict[str, Any], now: datetime
) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            setattr(contact, key, item)
    else:
        setattr(contact, field.value, value)
    contact.updated_at = now


def request_hash(field: ContactField, body: ContactUpdate) -> str:
    canonical = json.dumps({"field": field.value, "body": body.dict()}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(session: Session, customer_id: str, key: str, digest: str) -> ContactPublic | None:
    query = select(IdempotencyRecord).where(
        IdempotencyRecord.customer_id == customer_id, IdempotencyRecord.key == key
    )
    record = session.execute(query).scalar_one_or_none()
    if record is None:
        return None
    if record.request_hash != digest:
        raise ApiError(
            409, "conflict", "This Idempotency-Key was already used with a different request."
        )
    logger.info("core_mock.contact.replayed customer_id=%s", customer_id)
    return ContactPublic.parse_obj(record.response)


def _describe(
    field: ContactField, value: str | dict[str, Any]
) -> tuple[NotificationChannel, str, str]:
    """(channel, recipient, masked form for message bodies) for a contact value."""
    if isinstance(value, dict):
        parts = [
            value["line1"],
            value.get("line2"),
            value["city"],
            value["region"],
            value["postal_code"],
            value["country"],
        ]
        return (
            NotificationChannel.post,
            ", ".join(part for part in parts if part),
            "a new postal address",
        )
    if field is ContactField.email:
        return NotificationChannel.email, value, mask_email(value)
    return NotificationChannel.sms, value, mask_phone(value)


def _announce(
    session: Session, customer_id: str, field: ContactField, old: Any, new: Any, now: datetime
) -> None:
    label = _FIELD_LABEL[field.value]
    old_channel, old_to, _ = _describe(field, old)
    new_channel, new_to, new_masked = _describe(field, new)
    notices = [
        (
            old_channel,
            old_to,
            f"Your {label} was changed to {new_masked}. If this was not you, call us now.",
        ),
        (new_channel, new_to, f"This {label} is now on file for your account."),
    ]
    for channel, to, body in notices:
        send_notification(
            session,
            customer_id=customer_id,
            channel=channel,
            to=to,
            subject=f"Your {label} was changed",
            body=body,
            now=now,
        )


def _remember(
    session: Session, customer_id: str, key: str, digest: str, result: ContactPublic, now: datetime
) -> None:
    """Store the response for replays; a concurrent request with the same key loses with 409."""
    record = IdempotencyRecord(
        customer_id=customer_id,
        key=key,
        request_hash=digest,
        response=json.loads(result.json()),
        created_at=now,
    )
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        message = "This Idempotency-Key is being used by a concurrent request."
        raise ApiError(409, "conflict", message) from None


def change_contact(
    session: Session,
    contact: Contact,
    field: ContactField,
    body: ContactUpdate,
    idempotency_key: str,
    settings: Settings,
    now: datetime,
) -> ContactPublic:
    """Change one contact field under a verified challenge; replays repeated requests."""
    customer_id = contact.customer_id
    digest = request_hash(field, body)
    replayed = _replay(session, customer_id, idempotency_key, digest)
    if replayed is not None:
        return replayed
    challenge = get_challenge(session, customer_id, body.challenge_id)
    require_usable_for_contact_change(challenge, settings, now)
    new, old = normalise_value(field, body.value), current_value(contact, field)
    if new == old:
        label = _FIELD_LABEL[field.value]
        raise _invalid_value(f"The new {label} is the same as the current one.")
    _apply(contact, field, new, now)
    change = ContactChange(
        customer_id=customer_id,
        field=field.value,
        old_value=old,
        new_value=new,
        changed_at=now,
        challenge_id=challenge.id,
        idempotency_key=idempotency_key,
    )
    session.add(change)
    _announce(session, customer_id, field, old, new, now)
    result = contact_public(contact)
    _remember(session, customer_id, idempotency_key, digest, result, now)
    logger.info("core_mock.contact.changed customer_id=%s field=%s", customer_id, field.value)
    return result
