"""Service-to-service authentication and the public endpoints."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

PUBLIC_PATHS = {"/health", "/docs", "/openapi.json", "/docs/oauth2-redirect", "/redoc"}


def _concrete(path: str) -> str:
    """Fill path parameters with well-formed ids (auth must fail before any lookup)."""
    return re.sub(r"\{[^}]+\}", "CUST-0001", path)


def _protected_routes(app: FastAPI) -> list[tuple[str, str]]:
    return [
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute) and route.path not in PUBLIC_PATHS
        for method in sorted(route.methods)
    ]


def test_every_v1_and_admin_route_needs_the_api_key(
    anonymous: TestClient, app: FastAPI, assert_error: Callable
) -> None:
    routes = _protected_routes(app)
    assert len(routes) >= 14
    assert all(path.startswith(("/v1/", "/admin/")) for _, path in routes)
    for method, path in routes:
        response = anonymous.request(method, _concrete(path), json={})
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"] == "ApiKey"


@pytest.mark.parametrize(
    "key", ["wrong-key", "", "test-core-banking-key ", b"test-core-banking-k\xe9y"]
)
def test_a_wrong_key_is_refused(anonymous: TestClient, assert_error: Callable, key: Any) -> None:
    response = anonymous.get("/v1/customers/CUST-0001", headers={"X-API-Key": key})
    assert_error(response, 401, "unauthorized")


def test_auth_is_checked_before_the_body(anonymous: TestClient, assert_error: Callable) -> None:
    response = anonymous.post("/v1/customers/CUST-0001/challenges", json={"purpose": "bogus"})
    assert_error(response, 401, "unauthorized")


def test_health_and_docs_are_public(anonymous: TestClient) -> None:
    assert anonymous.get("/health").json() == {"status": "ok"}
    assert anonymous.get("/docs").status_code == 200
    schema = anonymous.get("/openapi.json").json()
    assert "/v1/customers/{customer_id}/accounts" in schema["paths"]
    assert "APIKeyHeader" in schema["components"]["securitySchemes"]


def test_unknown_routes_and_methods_use_the_error_body(
    client: TestClient, assert_error: Callable
) -> None:
    assert_error(client.get("/v1/nothing-here"), 404, "not_found")
    assert_error(client.delete("/v1/customers/CUST-0001"), 405, "method_not_allowed")
