"""No input may crash the service: odd requests get a 4xx with the contract's error body."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from core_mock.__main__ import parse_args

ODD_REQUESTS: list[tuple[str, str, Any]] = [
    ("GET", "/v1/customers/%00", None),
    ("GET", "/v1/customers/CUST-0001/accounts/ACC-0001%000001", None),
    ("GET", "/v1/customers/CUST-0001/accounts/ACC-00010001/transactions?since=%00", None),
    ("GET", "/v1/customers/" + "C" * 5000, None),
    ("GET", "/v1/customers/CUST-0001/applications/APP-1000011", None),
    ("GET", "/v1/events?customer_id=CUST-0001%00", None),
    ("GET", "/v1/events?after_id=1e3", None),
    (
        "POST",
        "/v1/customers/CUST-0001/accounts/ACC-00010001/transactions",
        {"amount": {"amount": "1" * 10_000, "currency": "USD"}},
    ),
    (
        "POST",
        "/v1/customers/CUST-0001/accounts/ACC-00010001/transactions",
        {"merchant": ["x"], "category": {}, "amount": []},
    ),
    (
        "POST",
        "/v1/customers/CUST-0001/accounts/ACC-00010001/transactions",
        {
            "merchant": "é" * 100,
            "category": "other",
            "amount": {"amount": "-1E-9999999", "currency": "USD"},
        },
    ),
    ("POST", "/v1/customers/CUST-0001/challenges", {"purpose": None, "channel": 7}),
    ("POST", "/v1/customers/CUST-0001/challenges/%00/verify", {"code": "\u0000"}),
    (
        "POST",
        "/v1/customers/CUST-0001/applications/APP-100001/status",
        {"status": "approved", "note": "\u0000"},
    ),
    (
        "PUT",
        "/v1/customers/CUST-0001/contact/email",
        {"value": {"nested": {"deep": [1]}}, "challenge_id": "\u0000"},
    ),
    ("PUT", "/admin/faults", {"latency_ms": 10**100}),
]


@pytest.mark.parametrize(("method", "path", "body"), ODD_REQUESTS)
def test_odd_requests_get_a_4xx_with_an_error_body(
    client: TestClient, method: str, path: str, body: Any
) -> None:
    headers = {"Idempotency-Key": "odd"} if method == "PUT" else {}
    response = client.request(method, path, json=body, headers=headers)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] and error["message"]


def test_the_server_command_line_defaults() -> None:
    args = parse_args([])
    assert (args.host, args.port, args.database_url) == ("127.0.0.1", 8800, None)
    args = parse_args(["--host", "0.0.0.0", "--port", "9000", "--database-url", "sqlite:///x.db"])
    assert (args.host, args.port, args.database_url) == ("0.0.0.0", 9000, "sqlite:///x.db")
