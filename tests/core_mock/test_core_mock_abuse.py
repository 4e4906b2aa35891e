"""core_mock under floods and bad input: 429 with Retry-After per key and per address,
wrong keys limited hard, oversized and malformed bodies a JSON 4xx, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core_mock.app import create_app
from core_mock.settings import ConfigurationError, load_settings

KEY = "abuse-test-core-key"


def client_for(tmp_path: Path, **settings: Any) -> TestClient:
    values = {"database_url": f"sqlite:///{tmp_path}/core.sqlite3", "api_key": KEY, **settings}
    return TestClient(create_app(load_settings(**values)))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with client_for(tmp_path) as test_client:
        yield test_client


def assert_rate_limited(response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"


def test_the_api_key_has_a_limit(tmp_path: Path) -> None:
    with client_for(tmp_path, rate_limit_key="3/minute") as client:
        for _ in range(3):
            assert client.get("/v1/outbox", headers={"X-API-Key": KEY}).status_code == 200
        assert_rate_limited(client.get("/v1/outbox", headers={"X-API-Key": KEY}))
        assert client.get("/health").status_code == 200  # probes are never limited


def test_an_address_has_a_limit(tmp_path: Path) -> None:
    with client_for(tmp_path, rate_limit_ip="2/minute") as client:
        client.get("/v1/outbox", headers={"X-API-Key": KEY})
        client.get("/v1/outbox", headers={"X-API-Key": "wrong-key-1"})
        assert_rate_limited(client.get("/v1/outbox", headers={"X-API-Key": KEY}))


def test_guessing_keys_locks_the_address_out_even_for_the_right_key(tmp_path: Path) -> None:
    with client_for(tmp_path, rate_limit_auth_failures_ip="3/minute") as client:
        for n in range(3):
            response = client.get("/v1/outbox", headers={"X-API-Key": f"guess-{n}"})
            assert response.status_code == 401
        assert_rate_limited(client.get("/v1/outbox", headers={"X-API-Key": "guess-4"}))
        assert_rate_limited(client.get("/v1/outbox", headers={"X-API-Key": KEY}))


def test_right_keys_do_not_count_as_failures(tmp_path: Path) -> None:
    with client_for(tmp_path, rate_limit_auth_failures_ip="1/minute") as client:
        for _ in range(5):
            assert client.get("/v1/outbox", headers={"X-API-Key": KEY}).status_code == 200


@pytest.mark.parametrize("setting", ["rate_limit_key", "rate_limit_ip"])
def test_bad_limit_settings_name_the_variable(setting: str) -> None:
    with pytest.raises(ConfigurationError, match=f"CORE_MOCK_{setting.upper()}"):
        load_settings(**{setting: "lots"})


def test_an_oversized_body_is_refused(client: TestClient) -> None:
    response = client.put(
        "/admin/faults",
        content=b'{"latency_ms": 0, "pad": "' + b"x" * 100_000 + b'"}',
        headers={"X-API-Key": KEY, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_a_lying_content_length_is_refused_without_reading(client: TestClient) -> None:
    response = client.put(
        "/admin/faults",
        content=b"{}",
        headers={
            "X-API-Key": KEY,
            "Content-Length": "99999999",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [b"not json", b"\xff\xfe", b'{"latency_ms": "\xff"}', b"[]", b"[1]", b'"s"', b"null",
     b"[" * 5000 + b"]" * 5000, b'{"latency_ms": 1e999}', b'{"latency_ms": [], "error_rate": {}}'],
)  # fmt: skip
def test_malformed_bodies_get_a_json_4xx(client: TestClient, body: bytes) -> None:
    response = client.put(
        "/admin/faults",
        content=body,
        headers={"X-API-Key": KEY, "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["code"] in ("invalid_request", "bad_request")


@pytest.mark.parametrize("body", [b"[]", b'[["latency_ms", 5]]'])
def test_arrays_are_not_taken_for_objects(client: TestClient, body: bytes) -> None:
    response = client.put(
        "/admin/faults",
        content=body,
        headers={"X-API-Key": KEY, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert client.get("/admin/faults", headers={"X-API-Key": KEY}).json()["latency_ms"] == 0
