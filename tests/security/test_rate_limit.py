"""The shared limiter: token buckets in memory (a controllable clock) and in real Redis."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from ratelimit import (
    Decision,
    InMemoryRateLimiter,
    RateLimit,
    RateLimitConfigError,
    bucket_key,
    check,
    rate_limiter,
)
from ratelimit.redis_store import RedisRateLimiter

REDIS_URL = os.environ.get("RATELIMIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "requests", "seconds"),
    [("30/minute", 30, 60), ("5/10s", 5, 10), ("1000/hour", 1000, 3600), ("10/5min", 10, 300),
     (" 2 / second ", 2, 1), ("7/2 days", 7, 172800)],
)  # fmt: skip
def test_limits_are_read_from_text(text: str, requests: int, seconds: float) -> None:
    assert RateLimit.parse(text) == RateLimit(requests, seconds)


@pytest.mark.parametrize("text", ["off", "OFF", "0", "none"])
def test_a_limit_can_be_switched_off(text: str) -> None:
    assert RateLimit.parse(text) is None


@pytest.mark.parametrize("text", ["", "30", "30/fortnight", "-1/minute", "0/minute", "x/y", None])
def test_unreadable_limits_say_what_is_expected(text: object) -> None:
    with pytest.raises(RateLimitConfigError, match="30/minute"):
        RateLimit.parse(text)


async def test_a_burst_up_to_the_limit_then_refusals_with_the_wait() -> None:
    clock = Clock()
    limiter = InMemoryRateLimiter(clock=clock)
    limit = RateLimit(3, 60)
    assert [(await limiter.hit("a", limit)).allowed for _ in range(4)] == [True] * 3 + [False]
    refused = await limiter.hit("a", limit)
    assert refused.retry_after == pytest.approx(20.0)
    assert refused.retry_after_header == "20"
    clock.now += 20
    assert (await limiter.hit("a", limit)).allowed
    assert not (await limiter.hit("a", limit)).allowed


async def test_keys_have_their_own_buckets() -> None:
    limiter = InMemoryRateLimiter(clock=Clock())
    limit = RateLimit(1, 60)
    assert (await limiter.hit("customer-a", limit)).allowed
    assert not (await limiter.hit("customer-a", limit)).allowed
    assert (await limiter.hit("customer-b", limit)).allowed


async def test_a_bucket_never_holds_more_than_the_limit() -> None:
    clock = Clock()
    limiter = InMemoryRateLimiter(clock=clock)
    limit = RateLimit(2, 1)
    await limiter.hit("a", limit)
    clock.now += 3600
    assert [(await limiter.hit("a", limit)).allowed for _ in range(3)] == [True, True, False]


async def test_peek_takes_nothing() -> None:
    limiter = InMemoryRateLimiter(clock=Clock())
    limit = RateLimit(1, 60)
    assert (await limiter.peek("a", limit)).allowed
    assert (await limiter.peek("a", limit)).allowed
    assert (await limiter.hit("a", limit)).allowed
    assert not (await limiter.peek("a", limit)).allowed


async def test_random_keys_cannot_grow_memory_without_bound() -> None:
    limiter = InMemoryRateLimiter(max_keys=100, clock=Clock())
    for n in range(1000):
        await limiter.hit(f"k{n}", RateLimit(1, 60))
    assert len(limiter) == 100


async def test_check_stops_at_the_first_refusal_and_skips_limits_that_are_off() -> None:
    limiter = InMemoryRateLimiter(clock=Clock())
    one = RateLimit(1, 60)
    assert (await check(limiter, ("ip", one), ("customer", None))).allowed
    refused = await check(limiter, ("ip", one), ("customer", one))
    assert not refused.allowed
    assert (await limiter.hit("customer", one)).allowed  # untouched by the refused check


def test_refusal_json_and_header() -> None:
    decision = Decision(False, 0.2)
    assert decision.retry_after_header == "1"
    assert decision.error_json()["code"] == "rate_limited"
    assert decision.error_json()["retry_after"] == 1


def test_bucket_keys_hide_what_they_count() -> None:
    key = bucket_key("ip", "203.0.113.9")
    assert key.startswith("ip:") and "203.0.113.9" not in key
    assert key == bucket_key("ip", "203.0.113.9") != bucket_key("ip", "203.0.113.10")
    assert bucket_key("x", "\ud800") != bucket_key("x", "")  # lone surrogates hash too


def test_the_store_is_chosen_by_url() -> None:
    assert isinstance(rate_limiter(""), InMemoryRateLimiter)
    assert isinstance(rate_limiter("memory"), InMemoryRateLimiter)
    assert isinstance(rate_limiter("redis://127.0.0.1:1/0"), RedisRateLimiter)
    with pytest.raises(RateLimitConfigError):
        rate_limiter("http://example.org")


# ---- Redis -------------------------------------------------------------------------------


@pytest.fixture
async def redis_limiter() -> RedisRateLimiter:
    limiter = RedisRateLimiter.from_url(REDIS_URL, prefix=f"test-{uuid.uuid4().hex}")
    try:
        await limiter._client.ping()
    except Exception:
        await limiter.aclose()
        if os.environ.get("REQUIRE_REDIS") == "1":
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield limiter
    await limiter.aclose()


async def test_redis_buckets_behave_like_memory_ones(redis_limiter: RedisRateLimiter) -> None:
    limit = RateLimit(3, 60)
    answers = [(await redis_limiter.hit("a", limit)).allowed for _ in range(4)]
    assert answers == [True, True, True, False]
    refused = await redis_limiter.hit("a", limit)
    assert 19 < refused.retry_after <= 20
    assert (await redis_limiter.hit("b", limit)).allowed
    assert not (await redis_limiter.peek("a", limit)).allowed


async def test_redis_buckets_are_shared_by_instances(redis_limiter: RedisRateLimiter) -> None:
    other = RedisRateLimiter.from_url(REDIS_URL, prefix=redis_limiter._prefix)
    limit = RateLimit(4, 60)
    answers = await asyncio.gather(
        *[(redis_limiter if n % 2 else other).hit("shared", limit) for n in range(10)]
    )
    await other.aclose()
    assert sum(answer.allowed for answer in answers) == 4


async def test_redis_refills_over_time(redis_limiter: RedisRateLimiter) -> None:
    limit = RateLimit(2, 0.2)  # 10 tokens a second
    assert (await redis_limiter.hit("r", limit)).allowed
    assert (await redis_limiter.hit("r", limit)).allowed
    assert not (await redis_limiter.hit("r", limit)).allowed
    await asyncio.sleep(0.15)
    assert (await redis_limiter.hit("r", limit)).allowed


async def test_unreachable_redis_lets_requests_through() -> None:
    limiter = RedisRateLimiter.from_url("redis://127.0.0.1:1/0")
    assert (await limiter.hit("a", RateLimit(1, 60))).allowed
    await limiter.aclose()
