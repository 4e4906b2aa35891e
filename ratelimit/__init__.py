"""Rate limits per client: a token bucket for each key (a customer, an address, a call).

Every public endpoint asks ``limiter.hit(key, limit)`` before doing work; a refusal
carries how long to wait, which the endpoint sends as ``429`` + ``Retry-After`` (HTTP) or
an ``error`` event ``{code: "rate_limited", message}`` (Socket.IO).

- ``RateLimit.parse("30/minute")``: a bucket of 30 that refills 30 per minute, so a
  client may burst up to 30 and then goes on at the steady rate. ``"off"`` disables it.
- ``InMemoryRateLimiter``: one process (the default); at most ``max_keys`` buckets, the
  least recently used dropped first, so random keys cannot exhaust memory.
- ``RedisRateLimiter`` (``ratelimit.redis_store``): shared by several instances.
- ``rate_limiter(url)`` picks one: empty or ``memory`` → memory, ``redis://`` → Redis.

Keys are hashed (``bucket_key``), so addresses and ids never sit in a store as given.
This package is shared plumbing, like ``sqlstore``: it imports nothing else of ours.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

RATE_LIMITED = "rate_limited"
_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
_SPEC = re.compile(r"^\s*(\d{1,9})\s*/\s*(?:(\d{1,6})\s*)?([a-z]+)\s*$")


class RateLimitConfigError(ValueError):
    """A limit setting cannot be read; the message says what is expected."""


@dataclass(frozen=True)
class RateLimit:
    """``requests`` per ``per_seconds``, with bursts of up to ``requests``."""

    requests: int
    per_seconds: float

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per_seconds <= 0:
            raise RateLimitConfigError(
                "a rate limit needs 1 or more requests, e.g. 30/minute, or off"
            )

    @property
    def refill_per_second(self) -> float:
        return self.requests / self.per_seconds

    @classmethod
    def parse(cls, text: object) -> RateLimit | None:
        """``"30/minute"``, ``"5/10s"``/``"5/10 seconds"``, ``"1000/hour"``; ``"off"`` → None."""
        spec = str(text if text is not None else "").strip().lower()
        if spec in ("off", "none", "0", "unlimited"):
            return None
        match = _SPEC.match(spec)
        unit = _unit(match.group(3)) if match else None
        if match is None or unit is None:
            raise RateLimitConfigError(
                f"{text!r} is not a rate limit: write e.g. 30/minute, 5/10s, 1000/hour or off"
            )
        count = int(match.group(2) or 1)
        return cls(int(match.group(1)), count * unit)

    def __str__(self) -> str:
        return f"{self.requests}/{self.per_seconds:g}s"


def _unit(word: str) -> float | None:
    if word in ("s", "sec", "secs"):
        return 1.0
    if word in ("m", "min", "mins"):
        return 60.0
    if word in ("h", "hr", "hrs"):
        return 3600.0
    return _UNITS.get(word.removesuffix("s"))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the next request would be allowed

    @property
    def retry_after_header(self) -> str:
        """Whole seconds, at least 1 (``Retry-After`` takes an integer)."""
        return str(max(1, math.ceil(self.retry_after)))

    def error_json(self) -> dict[str, Any]:
        """The ``error`` object of a 429 body or a Socket.IO ``error`` event."""
        return {
            "code": RATE_LIMITED,
            "message": "Too many requests. Please wait a moment and try again.",
            "retry_after": int(self.retry_after_header),
        }


ALLOWED = Decision(True)


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: RateLimit) -> Decision:
        """Take one token from ``key``'s bucket, or say how long until there is one."""

    async def peek(self, key: str, limit: RateLimit) -> Decision:
        """What ``hit`` would answer, taking nothing (e.g. before counting a failure)."""

    async def aclose(self) -> None: ...


def bucket_key(scope: str, value: object) -> str:
    """``scope:<hash of value>``: short, fixed-length keys with no raw ids or addresses."""
    digest = hashlib.sha256(str(value).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{scope}:{digest}"


async def check(limiter: RateLimiter, *buckets: tuple[str, RateLimit | None]) -> Decision:
    """Hit each ``(key, limit)`` in order (``None`` limits are off); the first refusal wins."""
    for key, limit in buckets:
        if limit is None:
            continue
        decision = await limiter.hit(key, limit)
        if not decision.allowed:
            return decision
    return ALLOWED


def take(tokens: float, elapsed: float, limit: RateLimit) -> tuple[float, Decision]:
    """One token bucket step, as a pure function: the bucket after the request, and the answer.

    ``tokens`` is what the bucket held ``elapsed`` seconds ago (a new bucket is full).
    """
    rate = limit.refill_per_second
    tokens = min(float(limit.requests), tokens + max(0.0, elapsed) * rate)
    if tokens >= 1.0:
        return tokens - 1.0, ALLOWED
    return tokens, Decision(False, (1.0 - tokens) / rate)


class InMemoryRateLimiter:
    """Buckets in this process; bounded to ``max_keys`` (least recently used dropped)."""

    def __init__(
        self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_keys < 1:
            raise RateLimitConfigError("max_keys must be at least 1")
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()  # FastAPI may call from its thread pool

    async def hit(self, key: str, limit: RateLimit) -> Decision:
        return self.hit_now(key, limit)

    async def peek(self, key: str, limit: RateLimit) -> Decision:
        return self.hit_now(key, limit, consume=False)

    def hit_now(self, key: str, limit: RateLimit, consume: bool = True) -> Decision:
        with self._lock:
            now = self._clock()
            held, updated = self._buckets.get(key, (float(limit.requests), now))
            tokens, decision = take(held, now - updated, limit)
            if not consume:
                return decision
            self._buckets.pop(key, None)
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return decision

    def __len__(self) -> int:
        return len(self._buckets)

    async def aclose(self) -> None:
        self._buckets.clear()


def rate_limiter(url: str = "", *, prefix: str = "ratelimit") -> RateLimiter:
    """``""``/``memory`` → this process; ``redis://``/``rediss://`` → shared through Redis."""
    text = (url or "").strip()
    if text in ("", "memory"):
        return InMemoryRateLimiter()
    if text.startswith(("redis://", "rediss://")):
        from ratelimit.redis_store import RedisRateLimiter

        return RedisRateLimiter.from_url(text, prefix=prefix)
    raise RateLimitConfigError("must be empty, 'memory' or a redis:// or rediss:// URL")
