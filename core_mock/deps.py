"""FastAPI dependencies: database session per request, clock, settings, API-key check."""

import hmac
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from core_mock.errors import ApiError
from core_mock.settings import Settings
from ratelimit import Decision, RateLimiter, bucket_key, check

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Service API key")


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit when the handler returns, roll back if it raises."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_now(request: Request) -> datetime:
    """The current time from the app's clock (tests inject a controllable one)."""
    return request.app.state.clock()


async def require_api_key(
    request: Request, api_key: Annotated[str | None, Security(api_key_header)]
) -> None:
    """The right key, within the limits: per address, per key, and wrong keys per address
    (an address that guessed wrong too often gets 429 even for the right key)."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.limiter
    address = request.client.host if request.client else "unknown"
    failures = (bucket_key("auth_failures", address), settings.limit("auth_failures_ip"))
    _allow(await check(limiter, (bucket_key("ip", address), settings.limit("ip"))))
    if failures[1] is not None:
        _allow(await limiter.peek(*failures))  # type: ignore[arg-type]
    expected = settings.api_key.encode()
    # Compare bytes: compare_digest refuses non-ASCII str, and callers can send any header.
    given = (api_key or "").encode("utf-8", "surrogateescape")
    if not api_key or not hmac.compare_digest(given, expected):
        await check(limiter, failures)
        raise ApiError(401, "unauthorized", "Missing or invalid X-API-Key header.")
    _allow(await check(limiter, (bucket_key("key", "api_key"), settings.limit("key"))))


def _allow(decision: Decision) -> None:
    if not decision.allowed:
        body = decision.error_json()
        error = ApiError(429, body["code"], body["message"], retry_after=body["retry_after"])
        error.headers["Retry-After"] = decision.retry_after_header
        raise error


# scope="function": commit happens before the response is sent, so a client that
# reads right after a write always sees it (the default scope would commit later).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
