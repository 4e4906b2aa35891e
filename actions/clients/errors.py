"""What can go wrong when talking to core banking, as a small exception hierarchy.

CoreBankingError
├── CoreBankingUnavailable   timeouts, network errors, 5xx, the call's deadline passed
├── CoreBankingUnauthorized  401: our API key is wrong (a misconfiguration, not the user)
├── NotFound                 404: no such customer/account/... *for this customer*
├── Rejected                 any other 4xx, with the API's error code and message
└── InvalidResponse          a 2xx whose body does not match the contract
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class CoreBankingError(Exception):
    """Base class: callers that only need "it did not work" catch this."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code


class CoreBankingUnavailable(CoreBankingError):
    """Core banking did not answer usefully in time; worth apologising and trying later."""


class CoreBankingUnauthorized(CoreBankingError):
    """Core banking refused our credentials: check CORE_BANKING_API_KEY."""


class NotFound(CoreBankingError):
    """The thing does not exist, or does not belong to the customer asked about."""


class Rejected(CoreBankingError):
    """Core banking refused the request (4xx other than 401/404)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str,
        fields: Sequence[Any] = (),
    ) -> None:
        super().__init__(message, status_code=status_code, code=code)
        self.fields = list(fields)


class InvalidResponse(CoreBankingError):
    """Core banking answered 2xx with a body that does not match the contract."""
