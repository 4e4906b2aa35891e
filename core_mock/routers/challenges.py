"""One-time-code challenges: issue and verify."""

from fastapi import APIRouter

from core_mock.deps import NowDep, SessionDep, SettingsDep
from core_mock.presenters import challenge_public
from core_mock.schemas import ChallengeCreate, ChallengePublic, ChallengeVerify
from core_mock.services.challenges import issue_challenge, verify_challenge
from core_mock.services.lookups import get_challenge, get_customer

router = APIRouter(prefix="/v1/customers/{customer_id}/challenges", tags=["challenges"])


@router.post("", response_model=ChallengePublic, status_code=201, summary="Send a one-time code")
def create_challenge(
    customer_id: str, body: ChallengeCreate, session: SessionDep, settings: SettingsDep, now: NowDep
) -> ChallengePublic:
    customer = get_customer(session, customer_id)
    return challenge_public(
        issue_challenge(session, customer, body.purpose, body.channel, settings, now)
    )


@router.post(
    "/{challenge_id}/verify", response_model=ChallengePublic, summary="Verify a one-time code"
)
def verify(
    customer_id: str, challenge_id: str, body: ChallengeVerify, session: SessionDep, now: NowDep
) -> ChallengePublic:
    get_customer(session, customer_id)
    challenge = get_challenge(session, customer_id, challenge_id)
    return challenge_public(verify_challenge(session, challenge, body.code, now))
