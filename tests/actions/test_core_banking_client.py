"""The core-banking client over httpx.MockTransport: retries, deadlines, error mapping."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from actions.clients import core_banking
from actions.clients.core_banking import CoreBankingClient, backoff_delay
from actions.clients.errors import (
    CoreBankingUnauthorized,
    CoreBankingUnavailable,
    InvalidResponse,
    NotFound,
    Rejected,
)
from actions.clients.models import Money, NewTransaction

CUSTOMER = {
    "id": "CUST-0001",
    "first_name": "Alice",
    "last_name": "Morgan",
    "preferred_name": "Ali",
    "language": "en",
    "date_of_birth": "1990-04-02",
    "segment": "retail",
    "created_at": "2020-01-01T00:00:00+00:00",
}


class Script:
    """A MockTransport handler that plays one step per request and counts them."""

    def __init__(self, *steps: Any) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        if isinstance(step, type) and issubclass(step, Exception):
            raise step("scripted failure", request=request)
        if step == "hang":
            await asyncio.sleep(30)
        if isinstance(step, int):
            return error_response(step)
        return httpx.Response(200, json=step)


def error_response(status: int, code: str = "some_error", **extra: Any) -> httpx.Response:
    body = {"error": {"code": code, "message": f"reason for {status}", **extra}}
    return httpx.Response(status, content=json.dumps(body))


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., CoreBankingClient]]:
    clients: list[CoreBankingClient] = []

    def build(handler: Any, **options: Any) -> CoreBankingClient:
        options = {
            "timeout_seconds": 0.5,
            "retries": 2,
            "deadline_seconds": 2.0,
            "backoff_seconds": 0.001,
            **options,
        }
        client = CoreBankingClient(
            "http://core.test", "secret-key", transport=httpx.MockTransport(handler), **options
        )
        clients.append(client)
        return client

    yield build
    for client in clients:
        await client.aclose()


async def test_timeout_is_retried_then_succeeds(make_client) -> None:
    script = Script(httpx.ReadTimeout, CUSTOMER)
    customer = await make_client(script).get_customer("CUST-0001")
    assert customer.preferred_name == "Ali"
    assert len(script.requests) == 2


async def test_connection_error_and_503_are_retried(make_client) -> None:
    script = Script(httpx.ConnectError, 503, CUSTOMER)
    customer = await make_client(script).get_customer("CUST-0001")
    assert customer.id == "CUST-0001"
    assert len(script.requests) == 3


@pytest.mark.parametrize("status", [502, 504])
async def test_gateway_errors_are_retried(make_client, status: int) -> None:
    script = Script(status, CUSTOMER)
    await make_client(script).get_customer("CUST-0001")
    assert len(script.requests) == 2


async def test_retries_exhausted_is_unavailable(make_client) -> None:
    script = Script(503)
    with pytest.raises(CoreBankingUnavailable):
        await make_client(script, retries=2).get_customer("CUST-0001")
    assert len(script.requests) == 3  # first try + 2 retries


async def test_zero_retries_means_one_attempt(make_client) -> None:
    script = Script(httpx.ConnectError)
    with pytest.raises(CoreBankingUnavailable):
        await make_client(script, retries=0).get_customer("CUST-0001")
    assert len(script.requests) == 1


@pytest.mark.parametrize("failure", [503, httpx.ReadTimeout, httpx.ConnectError])
async def test_post_is_never_retried(make_client, failure: Any) -> None:
    script = Script(failure, {"never": "reached"})
    new = NewTransaction(
        merchant="ACME Payroll",
        category="salary",
        amount=Money(amount=Decimal("2500.00"), currency="USD"),
    )
    with pytest.raises(CoreBankingUnavailable):
        await make_client(script).create_transaction("CUST-0001", "ACC-00000001", new)
    assert len(script.requests) == 1
    assert script.requests[0].method == "POST"


async def test_post_sends_decimal_amount_as_string(make_client) -> None:
    created = {
        "id": "TX-1",
        "account_id": "ACC-00000001",
        "merchant": "ACME Payroll",
        "category": "salary",
        "amount": {"amount": "2500.10", "currency": "USD"},
        "status": "posted",
        "booked_at": "2026-11-28T10:00:00+00:00",
        "created_at": "2026-11-28T10:00:00+00:00",
        "description": None,
    }
    script = Script(created)
    new = NewTransaction(
        merchant="ACME Payroll",
        category="salary",
        amount=Money(amount=Decimal("2500.10"), currency="USD"),
    )
    result = await make_client(script).create_transaction("CUST-0001", "ACC-00000001", new)
    sent = json.loads(script.requests[0].content)
    assert sent["amount"] == {"amount": "2500.10", "currency": "USD"}
    assert result.amount.amount == Decimal("2500.10")


async def test_404_is_not_found_without_retry(make_client) -> None:
    script = Script(404)
    with pytest.raises(NotFound) as caught:
        await make_client(script).get_account("CUST-0001", "ACC-99999999")
    assert caught.value.status_code == 404
    assert len(script.requests) == 1


async def test_422_is_rejected_with_code_and_fields(make_client) -> None:
    fields = [{"loc": ["query", "type"], "msg": "bad type"}]

    def handler(request: httpx.Request) -> httpx.Response:
        return error_response(422, "invalid_request", fields=fields)

    with pytest.raises(Rejected) as caught:
        await make_client(handler).list_accounts("CUST-0001", account_type="boat")
    assert caught.value.code == "invalid_request"
    assert caught.value.status_code == 422
    assert caught.value.message == "reason for 422"
    assert caught.value.fields == fields


async def test_409_is_rejected(make_client) -> None:
    with pytest.raises(Rejected) as caught:
        await make_client(Script(409)).get_customer("CUST-0001")
    assert caught.value.code == "some_error"


async def test_401_is_unauthorized_and_not_retried(make_client) -> None:
    script = Script(401)
    with pytest.raises(CoreBankingUnauthorized) as caught:
        await make_client(script).get_customer("CUST-0001")
    assert "CORE_BANKING_API_KEY" in str(caught.value)
    assert len(script.requests) == 1


async def test_500_is_unavailable_without_retry(make_client) -> None:
    script = Script(500, CUSTOMER)
    with pytest.raises(CoreBankingUnavailable):
        await make_client(script).get_customer("CUST-0001")
    assert len(script.requests) == 1


async def test_hanging_core_answers_within_the_deadline(make_client) -> None:
    # MockTransport ignores httpx timeouts, so only the client's own deadline stops this.
    script = Script("hang")
    client = make_client(script, timeout_seconds=5, deadline_seconds=0.3)
    started = time.monotonic()
    with pytest.raises(CoreBankingUnavailable):
        await client.get_customer("CUST-0001")
    elapsed = time.monotonic() - started
    assert 0.25 <= elapsed < 0.3 + 0.2


async def test_no_backoff_sleep_past_the_deadline(make_client) -> None:
    script = Script(503, CUSTOMER)
    client = make_client(script, backoff_seconds=5, deadline_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(CoreBankingUnavailable):
        await client.get_customer("CUST-0001")
    assert time.monotonic() - started < 0.5  # gave up at once instead of sleeping 5 s
    assert len(script.requests) == 1


def test_backoff_grows_exponentially_with_small_jitter() -> None:
    delays = [backoff_delay(n, base=0.1, cap=1.0, jitter=0.0) for n in (1, 2, 3, 4, 5)]
    assert delays == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0])
    assert backoff_delay(1, base=0.1, cap=1.0, jitter=1.0) == pytest.approx(0.15)


async def test_amounts_are_exact_decimals(make_client) -> None:
    account = {
        "id": "ACC-00000001",
        "customer_id": "CUST-0001",
        "type": "credit_card",
        "nickname": "Cashback Visa",
        "masked_number": "••••4321",
        "currency": "USD",
        "available_balance": {"amount": "0.10", "currency": "USD"},
        "ledger_balance": {"amount": "4599.90", "currency": "USD"},
        "credit_limit": {"amount": "5000.00", "currency": "USD"},
        "status": "open",
        "opened_at": "2021-05-01T09:00:00+00:00",
    }
    [parsed] = await make_client(Script({"accounts": [account]})).list_accounts("CUST-0001")
    assert parsed.available_balance.amount == Decimal("0.10")
    assert str(parsed.available_balance.amount) == "0.10"  # minor digits kept
    assert parsed.ledger_balance.amount + parsed.available_balance.amount == Decimal("4600.00")
    assert parsed.credit_limit is not None and parsed.credit_limit.amount == Decimal("5000.00")


async def test_json_numbers_never_become_floats(make_client) -> None:
    account = {
        "id": "ACC-00000001",
        "customer_id": "CUST-0001",
        "type": "savings",
        "nickname": "Rainy Day Savings",
        "masked_number": "••••1111",
        "currency": "USD",
        "available_balance": {"amount": 0.1, "currency": "USD"},
        "ledger_balance": {"amount": "0.10", "currency": "USD"},
        "status": "open",
    }
    [parsed] = await make_client(Script({"accounts": [account]})).list_accounts("CUST-0001")
    assert parsed.available_balance.amount == Decimal("0.1")


def test_money_refuses_floats() -> None:
    with pytest.raises(ValueError):
        Money(amount=0.1, currency="USD")


async def test_every_request_carries_the_api_key_and_escapes_ids(make_client) -> None:
    script = Script(CUSTOMER, {"accounts": []})
    client = make_client(script)
    await client.get_customer("CUST-0001")
    await client.list_accounts("CUST-0001/../CUST-0002", account_type="savings")
    assert all(r.headers["X-API-Key"] == "secret-key" for r in script.requests)
    assert script.requests[0].url.path == "/v1/customers/CUST-0001"
    second = script.requests[1].url
    assert second.raw_path.startswith(b"/v1/customers/CUST-0001%2F..%2FCUST-0002/accounts")
    assert second.params["type"] == "savings"


@pytest.mark.parametrize("bad_id", ["", ".", ".."])
async def test_dot_segments_are_refused_before_any_request(make_client, bad_id: str) -> None:
    script = Script(CUSTOMER)
    with pytest.raises(NotFound):
        await make_client(script).get_account("CUST-0001", bad_id)
    assert script.requests == []


@pytest.mark.parametrize("body", [{"unexpected": True}, {"accounts": [{"id": "ACC-1"}]}])
async def test_bodies_off_contract_are_invalid_response(make_client, body: Any) -> None:
    with pytest.raises(InvalidResponse):
        await make_client(Script(body)).list_accounts("CUST-0001")


async def test_non_json_body_is_invalid_response(make_client) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>proxy error</html>")

    with pytest.raises(InvalidResponse):
        await make_client(handler).get_customer("CUST-0001")


async def test_client_is_closable() -> None:
    async with CoreBankingClient(
        "http://core.test", "k", transport=httpx.MockTransport(Script(CUSTOMER))
    ) as client:
        assert not client.is_closed
    assert client.is_closed


async def test_shared_client_is_lazy_and_reused(monkeypatch) -> None:
    monkeypatch.setattr(core_banking, "_shared", None)
    monkeypatch.setattr(core_banking, "_shared_loop", None)
    first = core_banking.shared_core_banking_client()
    assert core_banking.shared_core_banking_client() is first
    await core_banking.close_shared_core_banking_client()
    assert first.is_closed
    second = core_banking.shared_core_banking_client()
    assert second is not first
    await core_banking.close_shared_core_banking_client()
