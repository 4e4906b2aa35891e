"""Token buckets in Redis, shared by every instance of a service.

One hash per key (``tokens``, ``ts``), updated by a Lua script in one atomic step with
Redis's own clock, so instances with skewed clocks agree; a bucket expires once it
would be full again. When Redis cannot be reached the request is let through (and
logged): a rate limiter must not take the service down with it.
"""

from __future__ import annotations

import logging
import math

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from ratelimit import ALLOWED, Decision, RateLimit

logger = logging.getLogger(__name__)

_BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = (1 - tokens) / rate
end
if ARGV[3] == '0' then
  return {allowed, tostring(retry)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
return {allowed, tostring(retry)}
"""


class RedisRateLimiter:
    def __init__(self, client: aioredis.Redis, prefix: str = "ratelimit") -> None:
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_BUCKET_SCRIPT)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "ratelimit") -> RedisRateLimiter:
        client = aioredis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return cls(client, prefix)

    async def hit(self, key: str, limit: RateLimit) -> Decision:
        return await self._run(key, limit, consume=True)

    async def peek(self, key: str, limit: RateLimit) -> Decision:
        return await self._run(key, limit, consume=False)

    async def _run(self, key: str, limit: RateLimit, consume: bool) -> Decision:
        args = [limit.requests, repr(limit.refill_per_second), "1" if consume else "0"]
        try:
            allowed, retry = await self._script(keys=[f"{self._prefix}:{key}"], args=args)
        except (RedisError, OSError) as error:
            logger.warning("ratelimit.redis.unavailable error=%s", type(error).__name__)
            return ALLOWED
        if int(allowed) == 1:
            return ALLOWED
        wait = float(retry)
        return Decision(False, wait if math.isfinite(wait) else limit.per_seconds)

    async def aclose(self) -> None:
        await self._client.close()  # redis 4.6: close(); 5.x also has aclose()
