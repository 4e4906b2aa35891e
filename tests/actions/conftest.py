"""Fixtures for the action-server tests: trackers, API payloads and a fake core.

The fake core (``fake_core``) answers over ``httpx.MockTransport`` so that the real
client and the real action code run unchanged; integration tests
(``test_*_integration.py``) use the real core_mock app instead: ``live_core_url``
serves it from uvicorn on a free loopback port, ``live_client`` talks to it.
"""

from __future__ import annotations

import copy
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
import uvicorn
from rasa_sdk import Tracker

from actions.clients.core_banking import CoreBankingClient
from actions.identity import CUSTOMER_ID_PATTERN
from actions.settings import Settings
from core_mock.app import create_app
from core_mock.db import create_engine
from core_mock.seed import SeedOptions, seed_database
from core_mock.settings import load_settings
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
        input_channel: str = "bank_web",
    ) -> Tracker:
        if metadata is None and CUSTOMER_ID_PATTERN.fullmatch(sender_id):
            # What the authenticated web channel sends for a signed-in customer.
            metadata = {"customer_id": sender_id, "auth": "jwt"}
        parse_data = {
            "intent": {"name": intent, "confidence": 0.98},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
            "text": text,
            "message_id": "m1",
            "metadata": dict(metadata or {}),
        }
        events = [
            {"event": "action", "name": "action_listen"},
            {
                "event": "user",
                "text": text,
                "parse_data": parse_data,
                "metadata": metadata or {},
                "input_channel": input_channel,
            },
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


# -- the real core_mock app over HTTP (integration tests) ------------------------------

LIVE_API_KEY = "integration-test-key"


@pytest.fixture(scope="module")
def live_core_url(tmp_path_factory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('core') / 'core.sqlite3'}"
    engine = create_engine(url)
    seed_database(engine, SeedOptions(customers=8, months=2, seed=42, as_of=date(2026, 11, 28)))
    engine.dispose()

    app = create_app(load_settings(database_url=url, api_key=LIVE_API_KEY))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "core_mock did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def faults(live_core_url) -> Iterator[Callable[..., None]]:
    """Set core_mock's injected latency/error rate; healed again after the test."""

    def put(**values) -> None:
        response = httpx.put(
            f"{live_core_url}/admin/faults", json=values, headers={"X-API-Key": LIVE_API_KEY}
        )
        response.raise_for_status()

    yield put
    put(latency_ms=0, error_rate=0.0)


@pytest.fixture
def core_settings(live_core_url) -> Settings:
    """Production timings (1 s per attempt, 2 retries, 2 s deadline) against core_mock."""
    return Settings(core_banking_url=live_core_url, core_banking_api_key=LIVE_API_KEY)


@pytest.fixture
async def live_client(core_settings) -> AsyncIterator[CoreBankingClient]:
    async with CoreBankingClient.from_settings(core_settings) as client:
        yield client


# -- the profile store ----------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_profile_store(tmp_path, monkeypatch) -> Iterator[None]:
    """Actions built without a store use the shared one: point it at a temporary file."""
    from actions.stores import profile_store

    monkeypatch.setenv("PROFILE_STORE_URL", f"sqlite:///{tmp_path / 'profile_store.sqlite3'}")
    profile_store.close_shared_profile_store()
    yield
    profile_store.close_shared_profile_store()


@pytest.fixture
def profile_store(tmp_path):
    from actions.stores.profile_store import ProfileStore

    store = ProfileStore(f"sqlite:///{tmp_path / 'profiles.sqlite3'}")
    yield store
    store.close()
