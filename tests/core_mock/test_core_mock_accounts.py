"""Customers and accounts: happy paths, filters, 404s, no cross-customer access."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient


def test_read_customer(client: TestClient) -> None:
    body = client.get("/v1/customers/CUST-0001").json()
    assert body == {
        "id": "CUST-0001",
        "first_name": "Alice",
        "last_name": "Morgan",
        "preferred_name": "Ali",
        "language": "en",
        "date_of_birth": "1988-04-12",
        "segment": "retail",
        "created_at": body["created_at"],
    }
    assert body["created_at"].endswith("+00:00")
    bruno = client.get("/v1/customers/CUST-0002").json()
    assert (bruno["last_name"], bruno["language"], bruno["segment"]) == ("Díaz", "es", "premier")
    assert client.get("/v1/customers/CUST-0004").json()["segment"] == "student"


@pytest.mark.parametrize(
    "customer_id", ["CUST-9999", "CUST-1", "nobody", "CUST-0001%00", "CUST-" + "9" * 40]
)
def test_unknown_or_malformed_customer_is_404(
    client: TestClient, assert_error: Callable, customer_id: str
) -> None:
    assert_error(client.get(f"/v1/customers/{customer_id}"), 404, "customer_not_found")
    assert_error(client.get(f"/v1/customers/{customer_id}/accounts"), 404, "customer_not_found")


def test_list_accounts_of_alice(client: TestClient) -> None:
    accounts = client.get("/v1/customers/CUST-0001/accounts").json()["accounts"]
    assert [(a["type"], a["nickname"]) for a in accounts] == [
        ("checking", "Everyday Checking"),
        ("savings", "Rainy Day Savings"),
        ("credit_card", "Cashback Visa"),
    ]
    checking, _, card = accounts
    assert checking["credit_limit"] is None
    assert card["credit_limit"] == {"amount": "5000.00", "currency": "USD"}
    assert checking["masked_number"].startswith("••••") and len(checking["masked_number"]) == 8
    assert checking["status"] == "open" and checking["currency"] == "USD"
    assert checking["ledger_balance"]["amount"].count(".") == 1
    assert len(checking["ledger_balance"]["amount"].split(".")[1]) == 2


def test_filter_accounts_by_type(client: TestClient, assert_error: Callable) -> None:
    checking = client.get("/v1/customers/CUST-0002/accounts", params={"type": "checking"}).json()[
        "accounts"
    ]
    assert [(a["nickname"], a["currency"]) for a in checking] == [
        ("Household Checking", "USD"),
        ("Euro Checking", "EUR"),
    ]
    assert client.get("/v1/customers/CUST-0004/accounts", params={"type": "savings"}).json() == {
        "accounts": []
    }
    error = assert_error(
        client.get("/v1/customers/CUST-0001/accounts", params={"type": "loan"}),
        422,
        "invalid_request",
    )
    assert error["fields"][0]["loc"] == ["query", "type"]


def test_read_one_account(client: TestClient) -> None:
    account = client.get("/v1/customers/CUST-0001/accounts/ACC-00010001").json()
    assert (account["id"], account["customer_id"], account["type"]) == (
        "ACC-00010001",
        "CUST-0001",
        "checking",
    )


def test_another_customers_account_is_not_found(client: TestClient, assert_error: Callable) -> None:
    base = "/v1/customers/CUST-0002/accounts/ACC-00010001"
    assert_error(client.get(base), 404, "account_not_found")
    assert_error(client.get(f"{base}/transactions"), 404, "account_not_found")
    body = {
        "merchant": "Shop",
        "category": "shopping",
        "amount": {"amount": "-1.00", "currency": "USD"},
    }
    assert_error(client.post(f"{base}/transactions", json=body), 404, "account_not_found")
    assert_error(
        client.get("/v1/customers/CUST-0001/accounts/ACC-99999999"), 404, "account_not_found"
    )
    assert_error(client.get("/v1/customers/CUST-0001/accounts/not-an-id"), 404, "account_not_found")
