"""Async client for the core-banking HTTP API (see the team contract).

* every call carries ``X-API-Key`` and a per-attempt timeout;
* safe reads (GET) are retried with exponential backoff and a little jitter on
  timeouts, connection errors and 502/503/504; writes are never retried, except a
  write sent with an ``Idempotency-Key`` (core banking replays it instead of
  applying it twice);
* every call, retries included, ends within ``deadline_seconds``;
* results are typed (``actions.clients.models``) and failures are mapped to
  ``actions.clients.errors``.

One client (one connection pool) serves the whole action-server process: use
``shared_core_banking_client()``; tests inject their own via ``transport=``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from actions.clients.errors import CoreBankingUnavailable, NotFound
from actions.clients.models import (
    Account,
    Application,
    Challenge,
    ContactChange,
    ContactDetails,
    ContactFieldName,
    Customer,
    NewTransaction,
    PostalAddress,
    Transaction,
)
from actions.clients.responses import error_for, json_body, parse_list, parse_model
from actions.settings import Settings, get_settings

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD"})
RETRYABLE_STATUS = frozenset({502, 503, 504})


class _Retryable(Exception):
    """One attempt failed in a way that a safe read may retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CoreBankingClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_seconds: float = 1.0,
        retries: int = 2,
        deadline_seconds: float = 2.5,
        backoff_seconds: float = 0.1,
        max_backoff_seconds: float = 1.0,
        jitter: Callable[[], float] = random.random,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.retries = retries
        self.deadline_seconds = deadline_seconds
        self._backoff = backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._jitter = jitter
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"X-API-Key": api_key, "Accept": "application/json"},
            timeout=timeout_seconds,
            transport=transport,
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> CoreBankingClient:
        return cls(
            settings.core_banking_url,
            settings.core_banking_api_key,
            timeout_seconds=settings.core_banking_timeout_seconds,
            retries=settings.core_banking_retries,
            deadline_seconds=settings.core_banking_deadline_seconds,
            transport=transport,
        )

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> CoreBankingClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- reads ---------------------------------------------------------------

    async def get_customer(self, customer_id: str) -> Customer:
        body = await self._get("get_customer", _path("v1/customers", customer_id))
        return parse_model(Customer, body)

    async def list_accounts(
        self, customer_id: str, account_type: str | None = None
    ) -> list[Account]:
        params = {"type": account_type} if account_type else None
        path = _path("v1/customers", customer_id, "accounts")
        body = await self._get("list_accounts", path, params=params)
        return parse_list(Account, body, "accounts")

    async def get_account(self, customer_id: str, account_id: str) -> Account:
        path = _path("v1/customers", customer_id, "accounts", account_id)
        return parse_model(Account, await self._get("get_account", path))

    async def list_transactions(
        self,
        customer_id: str,
        account_id: str,
        *,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[Transaction]:
        params = {k: v for k, v in (("status", status), ("limit", limit)) if v is not None}
        path = _path("v1/customers", customer_id, "accounts", account_id, "transactions")
        body = await self._get("list_transactions", path, params=params or None)
        return parse_list(Transaction, body, "transactions")

    async def list_transactions_since(
        self, customer_id: str, account_id: str, since: datetime, *, limit: int = 500
    ) -> list[Transaction]:
        """Transactions created at or after ``since`` (timezone-aware), newest first."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        params = {"since": since.isoformat(), "limit": limit}
        path = _path("v1/customers", customer_id, "accounts", account_id, "transactions")
        body = await self._get("list_transactions", path, params=params)
        return parse_list(Transaction, body, "transactions")

    async def list_applications(self, customer_id: str) -> list[Application]:
        path = _path("v1/customers", customer_id, "applications")
        body = await self._get("list_applications", path)
        return parse_list(Application, body, "applications")

    async def get_application(self, customer_id: str, reference: str) -> Application:
        path = _path("v1/customers", customer_id, "applications", reference)
        return parse_model(Application, await self._get("get_application", path))

    async def get_contact(self, customer_id: str) -> ContactDetails:
        path = _path("v1/customers", customer_id, "contact")
        return parse_model(ContactDetails, await self._get("get_contact", path))

    async def contact_history(self, customer_id: str) -> list[ContactChange]:
        path = _path("v1/customers", customer_id, "contact", "history")
        body = await self._get("contact_history", path)
        return parse_list(ContactChange, body, "changes")

    # -- writes (never retried, except with an idempotency key) ---------------

    async def create_transaction(
        self, customer_id: str, account_id: str, transaction: NewTransaction
    ) -> Transaction:
        path = _path("v1/customers", customer_id, "accounts", account_id, "transactions")
        payload = json.loads(transaction.json(exclude_none=True))
        body = await self._call("create_transaction", "POST", path, payload=payload)
        return parse_model(Transaction, body)

    async def create_challenge(self, customer_id: str, *, purpose: str, channel: str) -> Challenge:
        """Core banking sends a one-time code to the phone or e-mail address on file."""
        path = _path("v1/customers", customer_id, "challenges")
        payload = {"purpose": purpose, "channel": channel}
        body = await self._call("create_challenge", "POST", path, payload=payload)
        return parse_model(Challenge, body)

    async def verify_challenge(self, customer_id: str, challenge_id: str, code: str) -> Challenge:
        """Check a code; a wrong one costs an attempt, so this is never retried."""
        path = _path("v1/customers", customer_id, "challenges", challenge_id, "verify")
        body = await self._call("verify_challenge", "POST", path, payload={"code": code})
        return parse_model(Challenge, body)

    async def update_contact(
        self,
        customer_id: str,
        field: ContactFieldName,
        value: str | PostalAddress,
        *,
        challenge_id: str,
        idempotency_key: str,
    ) -> ContactDetails:
        """Change one contact field. Core banking replays a request with the same
        ``idempotency_key`` and body instead of applying it again, so this write (and
        only this kind) is retried like a read."""
        path = _path("v1/customers", customer_id, "contact", field)
        new_value = value.dict(exclude_none=True) if isinstance(value, PostalAddress) else value
        body = await self._call(
            "update_contact",
            "PUT",
            path,
            payload={"value": new_value, "challenge_id": challenge_id},
            idempotency_key=idempotency_key,
        )
        return parse_model(ContactDetails, body)

    # -- plumbing ------------------------------------------------------------

    async def _get(
        self, operation: str, path: str, *, params: Mapping[str, Any] | None = None
    ) -> Any:
        return await self._call(operation, "GET", path, params=params)

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        payload: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """One logical call: attempts and backoff, all within the deadline. Only safe
        reads and writes carrying an idempotency key are attempted more than once."""
        retried = method in SAFE_METHODS or idempotency_key is not None
        attempts = 1 + (self.retries if retried else 0)
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.deadline_seconds

        async def attempt_all() -> Any:
            for attempt in range(1, attempts + 1):
                timeout = min(self.timeout_seconds, max(deadline - loop.time(), 0.001))
                try:
                    return await self._attempt(method, path, params, payload, timeout, headers)
                except _Retryable as failure:
                    delay = self._delay(attempt)
                    if attempt == attempts or loop.time() + delay >= deadline:
                        raise CoreBankingUnavailable(
                            f"core banking {operation} failed: {failure.reason}"
                        ) from None
                    logger.info(
                        "core_banking.retry operation=%s attempt=%d reason=%s",
                        operation,
                        attempt,
                        failure.reason,
                    )
                    await asyncio.sleep(delay)
            raise AssertionError("unreachable")  # pragma: no cover

        try:
            return await asyncio.wait_for(attempt_all(), timeout=self.deadline_seconds)
        except asyncio.TimeoutError:
            logger.warning("core_banking.deadline operation=%s", operation)
            raise CoreBankingUnavailable(
                f"core banking {operation} did not answer within {self.deadline_seconds}s"
            ) from None
        except CoreBankingUnavailable:
            logger.warning("core_banking.unavailable operation=%s", operation)
            raise

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        payload: Any,
        timeout: float,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        try:
            response = await self._http.request(
                method, path, params=params, json=payload, timeout=timeout, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timeout ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"network error ({type(exc).__name__})") from None
        if response.status_code in RETRYABLE_STATUS:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.is_success:
            return json_body(response)
        raise error_for(response)

    def _delay(self, attempt: int) -> float:
        return backoff_delay(
            attempt, base=self._backoff, cap=self._max_backoff, jitter=self._jitter()
        )


def backoff_delay(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Seconds to wait after failed ``attempt`` (1, 2, …): base, 2·base, 4·base … up to
    ``cap``, plus ``jitter`` (0..1) times half a base so retries do not synchronise."""
    return min(cap, base * 2 ** (attempt - 1)) + jitter * base / 2


def _path(*segments: str) -> str:
    """Join path segments, escaping caller-supplied ids so they stay one segment."""
    head, *ids = segments
    escaped = []
    for segment in ids:
        if segment in ("", ".", ".."):
            raise NotFound(f"invalid identifier {segment!r}", code="invalid_identifier")
        escaped.append(quote(segment, safe=""))
    return "/" + "/".join([head, *escaped])


# -- one shared client per action-server process ---------------------------------

_shared: CoreBankingClient | None = None
_shared_loop: asyncio.AbstractEventLoop | None = None


def shared_core_banking_client() -> CoreBankingClient:
    """The process-wide client, created on first use inside the running event loop.

    A client is bound to the loop that created it (its pooled connections are), so a
    new one is made if the loop changed (e.g. a restarted server) or it was closed.
    """
    global _shared, _shared_loop
    loop = asyncio.get_running_loop()
    if _shared is None or _shared.is_closed or _shared_loop is not loop:
        _shared = CoreBankingClient.from_settings(get_settings())
        _shared_loop = loop
    return _shared


async def close_shared_core_banking_client() -> None:
    global _shared, _shared_loop
    client, _shared, _shared_loop = _shared, None, None
    if client is not None:
        await client.aclose()
