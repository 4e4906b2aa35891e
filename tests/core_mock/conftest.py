"""Fixtures for the core-banking mock: every API test runs on SQLite and on PostgreSQL.

PostgreSQL: a uniquely named database is created on the server at
``CORE_MOCK_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test)
for the test session and dropped afterwards. When the server is unreachable the
postgresql tests are skipped, unless REQUIRE_POSTGRES=1, which makes them fail.
"""

import os
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from core_mock.app import create_app
from core_mock.models import Base
from core_mock.seed import Dataset, SeedOptions, build_dataset, write_dataset
from core_mock.settings import Settings
from tests.support import FakeClock, temporary_postgres_database

POSTGRES_SERVER_URL = os.environ.get(
    "CORE_MOCK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
API_KEY = "test-core-banking-key"
AS_OF = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
SMALL_SEED = SeedOptions(customers=8, months=2, seed=7, as_of=AS_OF)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database for this test session."""
    with temporary_postgres_database(
        POSTGRES_SERVER_URL, "core_mock_test", options="-c synchronous_commit=off"
    ) as url:
        yield url


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Each backend once per session; pytest runs all tests of one backend together."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('core_mock')}/core_mock.sqlite3"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def small_dataset() -> Dataset:
    return build_dataset(SMALL_SEED)


def reset_database(engine: Engine, dataset: Dataset) -> None:
    """Delete every row, restart id sequences and insert ``dataset`` (faster than DROP/CREATE)."""
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
            if (
                engine.dialect.name == "postgresql"
                and "id" in table.c
                and table.c.id.autoincrement is True
            ):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), 1, false)")
                )
    write_dataset(engine, dataset)


@pytest.fixture(scope="session")
def shared_clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture(scope="session")
def app(database_url: str, shared_clock: FakeClock) -> FastAPI:
    """One app per backend (building a FastAPI app is slow); tests reset its state."""
    return create_app(Settings(database_url=database_url, api_key=API_KEY), clock=shared_clock)


@pytest.fixture(scope="session")
def started_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={"X-API-Key": API_KEY}) as test_client:
        yield test_client


@pytest.fixture
def clock(shared_clock: FakeClock) -> FakeClock:
    shared_clock.now = NOW
    return shared_clock


@pytest.fixture
def settings(app: FastAPI) -> Settings:
    return app.state.settings


@pytest.fixture
def client(
    started_client: TestClient, app: FastAPI, clock: FakeClock, small_dataset: Dataset
) -> TestClient:
    """An authenticated client of the real app over a freshly seeded database, faults off."""
    reset_database(app.state.engine, small_dataset)
    app.state.faults.update(latency_ms=0, error_rate=0.0)
    return started_client


@pytest.fixture
def anonymous(client: TestClient, app: FastAPI) -> TestClient:
    """A client without the API key, sharing the started app."""
    return TestClient(app)


def _assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"], body
    return body["error"]


@pytest.fixture
def assert_error() -> Callable[[Any, int, str], dict[str, Any]]:
    """Check a response is the contract's error body with this status and code."""
    return _assert_error


@pytest.fixture
def issue_code(client: TestClient) -> Callable[..., tuple[dict[str, Any], str]]:
    """Issue a challenge and read its code from the outbox: returns (challenge, code)."""

    def issue(
        customer_id: str = "CUST-0001", purpose: str = "contact_change", channel: str = "sms"
    ) -> tuple[dict, str]:
        response = client.post(
            f"/v1/customers/{customer_id}/challenges", json={"purpose": purpose, "channel": channel}
        )
        assert response.status_code == 201, response.text
        latest = client.get("/v1/outbox", params={"customer_id": customer_id, "limit": 1}).json()[
            "notifications"
        ][0]
        code = re.search(r"\b(\d{6})\b", latest["body"])
        assert code, latest
        return response.json(), code.group(1)

    return issue


@pytest.fixture
def verified_challenge(client: TestClient, issue_code: Callable) -> Callable[..., str]:
    """Issue and verify a contact_change challenge; returns its id."""

    def verified(customer_id: str = "CUST-0001") -> str:
        challenge, code = issue_code(customer_id)
        response = client.post(
            f"/v1/customers/{customer_id}/challenges/{challenge['id']}/verify", json={"code": code}
        )
        assert response.status_code == 200, response.text
        return challenge["id"]

    return verified
