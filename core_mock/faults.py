"""Injected latency and errors, so clients' timeouts and retries can be exercised."""

import asyncio
import json
import logging
import random
import threading
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger(__name__)

FAULTED_PREFIX = "/v1/"  # /health, /docs and /admin (to switch faults off again) are never faulted


@dataclass
class FaultState:
    """Runtime-adjustable fault settings shared by the middleware and /admin/faults."""

    latency_ms: int = 0
    error_rate: float = 0.0
    rng: random.Random = field(default_factory=random.Random, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, *, latency_ms: int | None = None, error_rate: float | None = None) -> None:
        with self._lock:
            if latency_ms is not None:
                self.latency_ms = latency_ms
            if error_rate is not None:
                self.error_rate = error_rate

    def draw(self) -> tuple[float, bool]:
        """(seconds to delay, whether to fail) for one request."""
        with self._lock:
            return self.latency_ms / 1000, self.rng.random() < self.error_rate


_FAULT_BODY = json.dumps(
    {
        "error": {
            "code": "injected_fault",
            "message": "Core banking is unavailable (injected fault).",
        }
    }
).encode()


class FaultInjectionMiddleware:
    """ASGI middleware: delay and/or fail /v1 requests according to a :class:`FaultState`."""

    def __init__(self, app: ASGIApp, faults: FaultState) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(FAULTED_PREFIX):
            await self.app(scope, receive, send)
            return
        delay, fail = self.faults.draw()
        if delay:
            await asyncio.sleep(delay)
        if not fail:
            await self.app(scope, receive, send)
            return
        logger.info("core_mock.fault.injected path=%s", scope["path"])
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(_FAULT_BODY)).encode()),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": _FAULT_BODY})
