"""Injected latency and errors (settings and runtime /admin/faults)."""

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from core_mock.app import create_app
from core_mock.settings import Settings


def test_error_rate_one_fails_every_v1_call_with_an_error_body(
    client: TestClient, assert_error: Callable
) -> None:
    assert client.put("/admin/faults", json={"error_rate": 1}).json() == {
        "latency_ms": 0,
        "error_rate": 1.0,
    }
    for path in ("/v1/customers/CUST-0001", "/v1/customers/CUST-0001/accounts", "/v1/events"):
        error = assert_error(client.get(path), 503, "injected_fault")
        assert "unavailable" in error["message"]
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/admin/faults").json()["error_rate"] == 1.0
    assert client.put("/admin/faults", json={"error_rate": 0}).status_code == 200
    assert client.get("/v1/customers/CUST-0001").status_code == 200


def test_failed_writes_do_not_happen(client: TestClient, assert_error: Callable) -> None:
    path = "/v1/customers/CUST-0001/accounts/ACC-00010001"
    before = client.get(path).json()
    client.put("/admin/faults", json={"error_rate": 1.0})
    body = {
        "merchant": "Shop",
        "category": "shopping",
        "amount": {"amount": "-5.00", "currency": "USD"},
    }
    assert_error(client.post(f"{path}/transactions", json=body), 503, "injected_fault")
    client.put("/admin/faults", json={"error_rate": 0.0})
    assert client.get(path).json() == before


def test_latency_is_applied_to_v1_but_not_to_health(client: TestClient) -> None:
    assert client.put("/admin/faults", json={"latency_ms": 300}).json() == {
        "latency_ms": 300,
        "error_rate": 0.0,
    }
    started = time.perf_counter()
    assert client.get("/v1/customers/CUST-0001").status_code == 200
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    client.get("/health")
    assert time.perf_counter() - started < 0.3


@pytest.mark.parametrize(
    "body",
    [
        {"error_rate": 1.5},
        {"error_rate": -0.1},
        {"latency_ms": -1},
        {"latency_ms": 60_001},
        {"latency_ms": 1.5},
        {"latency_ms": "10"},
        {"error_rate": "NaN"},
        {"chaos": True},
        [1, 2],
    ],
)
def test_bad_fault_settings_are_422(
    client: TestClient, assert_error: Callable, body: object
) -> None:
    assert_error(client.put("/admin/faults", json=body), 422, "invalid_request")
    assert client.get("/admin/faults").json() == {"latency_ms": 0, "error_rate": 0.0}


def test_faults_can_be_configured_by_settings(settings: Settings, assert_error: Callable) -> None:
    faulty = settings.copy(update={"error_rate": 1.0, "latency_ms": 50})
    with TestClient(create_app(faulty), headers={"X-API-Key": settings.api_key}) as client:
        assert client.get("/admin/faults").json() == {"latency_ms": 50, "error_rate": 1.0}
        started = time.perf_counter()
        assert_error(client.get("/v1/customers/CUST-0001"), 503, "injected_fault")
        assert time.perf_counter() - started >= 0.05
