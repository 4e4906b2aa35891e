"""Factories for core-banking JSON bodies, shared by the action tests.

(A plain module with a unique name: test modules must not import ``conftest``.)
"""

from __future__ import annotations

from typing import Any

API_KEY = "test-key"


def money(amount: str, currency: str = "USD") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def customer_payload(customer_id: str = "CUST-0001", language: str = "en") -> dict[str, Any]:
    return {
        "id": customer_id,
        "first_name": "Alice",
        "last_name": "Morgan",
        "preferred_name": "Ali",
        "language": language,
        "date_of_birth": "1990-04-02",
        "segment": "retail",
        "created_at": "2020-01-01T00:00:00+00:00",
    }


def account_payload(
    account_id: str = "ACC-00000001",
    *,
    customer_id: str = "CUST-0001",
    type: str = "checking",
    nickname: str = "Everyday Checking",
    masked_number: str = "••••1234",
    available: str = "1523.40",
    ledger: str | None = None,
    currency: str = "USD",
    credit_limit: str | None = None,
    status: str = "open",
) -> dict[str, Any]:
    return {
        "id": account_id,
        "customer_id": customer_id,
        "type": type,
        "nickname": nickname,
        "masked_number": masked_number,
        "currency": currency,
        "available_balance": money(available, currency),
        "ledger_balance": money(ledger if ledger is not None else available, currency),
        "credit_limit": money(credit_limit, currency) if credit_limit else None,
        "status": status,
        "opened_at": "2021-05-01T09:00:00+00:00",
    }
