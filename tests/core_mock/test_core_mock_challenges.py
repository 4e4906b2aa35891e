"""One-time-code challenges: issue, outbox, verify, attempt limit, expiry."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

CHALLENGES = "/v1/customers/CUST-0001/challenges"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_issue_sends_a_code_to_the_phone_on_file_and_verify_accepts_it(
    client: TestClient, issue_code: Callable
) -> None:
    challenge, code = issue_code(channel="sms")
    assert challenge["sent_to"] == "•••••••01"
    assert (challenge["purpose"], challenge["channel"], challenge["attempts_remaining"]) == (
        "contact_change",
        "sms",
        3,
    )
    assert challenge["expires_at"] == "2026-11-28T12:05:00+00:00" and challenge["verified"] is False
    assert len(challenge["id"]) == 32
    sms = client.get("/v1/outbox", params={"customer_id": "CUST-0001"}).json()["notifications"][0]
    assert (sms["channel"], sms["to"], sms["subject"]) == (
        "sms",
        "+14155550101",
        "Your verification code",
    )
    assert code in sms["body"] and "5 minutes" in sms["body"]
    verified = client.post(f"{CHALLENGES}/{challenge['id']}/verify", json={"code": code})
    assert verified.status_code == 200, verified.text
    assert (
        verified.json()["verified"] is True
        and verified.json()["verified_at"] == "2026-11-28T12:00:00+00:00"
    )


def test_email_channel_uses_the_email_on_file(client: TestClient, issue_code: Callable) -> None:
    challenge, _ = issue_code(channel="email", purpose="login")
    assert challenge["sent_to"] == "a•••@example.com"
    latest = client.get("/v1/outbox", params={"limit": 1}).json()["notifications"][0]
    assert (latest["channel"], latest["to"], latest["customer_id"]) == (
        "email",
        "alice.morgan@example.com",
        "CUST-0001",
    )


def test_three_wrong_codes_lock_the_challenge(
    client: TestClient, issue_code: Callable, assert_error: Callable
) -> None:
    challenge, code = issue_code()
    url = f"{CHALLENGES}/{challenge['id']}/verify"
    first = assert_error(client.post(url, json={"code": _wrong(code)}), 422, "wrong_code")
    assert "2 attempts remaining" in first["message"] and first["attempts_remaining"] == 2
    second = assert_error(client.post(url, json={"code": _wrong(code)}), 422, "wrong_code")
    assert "1 attempt remaining" in second["message"]
    assert_error(client.post(url, json={"code": _wrong(code)}), 423, "challenge_locked")
    assert_error(client.post(url, json={"code": code}), 423, "challenge_locked")


def test_expired_codes_are_410(
    client: TestClient, issue_code: Callable, clock: object, assert_error: Callable
) -> None:
    challenge, code = issue_code()
    clock.advance(seconds=300)
    assert_error(
        client.post(f"{CHALLENGES}/{challenge['id']}/verify", json={"code": code}),
        410,
        "challenge_expired",
    )


def test_a_code_just_before_expiry_still_works(
    client: TestClient, issue_code: Callable, clock: object
) -> None:
    challenge, code = issue_code()
    clock.advance(seconds=299)
    assert (
        client.post(f"{CHALLENGES}/{challenge['id']}/verify", json={"code": code}).status_code
        == 200
    )


def test_a_verified_challenge_cannot_be_verified_again(
    client: TestClient, issue_code: Callable, assert_error: Callable
) -> None:
    challenge, code = issue_code()
    url = f"{CHALLENGES}/{challenge['id']}/verify"
    client.post(url, json={"code": code})
    assert_error(client.post(url, json={"code": code}), 409, "challenge_already_verified")


def test_challenges_of_other_customers_are_not_found(
    client: TestClient, issue_code: Callable, assert_error: Callable
) -> None:
    challenge, code = issue_code("CUST-0002")
    url = f"{CHALLENGES}/{challenge['id']}/verify"
    assert_error(client.post(url, json={"code": code}), 404, "challenge_not_found")
    assert_error(
        client.post(f"{CHALLENGES}/{'0' * 32}/verify", json={"code": "123456"}),
        404,
        "challenge_not_found",
    )
    assert_error(
        client.post(f"{CHALLENGES}/not-hex/verify", json={"code": "123456"}),
        404,
        "challenge_not_found",
    )
    assert_error(
        client.post(
            "/v1/customers/CUST-7777/challenges", json={"purpose": "login", "channel": "sms"}
        ),
        404,
        "customer_not_found",
    )


@pytest.mark.parametrize(
    "body",
    [
        {"purpose": "transfer", "channel": "sms"},
        {"purpose": "login", "channel": "pigeon"},
        {"purpose": "login"},
        {},
    ],
)
def test_bad_challenge_requests_are_422(
    client: TestClient, assert_error: Callable, body: dict
) -> None:
    assert_error(client.post(CHALLENGES, json=body), 422, "invalid_request")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": ""},
        {"code": "12345"},
        {"code": "1234567"},
        {"code": "abcdef"},
        {"code": 123456},
    ],
)
def test_malformed_codes_are_422_and_cost_no_attempt(
    client: TestClient, issue_code: Callable, assert_error: Callable, body: dict
) -> None:
    challenge, code = issue_code()
    url = f"{CHALLENGES}/{challenge['id']}/verify"
    for _ in range(4):
        assert_error(client.post(url, json=body), 422, "invalid_request")
    assert client.post(url, json={"code": f" {code} "}).json()["verified"] is True
