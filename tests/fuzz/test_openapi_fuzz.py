"""core_mock's and the agent desk's OpenAPI specs, fuzzed in process (``openapi_fuzz``):
real credentials (the API key, the service token, a signed-in agent), a throwaway SQLite
database, bounded examples. No 500s, documented statuses, conforming 2xx bodies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from connectors.agent_desk.app import create_app as create_desk
from connectors.agent_desk.sessions import CSRF_HEADER
from core_mock.app import create_app as create_core
from core_mock.db import create_engine
from core_mock.seed import SeedOptions, seed_database
from core_mock.settings import load_settings as core_settings
from tests.connectors.agent_desk.desk_support import (
    AGENT_PASSWORD,
    SERVICE_TOKEN,
    desk_settings,
    ticket_request,
)
from tests.fuzz.openapi_fuzz import operations, requests, send_and_check

EXAMPLES = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CORE_KEY = "fuzz-core-banking-key"


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz_core')}/core.sqlite3"
    engine = create_engine(url)
    seed_database(engine, SeedOptions(customers=3, months=1, seed=42, as_of=date(2026, 11, 28)))
    with engine.connect() as connection:
        accounts = [row[0] for row in connection.execute(text("SELECT id FROM accounts"))]
        applications = [
            row[0] for row in connection.execute(text("SELECT reference FROM applications"))
        ]
    engine.dispose()
    app = create_core(
        core_settings(
            database_url=url,
            api_key=CORE_KEY,
            rate_limit_key="off",
            rate_limit_ip="off",
            rate_limit_auth_failures_ip="off",
        )
    )
    known = {
        "customer_id": ["CUST-0001", "CUST-0002", "CUST-0003"],
        "account_id": accounts,
        "reference": applications,
        "field": ["email", "phone", "address"],
    }
    with TestClient(app, headers={"X-API-Key": CORE_KEY}) as client:
        yield client, known


def test_core_mock_spec_has_operations(core: tuple[TestClient, dict]) -> None:
    assert len(list(operations(core[0].get("/openapi.json").json()))) >= 15


@EXAMPLES
@given(data=st.data())
def test_core_mock_answers_every_request_within_its_contract(
    core: tuple[TestClient, dict], data: st.DataObject
) -> None:
    client, known = core
    client.put("/admin/faults", json={"latency_ms": 0, "error_rate": 0})  # the fuzzer sets them
    spec = client.get("/openapi.json").json()
    operation = data.draw(st.sampled_from(list(operations(spec))), label="operation")
    request = data.draw(requests(operation, known), label="request")
    send_and_check(client, operation, request, allowed_5xx=injected_fault)


def injected_fault(response) -> bool:
    """The 503 a fuzzed PUT /admin/faults asked for (only the next request can see it)."""
    return response.status_code == 503 and response.json()["error"]["code"] == "injected_fault"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz_desk')}/handoff.sqlite3"
    settings_ = desk_settings(
        url,
        "http://127.0.0.1:9",
        rasa_timeout_seconds=0.5,
        rate_limit_service="off",
        rate_limit_sign_in_agent="off",
        rate_limit_sign_in_ip="off",
    )
    with TestClient(create_desk(settings_, sync=False), base_url="http://desk.test") as client:
        client.headers.update({CSRF_HEADER: "1", "Authorization": f"Bearer {SERVICE_TOKEN}"})
        signed_in = client.post(
            "/desk/api/session", json={"agent_id": "ava", "password": AGENT_PASSWORD}
        )
        assert signed_in.status_code == 200
        ids = []
        for n in range(3):
            created = client.post("/api/tickets", json=ticket_request(conversation_id=f"web-{n}"))
            ids.append(str(created.json()["ticket"]["id"]))
        client.post(f"/desk/api/tickets/{ids[0]}/claim")
        known = {"ticket_id": ids, "message_id": ["1", "2"], "conversation_id": ["web-0"]}
        yield client, known


def rasa_is_down(response) -> bool:
    """502 is the desk's documented answer when Rasa cannot be reached (it is not, here)."""
    return response.status_code == 502 and response.json()["error"]["code"] == "rasa_unreachable"


@EXAMPLES
@given(data=st.data())
def test_the_desk_answers_every_request_within_its_contract(
    desk: tuple[TestClient, dict], data: st.DataObject
) -> None:
    client, known = desk
    spec = client.get("/openapi.json").json()
    candidates = [op for op in operations(spec) if not op.path.endswith("/session")]
    operation = data.draw(st.sampled_from(candidates), label="operation")
    request = data.draw(requests(operation, known), label="request")
    send_and_check(client, operation, request, allowed_5xx=rasa_is_down)
