"""DEMO ONLY: a stand-in for the bank's login, so the demo page can sign in.

In a deployment the bank's own login mints the chat token and the assistant holds
only the public key. This stand-in signs tokens for the seeded demo customers and
exists only when the channel's ``demo_login`` setting is on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import jwt

from connectors.web_auth import ChannelConfigError, TokenVerifier

# The customers `python -m core_mock.seed` always creates (README, "Demo customers").
DEMO_CUSTOMERS = {
    "CUST-0001": "Alice Morgan",
    "CUST-0002": "Bruno Díaz",
    "CUST-0003": "Chen Wei",
    "CUST-0004": "Dana Okafor",
}
DEMO_TOKEN_SECONDS = 30 * 60


class NotADemoCustomer(LookupError):
    """Only the seeded demo customers can sign in through the demo login."""


@dataclass(frozen=True)
class DemoLogin:
    signing_key: str
    verifier: TokenVerifier
    token_seconds: int = DEMO_TOKEN_SECONDS

    @classmethod
    def from_key_file(cls, key_file: str, verifier: TokenVerifier) -> DemoLogin:
        path = Path(key_file)
        if not key_file.strip() or not path.is_file():
            raise ChannelConfigError(f"demo_signing_key_file: no such file {key_file!r}")
        login = cls(path.read_text().strip(), verifier)
        try:  # a key that cannot sign what the channel verifies is a configuration error
            verifier.verify(login.mint("CUST-0001"))
        except Exception as error:
            raise ChannelConfigError(
                "demo_signing_key_file does not match jwt_key_file "
                f"({type(error).__name__}): the demo login could not sign in anybody"
            ) from None
        return login

    def mint(self, customer_id: str, now: float | None = None) -> str:
        """The demo login's token: seeded demo customers only."""
        if customer_id not in DEMO_CUSTOMERS:
            raise NotADemoCustomer(customer_id)
        return self.sign(customer_id, self.token_seconds, now)

    def sign(self, customer_id: str, seconds: int, now: float | None = None) -> str:
        """A token for any customer id, as the bank's login would sign it (tests, benchmarks;
        the demo page can only reach ``mint``)."""
        issued = int(time.time() if now is None else now)
        claims = {
            "sub": customer_id,
            "iat": issued,
            "exp": issued + seconds,
            "iss": self.verifier.issuer,
            "aud": self.verifier.audience,
            "demo": True,
        }
        return jwt.encode(claims, self.signing_key, algorithm=self.verifier.algorithm)
