"""The voice channel's call state in Redis, so a call can move between Rasa instances.

Twilio sends each webhook of a call wherever the load balancer points it; with this store
every instance sees the same ``CallState`` and picks up an answer another instance finished
(a "one moment" redirect may land anywhere). Keys, under ``key_prefix``:

- ``call:<CallSid>``: the state as JSON, expiring ``ttl_seconds`` after its last write;
- ``answers:<CallSid>``: a hash of turn → answer JSON; ``take_answer`` reads and removes
  one field in a single transaction, so two instances never speak the same answer.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from redis import asyncio as aioredis

from connectors.voice_state import BotAnswer, CallState

DEFAULT_KEY_PREFIX = "bank_voice:"
SOCKET_TIMEOUT_SECONDS = 2.0


class RedisCallStateStore:
    """``CallStateStore`` on a Redis server shared by every instance of the channel."""

    def __init__(
        self, client: aioredis.Redis, ttl_seconds: int, key_prefix: str = DEFAULT_KEY_PREFIX
    ) -> None:
        self._redis = client
        self._ttl = int(ttl_seconds)
        self._prefix = key_prefix

    @classmethod
    def from_url(
        cls, url: str, ttl_seconds: int, key_prefix: str = DEFAULT_KEY_PREFIX
    ) -> RedisCallStateStore:
        """A store on ``redis://[:password@]host:port/db`` (no connection is made yet)."""
        client = aioredis.Redis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            retry_on_timeout=True,
        )
        return cls(client, ttl_seconds, key_prefix)

    async def load(self, call_sid: str) -> CallState | None:
        raw = await self._redis.get(self._call_key(call_sid))
        return CallState.from_dict(json.loads(raw)) if raw is not None else None

    async def save(self, state: CallState) -> None:
        data = json.dumps(state.to_dict())
        await self._redis.set(self._call_key(state.call_sid), data, ex=self._ttl)

    async def delete(self, call_sid: str) -> None:
        await self._redis.delete(self._call_key(call_sid), self._answers_key(call_sid))

    async def save_answer(self, call_sid: str, answer: BotAnswer) -> None:
        key = self._answers_key(call_sid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, str(answer.turn), json.dumps(asdict(answer)))
            pipe.expire(key, self._ttl)
            await pipe.execute()

    async def take_answer(self, call_sid: str, turn: int) -> BotAnswer | None:
        key = self._answers_key(call_sid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hget(key, str(turn))
            pipe.hdel(key, str(turn))
            raw, _ = await pipe.execute()
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(raw)
        return BotAnswer(**data)

    async def aclose(self) -> None:
        await self._redis.close()

    def _call_key(self, call_sid: str) -> str:
        return f"{self._prefix}call:{call_sid}"

    def _answers_key(self, call_sid: str) -> str:
        return f"{self._prefix}answers:{call_sid}"
