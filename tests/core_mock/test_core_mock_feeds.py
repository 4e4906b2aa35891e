"""The account-event feed and the outbox."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

CHECKING = "/v1/customers/CUST-0001/accounts/ACC-00010001"
DANA = "/v1/customers/CUST-0004/accounts/ACC-00040001"


def _post(
    client: TestClient, path: str, amount: str, category: str = "shopping", status: str = "posted"
) -> Any:
    body = {
        "merchant": "Payee",
        "category": category,
        "amount": {"amount": amount, "currency": "USD"},
        "status": status,
    }
    response = client.post(f"{path}/transactions", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _events_after(client: TestClient, after: int, **params: Any) -> list[dict[str, Any]]:
    return client.get("/v1/events", params={"after_id": after, "limit": 500, **params}).json()[
        "events"
    ]


def _last_id(client: TestClient) -> int:
    return _events_after(client, 0)[-1]["id"]


def test_seeded_feed_is_ordered_and_filterable(client: TestClient) -> None:
    events = _events_after(client, 0)
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert {e["type"] for e in events} >= {"salary_credited", "application_status_changed"}
    alice = _events_after(client, 0, customer_id="CUST-0001", type="salary_credited")
    assert len(alice) == 2 and all(e["account_id"] == "ACC-00010001" for e in alice)
    assert alice[0]["payload"]["amount"] == {"amount": "4200.00", "currency": "USD"}
    page = client.get("/v1/events", params={"limit": 2}).json()["events"]
    assert len(page) == 2 and _events_after(client, page[-1]["id"])[0]["id"] > page[-1]["id"]


def test_salary_credit_emits_salary_credited(client: TestClient) -> None:
    last = _last_id(client)
    txn = _post(client, CHECKING, "4200.00", category="salary")
    [event] = _events_after(client, last)
    assert (event["type"], event["customer_id"], event["account_id"]) == (
        "salary_credited",
        "CUST-0001",
        "ACC-00010001",
    )
    assert (
        event["payload"]["transaction_id"] == txn["id"]
        and event["occurred_at"] == "2026-11-28T12:00:00+00:00"
    )


def test_large_purchase_is_more_than_three_times_the_average_debit(client: TestClient) -> None:
    last = _last_id(client)
    _post(client, CHECKING, "-20.00")
    assert _events_after(client, last) == []
    _post(client, CHECKING, "-5000.00")
    [event] = _events_after(client, last)
    assert event["type"] == "large_purchase"
    assert event["payload"]["amount"] == {"amount": "-5000.00", "currency": "USD"}
    assert event["payload"]["average_debit"]["currency"] == "USD"


def test_overdraft_when_checking_goes_below_zero(client: TestClient) -> None:
    dana = client.get(DANA).json()
    ledger = dana["ledger_balance"]["amount"]
    last = _last_id(client)
    _post(client, DANA, f"-{ledger}")  # exactly zero is not an overdraft
    assert [e["type"] for e in _events_after(client, last)] in ([], ["large_purchase"])
    _post(client, DANA, "-0.01")
    overdraft = [e for e in _events_after(client, last) if e["type"] == "overdraft"]
    assert len(overdraft) == 1 and overdraft[0]["payload"]["ledger_balance"] == {
        "amount": "-0.01",
        "currency": "USD",
    }
    assert client.get(DANA).json()["ledger_balance"]["amount"] == "-0.01"


@pytest.mark.parametrize(
    "params",
    [
        {"type": "birthday"},
        {"after_id": "-1"},
        {"after_id": "1" * 30},
        {"limit": "0"},
        {"customer_id": "bob"},
    ],
)
def test_bad_feed_filters_are_422(
    client: TestClient, assert_error: Callable, params: dict[str, str]
) -> None:
    assert_error(client.get("/v1/events", params=params), 422, "invalid_request")


def test_the_largest_after_id_is_accepted(client: TestClient) -> None:
    response = client.get("/v1/events", params={"after_id": str(2**63 - 1)})
    assert response.status_code == 200 and response.json() == {"events": []}


def test_outbox_is_newest_first_and_filterable(
    client: TestClient, issue_code: Callable, assert_error: Callable
) -> None:
    assert client.get("/v1/outbox").json() == {"notifications": []}
    issue_code("CUST-0001")
    issue_code("CUST-0002", channel="email")
    everything = client.get("/v1/outbox").json()["notifications"]
    assert [n["customer_id"] for n in everything] == ["CUST-0002", "CUST-0001"]
    assert set(everything[0]) == {
        "id",
        "customer_id",
        "channel",
        "to",
        "subject",
        "body",
        "created_at",
    }
    only_alice = client.get("/v1/outbox", params={"customer_id": "CUST-0001"}).json()[
        "notifications"
    ]
    assert [n["to"] for n in only_alice] == ["+14155550101"]
    assert len(client.get("/v1/outbox", params={"limit": 1}).json()["notifications"]) == 1
    assert_error(client.get("/v1/outbox", params={"limit": "1000"}), 422, "invalid_request")
