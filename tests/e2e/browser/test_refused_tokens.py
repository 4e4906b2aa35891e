"""A token the bank's login did not sign, an expired one or no JWT at all is refused: the
widget says why, offers to sign in again and shows no account data. And a demo page whose
demo login is off says so."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from playwright.sync_api import expect

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def forged(token: str) -> str:
    """The same claims as a real demo token, signed with a key the channel does not hold."""
    algorithm = jwt.get_unverified_header(token)["alg"]
    claims = jwt.decode(token, options={"verify_signature": False})
    if algorithm == "HS256":
        return jwt.encode(claims, "not-the-bank-secret-" * 3, algorithm="HS256")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return jwt.encode(claims, pem, algorithm=algorithm)


@pytest.fixture
def forged_token(demo_url: str) -> str:
    response = httpx.post(f"{demo_url}/login", json={"customer_id": "CUST-0001"}, timeout=10)
    response.raise_for_status()
    return forged(response.json()["token"])


@pytest.fixture
def token_of_kind(forged_token: str, demo_login) -> Callable[[str], str]:
    def token(kind: str) -> str:
        if kind == "forged":
            return forged_token
        if kind == "expired":  # signed by the bank's login key, but two hours old
            return demo_login.mint("CUST-0001", now=time.time() - 2 * 3600)
        return "not-a-jwt"

    return token


@pytest.mark.parametrize(
    ("token_kind", "explanation"),
    [
        ("forged", "could not verify your sign-in"),
        ("expired", "your session has expired"),
        ("garbage", "could not read your sign-in"),
    ],
)
def test_refused_token_shows_why_and_no_account_data(
    open_demo, token_of_kind, save_screenshot, token_kind, explanation
):
    token = token_of_kind(token_kind)
    demo = open_demo(query=f"?token={token}")
    demo.launcher.click()

    expect(demo.alert).to_contain_text(explanation, ignore_case=True)
    expect(demo.alert.get_by_role("button", name="Sign in")).to_be_visible()
    expect(demo.panel.locator(".bc-status")).to_have_text("Signed out")
    expect(demo.panel.get_by_role("button", name="Send message")).to_be_disabled()
    assert demo.log.inner_text().strip() == ""
    assert "$" not in demo.panel.inner_text()
    expect(demo.page.get_by_label("Demo customer")).to_be_visible()  # the login is offered
    save_screenshot(demo.page, f"refused-{token_kind}-token")

    demo.alert.get_by_role("button", name="Sign in").click()
    expect(demo.panel).to_be_hidden()
    expect(demo.page.get_by_label("Demo customer")).to_be_focused()


def test_demo_page_says_when_the_demo_login_is_switched_off(open_demo):
    demo = open_demo()
    demo.page.route("**/demo/login", lambda route: route.fulfill(status=404, body="{}"))

    demo.page.get_by_role("button", name="Sign in", exact=True).click()

    expect(demo.page.get_by_role("status").filter(has_text="Demo login")).to_contain_text(
        "Demo login is turned off"
    )
    expect(demo.page.locator("#signed-in")).to_be_hidden()
