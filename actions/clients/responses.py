"""HTTP responses of core banking → typed results or the matching exception (pure functions)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError, parse_obj_as

from actions.clients.errors import (
    CoreBankingError,
    CoreBankingUnauthorized,
    CoreBankingUnavailable,
    InvalidResponse,
    NotFound,
    Rejected,
)

M = TypeVar("M", bound=BaseModel)


def json_body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        raise InvalidResponse(
            "core banking answered with a body that is not JSON",
            status_code=response.status_code,
        ) from None


def error_for(response: httpx.Response) -> CoreBankingError:
    status = response.status_code
    try:
        error = json_body(response).get("error") or {}
    except (CoreBankingError, AttributeError):
        error = {}
    code = str(error.get("code") or f"http_{status}")
    message = str(error.get("message") or response.reason_phrase or "no reason given")
    if status == 401:
        return CoreBankingUnauthorized(
            "core banking refused our API key (check CORE_BANKING_API_KEY)",
            status_code=status,
            code=code,
        )
    if status == 404:
        return NotFound(message, status_code=status, code=code)
    if 400 <= status < 500:
        return Rejected(message, status_code=status, code=code, fields=error.get("fields") or ())
    return CoreBankingUnavailable(
        f"core banking error HTTP {status}", status_code=status, code=code
    )


def parse_model(model: type[M], body: Any) -> M:
    try:
        return model.parse_obj(body)
    except ValidationError as exc:
        raise InvalidResponse(f"unexpected {model.__name__} from core banking: {exc}") from None


def parse_list(model: type[M], body: Any, key: str) -> list[M]:
    try:
        return parse_obj_as(list[model], body[key])  # type: ignore[valid-type]
    except (ValidationError, KeyError, TypeError) as exc:
        raise InvalidResponse(f"unexpected {key} list from core banking: {exc}") from None
