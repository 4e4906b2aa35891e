"""One-time-code challenges: issue a code to the contact on file, verify it with limits."""

import hashlib
import hmac
import logging
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core_mock.enums import ChallengeChannel, ChallengePurpose, NotificationChannel
from core_mock.errors import ApiError
from core_mock.models import Challenge, Contact, Customer
from core_mock.services.outbox import send_notification
from core_mock.settings import Settings

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
_PURPOSE_TEXT = {
    ChallengePurpose.contact_change: "confirm a change to your contact details",
    ChallengePurpose.login: "sign in",
}


def mask_phone(phone: str) -> str:
    return "•••••••" + phone[-2:]


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def hash_code(challenge_id: str, code: str) -> str:
    return hashlib.sha256(f"{challenge_id}:{code}".encode()).hexdigest()


def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_message(code: str, purpose: ChallengePurpose, ttl_seconds: int) -> str:
    minutes = max(1, ttl_seconds // 60)
    return (
        f"{code} is your verification code to {_PURPOSE_TEXT[purpose]}. "
        f"It expires in {minutes} minute{'s' if minutes != 1 else ''}. "
        "Never share it with anyone."
    )


def issue_challenge(
    session: Session,
    customer: Customer,
    purpose: ChallengePurpose,
    channel: ChallengeChannel,
    settings: Settings,
    now: datetime,
) -> Challenge:
    """Create a challenge and send its code to the phone or e-mail address on file."""
    contact = session.get(Contact, customer.id)
    if contact is None:
        message = "The customer has no contact details to send a code to."
        raise ApiError(409, "no_contact_on_file", message)
    by_sms = channel is ChallengeChannel.sms
    to = contact.phone if by_sms else contact.email
    code = generate_code()
    challenge_id = uuid.uuid4().hex
    challenge = Challenge(
        id=challenge_id,
        customer_id=customer.id,
        purpose=purpose.value,
        channel=channel.value,
        sent_to=mask_phone(to) if by_sms else mask_email(to),
        code_hash=hash_code(challenge_id, code),
        attempts_remaining=settings.otp_max_attempts,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.otp_ttl_seconds),
    )
    session.add(challenge)
    send_notification(
        session,
        customer_id=customer.id,
        channel=NotificationChannel(channel.value),
        to=to,
        subject="Your verification code",
        body=code_message(code, purpose, settings.otp_ttl_seconds),
        now=now,
    )
    logger.info("core_mock.challenge.issued id=%s purpose=%s", challenge.id, purpose.value)
    return challenge


def verify_challenge(session: Session, challenge: Challenge, code: str, now: datetime) -> Challenge:
    """Check a code. A wrong code uses up an attempt, and that is committed even though
    the request fails: otherwise a caller could guess forever."""
    if challenge.verified_at is not None:
        raise ApiError(
            409, "challenge_already_verified", "This challenge has already been verified."
        )
    if challenge.attempts_remaining <= 0:
        raise ApiError(423, "challenge_locked", "Too many wrong codes; request a new code.")
    if now >= challenge.expires_at:
        raise ApiError(410, "challenge_expired", "The code has expired; request a new code.")
    if hmac.compare_digest(challenge.code_hash, hash_code(challenge.id, code.strip())):
        challenge.verified_at = now
        logger.info("core_mock.challenge.verified id=%s", challenge.id)
        return challenge
    challenge.attempts_remaining -= 1
    session.commit()
    logger.info(
        "core_mock.challenge.wrong_code id=%s remaining=%s",
        challenge.id,
        challenge.attempts_remaining,
    )
    if challenge.attempts_remaining <= 0:
        raise ApiError(423, "challenge_locked", "Too many wrong codes; request a new code.")
    remaining = challenge.attempts_remaining
    raise ApiError(
        422,
        "wrong_code",
        f"The code is not correct; {remaining} attempt{'s' if remaining != 1 else ''} remaining.",
        attempts_remaining=remaining,
    )


def require_usable_for_contact_change(
    challenge: Challenge, settings: Settings, now: datetime
) -> None:
    """A contact change needs a verified, unused contact_change challenge, used promptly."""
    if challenge.purpose != ChallengePurpose.contact_change.value:
        raise ApiError(
            422, "wrong_challenge_purpose", "The challenge was not issued for a contact change."
        )
    if challenge.verified_at is None:
        raise ApiError(403, "challenge_not_verified", "The challenge has not been verified yet.")
    if challenge.used_at is not None:
        raise ApiError(409, "challenge_already_used", "The challenge has already been used.")
    if now >= challenge.verified_at + timedelta(seconds=settings.otp_ttl_seconds):
        raise ApiError(410, "challenge_expired", "The verification is too old; verify a new code.")
    challenge.used_at = now
