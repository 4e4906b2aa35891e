"""Who is on the other end of a web or app chat: the bank login's signed token (JWT).

The bank's own login mints the token; this module only verifies it (PyJWT). A
failure is a ``TokenRejected`` whose ``code`` and customer-safe ``message`` the
channel sends back as they are (docs/channels/web-and-mobile.md, section 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jwt

CUSTOMER_ID = re.compile(r"CUST-\d{4,}")
SUPPORTED_ALGORITHMS = ("RS256", "HS256")
REQUIRED_CLAIMS = ("sub", "exp", "iat", "iss", "aud")
MIN_HS256_SECRET_BYTES = 32
MAX_TOKEN_CHARS = 8_192  # a bank-login JWT is well under 2 KB

_SIGN_IN_AGAIN = "Please sign in again to chat about your accounts."
MESSAGES = {
    "token_missing": "Please sign in to chat about your accounts.",
    "token_malformed": f"We could not read your sign-in. {_SIGN_IN_AGAIN}",
    "token_expired": f"Your session has expired. {_SIGN_IN_AGAIN}",
    "token_invalid_signature": f"We could not verify your sign-in. {_SIGN_IN_AGAIN}",
    "token_wrong_audience": f"This sign-in is not for the assistant. {_SIGN_IN_AGAIN}",
    "token_wrong_issuer": f"This sign-in did not come from the bank. {_SIGN_IN_AGAIN}",
    "token_invalid": f"We could not verify your sign-in. {_SIGN_IN_AGAIN}",
}


class ChannelConfigError(ValueError):
    """A channel setting is missing or invalid; the message names the key."""


class TokenRejected(Exception):
    """The token was missing or failed a check; ``code`` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = MESSAGES[code]

    def as_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


@dataclass(frozen=True)
class VerifiedCustomer:
    customer_id: str
    expires_at: int


@dataclass(frozen=True)
class TokenVerifier:
    """Verifies bank-login tokens: signature, expiry, issuer, audience, subject."""

    algorithm: str
    key: str
    issuer: str
    audience: str
    leeway_seconds: int = 30

    def __post_init__(self) -> None:
        if self.algorithm not in SUPPORTED_ALGORITHMS:
            raise ChannelConfigError(
                f"jwt_algorithm must be one of {', '.join(SUPPORTED_ALGORITHMS)}, "
                f"not {self.algorithm!r}"
            )
        if not self.issuer.strip():
            raise ChannelConfigError("jwt_issuer must not be empty")
        if not self.audience.strip():
            raise ChannelConfigError("jwt_audience must not be empty")
        if not 0 <= self.leeway_seconds <= 300:
            raise ChannelConfigError("jwt_leeway_seconds must be between 0 and 300")
        if self.algorithm == "HS256" and len(self.key.encode()) < MIN_HS256_SECRET_BYTES:
            raise ChannelConfigError(
                f"jwt_key_file: an HS256 secret needs at least {MIN_HS256_SECRET_BYTES} bytes"
            )
        if self.algorithm == "RS256" and "PUBLIC KEY" not in self.key:
            raise ChannelConfigError("jwt_key_file: RS256 needs a PEM public key")

    @classmethod
    def from_key_file(
        cls, algorithm: str, key_file: str, issuer: str, audience: str, leeway_seconds: int = 30
    ) -> TokenVerifier:
        path = Path(key_file)
        if not key_file.strip() or not path.is_file():
            raise ChannelConfigError(f"jwt_key_file: no such file {key_file!r}")
        key = path.read_text().strip()
        return cls(algorithm, key, issuer, audience, leeway_seconds)

    def verify(self, token: str | None) -> VerifiedCustomer:
        """The customer the token vouches for, or ``TokenRejected``."""
        if not token or not token.strip():
            raise TokenRejected("token_missing")
        if len(token) > MAX_TOKEN_CHARS or not token.isascii():  # a JWT is base64url and dots
            raise TokenRejected("token_malformed")
        try:
            claims = jwt.decode(
                token.strip(),
                self.key,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected("token_expired") from None
        except jwt.InvalidAudienceError:
            raise TokenRejected("token_wrong_audience") from None
        except jwt.InvalidIssuerError:
            raise TokenRejected("token_wrong_issuer") from None
        except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError):
            raise TokenRejected("token_invalid_signature") from None
        except jwt.DecodeError:
            raise TokenRejected("token_malformed") from None
        except jwt.InvalidTokenError:
            raise TokenRejected("token_invalid") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not CUSTOMER_ID.fullmatch(subject):
            raise TokenRejected("token_invalid")
        return VerifiedCustomer(customer_id=subject, expires_at=int(claims["exp"]))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
