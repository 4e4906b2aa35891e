"""Product applications: reading, the status machine, timeline and feed events."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

ALICE_APPS = "/v1/customers/CUST-0001/applications"


def test_list_and_read_applications(client: TestClient) -> None:
    apps = client.get("/v1/customers/CUST-0003/applications").json()["applications"]
    assert {(a["reference"], a["product"], a["status"]) for a in apps} == {
        ("APP-100003", "credit_card", "approved"),
        ("APP-100004", "personal_loan", "declined"),
    }
    assert client.get("/v1/customers/CUST-0004/applications").json() == {"applications": []}
    loan = client.get(f"{ALICE_APPS}/APP-100001").json()
    assert loan["amount_requested"] == {"amount": "15000.00", "currency": "USD"}
    assert (loan["status"], loan["missing_documents"]) == (
        "documents_required",
        ["last 3 months of payslips"],
    )
    assert loan["current_stage"] and loan["next_step"]
    assert loan["expected_decision_date"] >= "2026-11-28"
    assert [step["status"] for step in loan["timeline"]] == [
        "submitted",
        "in_review",
        "documents_required",
    ]
    assert loan["submitted_at"] == loan["timeline"][0]["occurred_at"]
    assert loan["updated_at"] == loan["timeline"][-1]["occurred_at"]
    mortgage = client.get("/v1/customers/CUST-0002/applications/APP-100002").json()
    assert (mortgage["product"], mortgage["status"]) == ("mortgage", "in_review")


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/v1/customers/CUST-0001/applications/APP-999999", "application_not_found"),
        ("/v1/customers/CUST-0001/applications/APP-100003", "application_not_found"),  # Chen's
        ("/v1/customers/CUST-0001/applications/garbage", "application_not_found"),
        ("/v1/customers/CUST-4242/applications", "customer_not_found"),
    ],
)
def test_unknown_or_foreign_applications_are_404(
    client: TestClient, assert_error: Callable, path: str, code: str
) -> None:
    assert_error(client.get(path), 404, code)


def test_status_change_extends_the_timeline_and_emits_an_event(
    client: TestClient, clock: object
) -> None:
    after = client.get("/v1/events", params={"limit": 500}).json()["events"][-1]["id"]
    response = client.post(
        f"{ALICE_APPS}/APP-100001/status", json={"status": "in_review", "note": "Payslips received"}
    )
    assert response.status_code == 200, response.text
    loan = response.json()
    assert (loan["status"], loan["missing_documents"], loan["current_stage"]) == (
        "in_review",
        [],
        "Underwriting review",
    )
    assert loan["timeline"][-1] == {
        "status": "in_review",
        "stage": "Underwriting review",
        "note": "Payslips received",
        "occurred_at": "2026-11-28T12:00:00+00:00",
    }
    assert loan["updated_at"] == "2026-11-28T12:00:00+00:00"
    assert (
        loan["expected_decision_date"] == "2026-12-02"
    )  # three business days after Saturday 28 Nov
    approved = client.post(f"{ALICE_APPS}/APP-100001/status", json={"status": "approved"}).json()
    assert (
        approved["expected_decision_date"] is None
        and "Sign your loan agreement" in approved["next_step"]
    )
    assert len(approved["timeline"]) == 5
    events = client.get("/v1/events", params={"after_id": after}).json()["events"]
    assert [
        (e["type"], e["payload"]["old_status"], e["payload"]["new_status"]) for e in events
    ] == [
        ("application_status_changed", "documents_required", "in_review"),
        ("application_status_changed", "in_review", "approved"),
    ]
    assert events[0]["customer_id"] == "CUST-0001" and events[0]["account_id"] is None
    assert events[0]["payload"]["reference"] == "APP-100001"


def test_documents_required_needs_a_list_of_documents(
    client: TestClient, assert_error: Callable
) -> None:
    url = "/v1/customers/CUST-0002/applications/APP-100002/status"
    assert_error(client.post(url, json={"status": "documents_required"}), 422, "invalid_request")
    assert_error(
        client.post(url, json={"status": "approved", "missing_documents": ["x"]}),
        422,
        "invalid_request",
    )
    body = {
        "status": "documents_required",
        "missing_documents": ["proof of address", "property survey"],
    }
    assert client.post(url, json=body).json()["missing_documents"] == [
        "proof of address",
        "property survey",
    ]


@pytest.mark.parametrize(
    ("reference", "status"),
    [("APP-100004", "approved"), ("APP-100004", "in_review"), ("APP-100003", "documents_required")],
)
def test_impossible_transitions_are_409(
    client: TestClient, assert_error: Callable, reference: str, status: str
) -> None:
    url = f"/v1/customers/CUST-0003/applications/{reference}/status"
    before = client.get(f"/v1/customers/CUST-0003/applications/{reference}").json()
    body = (
        {"status": status, "missing_documents": ["x"]}
        if status == "documents_required"
        else {"status": status}
    )
    assert_error(client.post(url, json=body), 409, "invalid_status_transition")
    assert client.get(f"/v1/customers/CUST-0003/applications/{reference}").json() == before


@pytest.mark.parametrize(
    "body",
    [
        {"status": "lost"},
        {},
        {"status": "in_review", "note": "n" * 501},
        {"status": "in_review", "missing_documents": "x"},
        {"status": "in_review", "note": None, "extra": 1},
        {"status": "documents_required", "missing_documents": [""]},
    ],
)
def test_bad_status_bodies_are_422(client: TestClient, assert_error: Callable, body: dict) -> None:
    assert_error(client.post(f"{ALICE_APPS}/APP-100001/status", json=body), 422, "invalid_request")
