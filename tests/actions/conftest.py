"""Fixtures for the action-server tests: trackers, API payloads and a fake core.

The fake core (``fake_core``) answers over ``httpx.MockTransport`` so that the real
client and the real action code run unchanged; integration tests in
``test_balance_integration.py`` use the real core_mock app instead.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker

from actions.clients.core_banking import CoreBankingClient
from actions.settings import Settings
from tests.actions.action_factories import API_KEY


@pytest.fixture
def settings() -> Settings:
    return Settings(
        core_banking_url="http://core.test",
        core_banking_api_key=API_KEY,
        core_banking_timeout_seconds=0.5,
        core_banking_retries=2,
        core_banking_deadline_seconds=1.0,
        identity_from_sender_id=True,
    )


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    """A real rasa-sdk Tracker as the action server receives it after one user message."""

    def build(
        *,
        sender_id: str = "CUST-0001",
        intent: str = "check_balance",
        entities: dict[str, str] | None = None,
        slots: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        text: str = "what's my balance",
    ) -> Tracker:
        parse_data = {
            "intent": {"name": intent, "confidence": 0.98},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
            "text": text,
            "message_id": "m1",
            "metadata": dict(metadata or {}),
        }
        events = [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": text, "parse_data": parse_data, "metadata": metadata or {}},
        ]
        all_slots = {"account_type": None, "account_id": None, **(slots or {})}
        return Tracker(sender_id, all_slots, parse_data, events, False, None, {}, "action_listen")

    return build


@pytest.fixture
def domain() -> dict[str, Any]:
    return {
        "slots": {"account_type": {"type": "text"}, "account_id": {"type": "text"}},
        "responses": {},
    }


class FakeCore:
    """In-memory stand-in for core banking, answering the contract's read routes."""

    def __init__(self) -> None:
        self.customers: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[httpx.Request] = []
        self.failure: httpx.Response | None = None

    def add_customer(self, customer: dict[str, Any], accounts: list[dict[str, Any]]) -> None:
        self.customers[customer["id"]] = copy.deepcopy(customer)
        self.accounts[customer["id"]] = copy.deepcopy(accounts)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("X-API-Key") != API_KEY:
            return _error(401, "unauthorized", "bad key")
        if self.failure is not None:
            return self.failure
        parts = request.url.path.strip("/").split("/")
        match parts:
            case ["v1", "customers", cid] if cid in self.customers:
                return httpx.Response(200, json=self.customers[cid])
            case ["v1", "customers", cid, "accounts"] if cid in self.customers:
                return httpx.Response(200, json={"accounts": self.accounts[cid]})
            case ["v1", "customers", cid, "accounts", aid] if cid in self.customers:
                for account in self.accounts[cid]:
                    if account["id"] == aid:
                        return httpx.Response(200, json=account)
                return _error(404, "account_not_found", "no such account")
        return _error(404, "customer_not_found", "no such customer")


def _error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps({"error": {"code": code, "message": message}}))


@pytest.fixture
def fake_core() -> FakeCore:
    return FakeCore()


@pytest.fixture
async def fake_client(fake_core: FakeCore, settings: Settings) -> AsyncIterator[CoreBankingClient]:
    client = CoreBankingClient.from_settings(
        settings, transport=httpx.MockTransport(fake_core.handler)
    )
    yield client
    await client.aclose()
