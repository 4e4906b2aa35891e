"""Verifying a caller: customer number on the keypad, then a one-time code by SMS.

Caller ID proves nothing, so the channel asks core banking for a ``login`` challenge
(``POST /v1/customers/{id}/challenges``), which texts a code to the phone on file, and
checks the code the caller keys in (``POST .../challenges/{challenge_id}/verify``).
Every call has a timeout; core banking's answers map to a few outcomes the call flow
speaks. Nothing here logs the customer number or the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpx

CUSTOMER_NUMBER = re.compile(r"\d{1,8}\Z", re.ASCII)
CODE = re.compile(r"\d{6}\Z", re.ASCII)  # keypad digits only, not any Unicode digit


class CoreBankingUnavailable(Exception):
    """Core banking could not be asked (timeout, connection error, unexpected answer)."""


class CodeCheck(str, Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    LOCKED = "locked"  # no attempts left
    EXPIRED = "expired"


@dataclass(frozen=True)
class CodeResult:
    outcome: CodeCheck
    attempts_remaining: int = 0


def customer_id_from_keys(keys: str) -> str | None:
    """``0001`` or ``1`` → ``CUST-0001``; None if the keys cannot be a customer number."""
    keys = keys.strip().rstrip("#")
    if not CUSTOMER_NUMBER.match(keys) or int(keys) == 0:
        return None
    return f"CUST-{int(keys):04d}"


class ChallengeClient:
    """Core banking's challenge routes over HTTP (httpx, one client per channel)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url
        self._api_key = api_key
        self._timeout = timeout_seconds
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:  # created on first use, inside the server's event loop
            self._client = httpx.AsyncClient(
                base_url=self._base_url,
                headers={"X-API-Key": self._api_key},
                timeout=httpx.Timeout(self._timeout),
                transport=self._transport,
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send_login_code(self, customer_id: str) -> str | None:
        """Text a login code to the customer's phone; the challenge id, or None when the
        customer does not exist or has no phone to text (the caller is not told which)."""
        response = await self._post(
            f"/v1/customers/{customer_id}/challenges", {"purpose": "login", "channel": "sms"}
        )
        if response.status_code == 201:
            challenge_id = _json(response).get("id")
            if isinstance(challenge_id, str) and challenge_id:
                return challenge_id
        elif response.status_code in (404, 409, 422):
            return None
        raise CoreBankingUnavailable(f"challenge create answered {response.status_code}")

    async def check_code(self, customer_id: str, challenge_id: str, code: str) -> CodeResult:
        response = await self._post(
            f"/v1/customers/{customer_id}/challenges/{challenge_id}/verify", {"code": code}
        )
        body = _json(response)
        found = body.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        match response.status_code, error.get("code"):
            case 200, _ if body.get("verified") is True:
                return CodeResult(CodeCheck.VERIFIED)
            case 422, "wrong_code":
                return CodeResult(CodeCheck.WRONG, int(error.get("attempts_remaining", 0)))
            case 423, _:
                return CodeResult(CodeCheck.LOCKED)
            case (410, _) | (409, _) | (404, _):
                return CodeResult(CodeCheck.EXPIRED)
        raise CoreBankingUnavailable(f"challenge verify answered {response.status_code}")

    async def _post(self, path: str, body: dict[str, str]) -> httpx.Response:
        try:
            return await self._http().post(path, json=body)
        except httpx.HTTPError as error:
            raise CoreBankingUnavailable(type(error).__name__) from error


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
