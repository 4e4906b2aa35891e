"""Transactions: history filters, posting with atomic balance updates, bad input."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from core_mock.models import Account

ALICE = "/v1/customers/CUST-0001/accounts"
CHECKING = f"{ALICE}/ACC-00010001"
SAVINGS = f"{ALICE}/ACC-00010002"
CARD = f"{ALICE}/ACC-00010003"


def _body(amount: str, currency: str = "USD", **fields: Any) -> dict[str, Any]:
    return {
        "merchant": "Corner Shop",
        "category": "shopping",
        "amount": {"amount": amount, "currency": currency},
        **fields,
    }


def _cents(money: dict[str, str]) -> int:
    return int(money["amount"].replace(".", ""))


def _balances(client: TestClient, path: str) -> tuple[int, int]:
    account = client.get(path).json()
    return _cents(account["ledger_balance"]), _cents(account["available_balance"])


def test_history_is_newest_first_with_status_and_limit_filters(client: TestClient) -> None:
    rows = client.get(f"{CHECKING}/transactions").json()["transactions"]
    assert 0 < len(rows) <= 50
    assert [r["created_at"] for r in rows] == sorted((r["created_at"] for r in rows), reverse=True)
    first = rows[0]
    assert set(first) == {
        "id",
        "account_id",
        "merchant",
        "category",
        "amount",
        "status",
        "booked_at",
        "created_at",
        "description",
    }
    assert first["amount"]["currency"] == "USD" and first["created_at"].endswith("+00:00")
    posted = client.get(f"{CHECKING}/transactions", params={"status": "posted", "limit": 3}).json()[
        "transactions"
    ]
    assert len(posted) == 3 and all(r["status"] == "posted" and r["booked_at"] for r in posted)
    pending = client.get(f"{CARD}/transactions", params={"status": "pending"}).json()[
        "transactions"
    ]
    assert all(r["status"] == "pending" and r["booked_at"] is None for r in pending)


def test_history_time_window(client: TestClient) -> None:
    params = {"since": "2026-11-01T00:00:00+00:00", "until": "2026-11-15T00:00:00Z", "limit": 500}
    rows = client.get(f"{CHECKING}/transactions", params=params).json()["transactions"]
    assert rows and all("2026-11-01" <= r["created_at"][:10] < "2026-11-15" for r in rows)
    later = client.get(
        f"{CHECKING}/transactions", params={"since": "2026-11-20T00:00:00-05:00"}
    ).json()
    assert all(r["created_at"] >= "2026-11-20T05:00:00+00:00" for r in later["transactions"])


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-11-01T00:00:00"},  # no offset
        {"since": "yesterday"},
        {"since": "2026-11-01"},
        {"since": "9999-12-31T23:00:00-05:00"},  # overflows when converted to UTC
        {"since": "2026-11-10T00:00:00Z", "until": "2026-11-01T00:00:00Z"},
        {"status": "cleared"},
        {"limit": "0"},
        {"limit": "-5"},
        {"limit": "501"},
        {"limit": "99999999999999999999999"},
    ],
)
def test_bad_history_filters_are_422(
    client: TestClient, assert_error: Callable, params: dict[str, str]
) -> None:
    assert_error(client.get(f"{CHECKING}/transactions", params=params), 422, "invalid_request")


def test_posting_a_debit_updates_balances_and_history(client: TestClient) -> None:
    ledger, available = _balances(client, CHECKING)
    response = client.post(f"{CHECKING}/transactions", json=_body("-42.15", description="Gift"))
    assert response.status_code == 201, response.text
    txn = response.json()
    assert txn["amount"] == {"amount": "-42.15", "currency": "USD"}
    assert (txn["status"], txn["description"], txn["account_id"]) == (
        "posted",
        "Gift",
        "ACC-00010001",
    )
    assert (
        txn["id"].startswith("TXN-")
        and txn["booked_at"] == txn["created_at"] == "2026-11-28T12:00:00+00:00"
    )
    assert _balances(client, CHECKING) == (ledger - 4215, available - 4215)
    assert (
        client.get(f"{CHECKING}/transactions", params={"limit": 1}).json()["transactions"][0] == txn
    )


def test_pending_debits_reduce_only_the_available_balance(client: TestClient) -> None:
    ledger, available = _balances(client, CHECKING)
    client.post(f"{CHECKING}/transactions", json=_body("-10.00", status="pending"))
    assert _balances(client, CHECKING) == (ledger, available - 1000)
    client.post(
        f"{CHECKING}/transactions", json=_body("25.00", status="pending", category="refund")
    )
    assert _balances(client, CHECKING) == (
        ledger,
        available - 1000,
    )  # pending credits are not spendable yet


def test_card_purchases_raise_the_amount_owed(client: TestClient) -> None:
    owed, available = _balances(client, CARD)
    client.post(f"{CARD}/transactions", json=_body("-100.00"))
    client.post(f"{CARD}/transactions", json=_body("-5.50", status="pending"))
    assert _balances(client, CARD) == (owed + 10000, available - 10550)
    client.post(f"{CARD}/transactions", json=_body("50.00", category="card_payment"))
    assert _balances(client, CARD)[0] == owed + 5000


def test_currency_mismatch_is_422_and_changes_nothing(
    client: TestClient, assert_error: Callable
) -> None:
    before = _balances(client, CHECKING)
    count = len(
        client.get(f"{CHECKING}/transactions", params={"limit": 500}).json()["transactions"]
    )
    error = assert_error(
        client.post(f"{CHECKING}/transactions", json=_body("-1.00", "EUR")),
        422,
        "currency_mismatch",
    )
    assert "USD" in error["message"] and "EUR" in error["message"]
    assert _balances(client, CHECKING) == before
    assert (
        len(client.get(f"{CHECKING}/transactions", params={"limit": 500}).json()["transactions"])
        == count
    )


def test_savings_cannot_be_overdrawn_and_cards_respect_the_limit(
    client: TestClient, assert_error: Callable
) -> None:
    _, available = _balances(client, SAVINGS)
    too_much = f"-{(available + 1) // 100}.{(available + 1) % 100:02d}"
    assert_error(
        client.post(f"{SAVINGS}/transactions", json=_body(too_much)), 422, "insufficient_funds"
    )
    assert_error(
        client.post(f"{CARD}/transactions", json=_body("-9000.00")), 422, "credit_limit_exceeded"
    )


def test_frozen_accounts_accept_no_postings(
    client: TestClient, app: Any, assert_error: Callable
) -> None:
    with app.state.session_factory.begin() as session:
        session.execute(update(Account).where(Account.id == "ACC-00010001").values(status="frozen"))
    assert_error(
        client.post(f"{CHECKING}/transactions", json=_body("-1.00")), 409, "account_not_open"
    )
    assert client.get(CHECKING).json()["status"] == "frozen"


@pytest.mark.parametrize(
    "body",
    [
        _body(-42.15),  # a JSON number: floats are refused
        _body("-42.155"),  # more digits than USD has
        _body("-1e12"),  # absurdly large
        _body("1" + "0" * 400),
        _body("NaN"),
        _body("Infinity"),
        _body("0.00"),
        _body("twelve"),
        _body("-1.00", "usd"),
        _body("-1.00", "XYZ"),
        _body("-1.00", category="bribes"),
        _body("-1.00", status="cleared"),
        _body("-1.00", merchant=""),
        _body("-1.00", merchant="x" * 101),
        _body("-1.00", merchant="Evil\x00Corp"),
        _body("-1.00", description="y" * 501),
        _body("-1.00", unexpected="field"),
        {"merchant": "Corner Shop", "category": "shopping"},
        {"merchant": "Corner Shop", "category": "shopping", "amount": "-1.00"},
        [],
        "just a string",
        None,
    ],
)
def test_malformed_bodies_are_422(client: TestClient, assert_error: Callable, body: Any) -> None:
    before = _balances(client, CHECKING)
    error = assert_error(client.post(f"{CHECKING}/transactions", json=body), 422, "invalid_request")
    assert error["fields"] and all("loc" in field and "msg" in field for field in error["fields"])
    assert _balances(client, CHECKING) == before


def test_the_longest_accepted_texts_are_stored(client: TestClient) -> None:
    body = _body("-1.00", merchant="m" * 100, description="d" * 500)
    response = client.post(f"{CHECKING}/transactions", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["description"] == "d" * 500


def test_lone_surrogates_are_422(client: TestClient, assert_error: Callable) -> None:
    raw = (
        b'{"merchant": "bad \\ud800 text", "category": "other",'
        b' "amount": {"amount": "-1.00", "currency": "USD"}}'
    )
    response = client.post(
        f"{CHECKING}/transactions", content=raw, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "invalid_request")


def test_non_json_body_is_422(client: TestClient, assert_error: Callable) -> None:
    response = client.post(
        f"{CHECKING}/transactions",
        content=b"{'merchant': ",
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 422, "invalid_request")


def test_concurrent_postings_are_all_counted(client: TestClient) -> None:
    ledger, _ = _balances(client, CHECKING)

    def post(index: int) -> int:
        return client.post(f"{CHECKING}/transactions", json=_body(f"-{index}.01")).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(1, 21)))
    assert statuses == [201] * 20
    expected = ledger - sum(index * 100 + 1 for index in range(1, 21))
    assert _balances(client, CHECKING)[0] == expected
