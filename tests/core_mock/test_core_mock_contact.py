"""Contact details: reading, challenge-protected idempotent changes, history and notices."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

CONTACT = "/v1/customers/CUST-0001/contact"
NEW_ADDRESS = {
    "line1": "12 Harbour Road",
    "line2": None,
    "city": "Austin",
    "region": "TX",
    "postal_code": "78701",
    "country": "US",
}


def _put(client: TestClient, field: str, value: Any, challenge_id: str, key: str = "key-1") -> Any:
    return client.put(
        f"{CONTACT}/{field}",
        json={"value": value, "challenge_id": challenge_id},
        headers={"Idempotency-Key": key},
    )


def _outbox(client: TestClient) -> list[dict[str, Any]]:
    return client.get("/v1/outbox", params={"customer_id": "CUST-0001", "limit": 500}).json()[
        "notifications"
    ]


def test_read_contact(client: TestClient) -> None:
    contact = client.get(CONTACT).json()
    assert (contact["email"], contact["phone"]) == ("alice.morgan@example.com", "+14155550101")
    assert set(contact["postal_address"]) == {
        "line1",
        "line2",
        "city",
        "region",
        "postal_code",
        "country",
    }
    assert contact["postal_address"]["country"] == "US" and contact["updated_at"].endswith("+00:00")
    assert client.get(f"{CONTACT}/history").json() == {"changes": []}


def test_email_change_with_a_verified_challenge(
    client: TestClient, verified_challenge: Callable
) -> None:
    challenge_id = verified_challenge()
    sent_before = len(_outbox(client))
    response = _put(client, "email", "ali.morgan@example.org", challenge_id)
    assert response.status_code == 200, response.text
    assert response.json()["email"] == "ali.morgan@example.org"
    assert response.json()["updated_at"] == "2026-11-28T12:00:00+00:00"
    assert client.get(CONTACT).json()["email"] == "ali.morgan@example.org"
    assert client.get(f"{CONTACT}/history").json()["changes"] == [
        {
            "field": "email",
            "old_value": "alice.morgan@example.com",
            "new_value": "ali.morgan@example.org",
            "changed_at": "2026-11-28T12:00:00+00:00",
            "challenge_id": challenge_id,
            "idempotency_key": "key-1",
        }
    ]
    notices = _outbox(client)[: len(_outbox(client)) - sent_before]
    assert {(n["channel"], n["to"]) for n in notices} == {
        ("email", "alice.morgan@example.com"),
        ("email", "ali.morgan@example.org"),
    }


def test_phone_and_address_changes(client: TestClient, verified_challenge: Callable) -> None:
    assert (
        _put(client, "phone", "+1 (512) 555-0199", verified_challenge(), key="p").json()["phone"]
        == "+15125550199"
    )
    notices = _outbox(client)[:2]
    assert {(n["channel"], n["to"]) for n in notices} == {
        ("sms", "+14155550101"),
        ("sms", "+15125550199"),
    }
    updated = _put(client, "postal_address", NEW_ADDRESS, verified_challenge(), key="a").json()
    assert updated["postal_address"] == NEW_ADDRESS
    assert [n["channel"] for n in _outbox(client)[:2]] == ["post", "post"]
    change = client.get(f"{CONTACT}/history").json()["changes"][0]
    assert change["field"] == "postal_address" and change["new_value"] == NEW_ADDRESS


def test_the_longest_accepted_address_is_stored_and_announced(
    client: TestClient, verified_challenge: Callable
) -> None:
    address = {
        "line1": "1" * 100,
        "line2": "2" * 100,
        "city": "c" * 100,
        "region": "r" * 100,
        "postal_code": "p" * 12,
        "country": "GB",
    }
    response = _put(client, "postal_address", address, verified_challenge())
    assert response.status_code == 200, response.text
    assert response.json()["postal_address"] == address
    assert _outbox(client)[0]["to"].startswith("1" * 100)


def test_replaying_the_same_request_changes_nothing_twice(
    client: TestClient, verified_challenge: Callable
) -> None:
    challenge_id = verified_challenge()
    first = _put(client, "email", "ali@example.net", challenge_id)
    sent = len(_outbox(client))
    replay = _put(client, "email", "ali@example.net", challenge_id)
    assert replay.status_code == 200 and replay.json() == first.json()
    assert len(client.get(f"{CONTACT}/history").json()["changes"]) == 1
    assert len(_outbox(client)) == sent


def test_reusing_a_key_for_another_request_is_409(
    client: TestClient, verified_challenge: Callable, assert_error: Callable
) -> None:
    challenge_id = verified_challenge()
    _put(client, "email", "ali@example.net", challenge_id)
    assert_error(_put(client, "email", "other@example.net", challenge_id), 409, "conflict")
    assert_error(_put(client, "phone", "ali@example.net", challenge_id), 409, "conflict")
    assert client.get(CONTACT).json()["email"] == "ali@example.net"


def test_a_used_challenge_cannot_authorise_a_second_change(
    client: TestClient, verified_challenge: Callable, assert_error: Callable
) -> None:
    challenge_id = verified_challenge()
    _put(client, "email", "ali@example.net", challenge_id)
    assert_error(
        _put(client, "email", "ali2@example.net", challenge_id, key="key-2"),
        409,
        "challenge_already_used",
    )


def test_changes_need_a_verified_contact_change_challenge(
    client: TestClient,
    issue_code: Callable,
    verified_challenge: Callable,
    assert_error: Callable,
    clock: Any,
) -> None:
    unverified, _ = issue_code()
    assert_error(
        _put(client, "email", "x@example.net", unverified["id"]), 403, "challenge_not_verified"
    )
    login, code = issue_code(purpose="login")
    client.post(f"/v1/customers/CUST-0001/challenges/{login['id']}/verify", json={"code": code})
    assert_error(
        _put(client, "email", "x@example.net", login["id"]), 422, "wrong_challenge_purpose"
    )
    assert_error(_put(client, "email", "x@example.net", "f" * 32), 404, "challenge_not_found")
    brunos = verified_challenge("CUST-0002")
    assert_error(_put(client, "email", "x@example.net", brunos), 404, "challenge_not_found")
    stale = verified_challenge()
    clock.advance(minutes=6)
    assert_error(_put(client, "email", "x@example.net", stale), 410, "challenge_expired")
    assert client.get(CONTACT).json()["email"] == "alice.morgan@example.com"
    assert client.get(f"{CONTACT}/history").json() == {"changes": []}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", "alice.morgan@example.com"),  # unchanged
        ("email", NEW_ADDRESS),
        ("phone", "0044 20 7946 0000"),
        ("phone", "+1"),
        ("postal_address", "12 Harbour Road"),
        ("postal_address", {**NEW_ADDRESS, "country": "usa"}),
        ("postal_address", {"line1": "12 Harbour Road"}),
        ("email", "a" * 255),
        ("email", "line\nbreak@example.com"),
    ],
)
def test_invalid_values_are_422_and_keep_the_challenge_usable(
    client: TestClient, verified_challenge: Callable, assert_error: Callable, field: str, value: Any
) -> None:
    challenge_id = verified_challenge()
    assert_error(_put(client, field, value, challenge_id), 422, "invalid_request")
    assert _put(client, "email", "fine@example.net", challenge_id, key="key-2").status_code == 200


def test_idempotency_key_and_field_are_validated(
    client: TestClient, verified_challenge: Callable, assert_error: Callable
) -> None:
    challenge_id = verified_challenge()
    body = {"value": "x@example.net", "challenge_id": challenge_id}
    assert_error(client.put(f"{CONTACT}/email", json=body), 422, "invalid_request")
    assert_error(
        client.put(f"{CONTACT}/email", json=body, headers={"Idempotency-Key": "k" * 129}),
        422,
        "invalid_request",
    )
    assert_error(
        client.put(f"{CONTACT}/email", json=body, headers={"Idempotency-Key": "has space"}),
        422,
        "invalid_request",
    )
    assert_error(
        client.put(f"{CONTACT}/fax", json=body, headers={"Idempotency-Key": "k"}),
        422,
        "invalid_request",
    )
    assert_error(
        client.put(
            "/v1/customers/CUST-0999/contact/email", json=body, headers={"Idempotency-Key": "k"}
        ),
        404,
        "customer_not_found",
    )
    assert_error(client.get("/v1/customers/CUST-0999/contact/history"), 404, "customer_not_found")
