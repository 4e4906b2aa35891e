"""Error responses: every non-2xx answer is ``{"error": {"code": ..., "message": ...}}``."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    429: "rate_limited",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """A failure with an HTTP status, a stable snake_case code and a readable reason."""

    def __init__(self, status_code: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.extra = extra
        self.headers: dict[str, str] = {}


def not_found(thing: str, identifier: str) -> ApiError:
    shown = identifier if len(identifier) <= 64 else identifier[:64] + "…"
    return ApiError(404, f"{thing}_not_found", f"No {thing.replace('_', ' ')} with id {shown!r}.")


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def validation_error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Translate FastAPI/pydantic validation errors into the contract's error body."""
    fields = [
        {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", ""))} for error in errors
    ]
    described = "; ".join(
        f"{'.'.join(str(part) for part in field['loc'])}: {field['msg']}" for field in fields[:3]
    )
    return error_body("invalid_request", f"Invalid request: {described}.", fields=fields)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "ApiKey"} if exc.status_code == 401 else {}
    headers.update(exc.headers)
    body = error_body(exc.code, exc.message, **exc.extra)
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(validation_error_body(list(exc.errors())), status_code=422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "Request failed."
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # A bug, not bad input: keep it loud (500 + traceback in the log), but in the contract's shape.
    logger.exception("core_mock.request.failed path=%s", request.url.path)
    return JSONResponse(
        error_body("internal_error", "Internal error in the core-banking mock."), 500
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
