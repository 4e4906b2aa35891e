"""The desk's rate limits: sign-in attempts per agent name and per address, and the
service API per token (``DESK_RATE_LIMIT_*``). A refusal is ``429`` with ``Retry-After``
and ``{"error": {"code": "rate_limited", ...}}``; the limiter lives on ``app.state``."""

from __future__ import annotations

from fastapi import Request

from connectors.agent_desk.errors import ApiError
from ratelimit import RateLimiter, bucket_key, check


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def enforce(request: Request, *buckets: tuple[str, str, str]) -> None:
    """``(scope, value, setting)`` triples, e.g. ``("sign_in_ip", address, "sign_in_ip")``."""
    limiter: RateLimiter = request.app.state.limiter
    settings = request.app.state.settings
    decision = await check(
        limiter,
        *((bucket_key(scope, value), settings.limit(setting)) for scope, value, setting in buckets),
    )
    if not decision.allowed:
        body = decision.error_json()
        error = ApiError(429, body["code"], body["message"], retry_after=body["retry_after"])
        error.headers["Retry-After"] = decision.retry_after_header
        raise error


async def limit_sign_in(request: Request, agent_id: str) -> None:
    await enforce(
        request,
        ("sign_in_ip", client_address(request), "sign_in_ip"),
        ("sign_in_agent", agent_id.strip().lower(), "sign_in_agent"),
    )


async def limit_service(request: Request) -> None:
    """Called once the service token is known to be right: one bucket for that token."""
    token = request.headers.get("Authorization", "")
    await enforce(request, ("service", token, "service"))
