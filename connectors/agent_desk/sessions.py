"""Agent sessions: a signed, HttpOnly, SameSite=Strict cookie; a header that rules out CSRF.

The cookie holds a PyJWT HS256 token (``sub`` agent id, ``epoch`` the agent's session
epoch, ``exp``) signed with ``DESK_SESSION_SECRET``. Requests that change anything must
also send ``X-Desk-Request: 1`` with a JSON body: a cross-site form cannot set that
header, and the strict cookie is not sent cross-site anyway.
"""

from __future__ import annotations

import time
from typing import Annotated

import jwt
from fastapi import Depends, Request

from connectors.agent_desk.agents import Agent, AgentStore
from connectors.agent_desk.errors import ApiError

COOKIE = "desk_session"
CSRF_HEADER = "X-Desk-Request"
_ALGORITHM = "HS256"
_AUDIENCE = "agent-desk"


def mint_session(agent: Agent, secret: str, hours: float, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": agent.id,
        "epoch": agent.session_epoch,
        "aud": _AUDIENCE,
        "iat": issued,
        "exp": issued + int(hours * 3600),
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def read_session(token: str, secret: str) -> tuple[str, int] | None:
    """(agent id, epoch) from a valid token, else ``None``."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            options={"require": ["sub", "exp", "iat", "aud"]},
        )
    except jwt.PyJWTError:
        return None
    epoch = claims.get("epoch")
    if not isinstance(claims["sub"], str) or not isinstance(epoch, int):
        return None
    return claims["sub"], epoch


async def current_agent(request: Request) -> Agent:
    """The signed-in agent, or 401."""
    token = request.cookies.get(COOKIE)
    found = read_session(token, request.app.state.settings.session_secret) if token else None
    if found is None:
        raise ApiError(401, "not_signed_in", "Please sign in.")
    agents: AgentStore = request.app.state.agents
    agent = await agents.get(found[0])
    if agent is None or agent.session_epoch != found[1]:
        raise ApiError(401, "not_signed_in", "Your session has ended. Please sign in again.")
    return agent


def require_desk_header(request: Request) -> None:
    if request.headers.get(CSRF_HEADER) != "1":
        raise ApiError(403, "missing_desk_header", f"Requests must send {CSRF_HEADER}: 1.")


AgentDep = Annotated[Agent, Depends(current_agent)]
