"""TokenVerifier and the web channel's settings: every check, both algorithms."""

from __future__ import annotations

import time

import jwt
import pytest

from connectors.web_auth import ChannelConfigError, TokenRejected, TokenVerifier, bearer_token
from connectors.web_config import WebChannelConfig
from scripts.channel_env import demo_key_pair

SECRET = "a-shared-secret-of-at-least-thirty-two-bytes"
ISSUER, AUDIENCE = "https://login.bank.example", "bank-assistant"


def claims(**overrides: object) -> dict:
    now = int(time.time())
    base = {"sub": "CUST-0001", "iat": now, "exp": now + 300, "iss": ISSUER, "aud": AUDIENCE}
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


@pytest.fixture
def hs256() -> TokenVerifier:
    return TokenVerifier("HS256", SECRET, ISSUER, AUDIENCE, leeway_seconds=0)


def test_hs256_token_names_the_customer(hs256: TokenVerifier) -> None:
    customer = hs256.verify(jwt.encode(claims(), SECRET, "HS256"))
    assert customer.customer_id == "CUST-0001"


def test_rs256_with_the_public_key_only(tmp_path) -> None:
    pair = demo_key_pair(tmp_path)
    verifier = TokenVerifier.from_key_file("RS256", str(pair.public_key_file), ISSUER, AUDIENCE)
    token = jwt.encode(claims(sub="CUST-0042"), pair.private_key_file.read_text(), "RS256")
    assert verifier.verify(token).customer_id == "CUST-0042"
    assert (pair.private_key_file.stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize(
    ("token_claims", "key", "code"),
    [
        (claims(exp=int(time.time()) - 1), SECRET, "token_expired"),
        (claims(), "another-secret-that-is-also-long-enough!!", "token_invalid_signature"),
        (claims(aud="payments"), SECRET, "token_wrong_audience"),
        (claims(iss="https://evil.example"), SECRET, "token_wrong_issuer"),
        (claims(aud=None), SECRET, "token_invalid"),
        (claims(iat=None), SECRET, "token_invalid"),
        (claims(sub="CUST-1"), SECRET, "token_invalid"),
        (claims(sub=None), SECRET, "token_invalid"),
    ],
)
def test_each_failed_check_has_its_code(hs256, token_claims, key, code) -> None:
    with pytest.raises(TokenRejected) as rejected:
        hs256.verify(jwt.encode(token_claims, key, "HS256"))
    assert rejected.value.code == code


@pytest.mark.parametrize(
    ("token", "code"),
    [(None, "token_missing"), ("", "token_missing"), ("abc.def", "token_malformed")],
)
def test_missing_and_malformed(hs256, token, code) -> None:
    with pytest.raises(TokenRejected) as rejected:
        hs256.verify(token)
    assert rejected.value.code == code
    assert rejected.value.as_json()["error"]["message"].endswith("to chat about your accounts.")


def test_unsigned_tokens_are_refused(hs256) -> None:
    with pytest.raises(TokenRejected) as rejected:
        hs256.verify(jwt.encode(claims(), None, "none"))
    assert rejected.value.code == "token_invalid_signature"


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        (None, None),
    ],
)
def test_bearer_token(header, token) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"jwt_algorithm": "none"}, "jwt_algorithm"),
        ({"jwt_key_file": "/nonexistent.pem"}, "jwt_key_file"),
        ({"jwt_issuer": ""}, "jwt_issuer"),
        ({"jwt_audience": None}, "jwt_audience"),
        ({"jwt_leeway_seconds": "soon"}, "jwt_leeway_seconds"),
        ({"demo_login": "maybe"}, "demo_login"),
        ({"demo_login": "true", "demo_signing_key_file": ""}, "demo_signing_key_file"),
    ],
)
def test_bad_settings_stop_the_channel_naming_the_key(tmp_path, settings, named) -> None:
    pair = demo_key_pair(tmp_path)
    good = {
        "jwt_algorithm": "RS256",
        "jwt_key_file": str(pair.public_key_file),
        "jwt_issuer": ISSUER,
        "jwt_audience": AUDIENCE,
        "demo_login": "false",
    }
    with pytest.raises(ChannelConfigError, match=named):
        WebChannelConfig.from_credentials({**good, **settings})


def test_a_short_hs256_secret_is_refused(tmp_path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("short")
    with pytest.raises(ChannelConfigError, match="32 bytes"):
        TokenVerifier.from_key_file("HS256", str(secret), ISSUER, AUDIENCE)


def test_a_demo_key_that_does_not_match_the_verifier_is_refused(tmp_path) -> None:
    verifying, other = demo_key_pair(tmp_path / "a"), demo_key_pair(tmp_path / "b")
    with pytest.raises(ChannelConfigError, match="does not match"):
        WebChannelConfig.from_credentials(
            {
                "jwt_algorithm": "RS256",
                "jwt_key_file": str(verifying.public_key_file),
                "jwt_issuer": ISSUER,
                "jwt_audience": AUDIENCE,
                "demo_login": "true",
                "demo_signing_key_file": str(other.private_key_file),
            }
        )
