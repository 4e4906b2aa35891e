"""What the voice channel remembers about a call, per CallSid, until it expires.

``CallStateStore`` is the interface; ``InMemoryCallStateStore`` keeps plain dicts (what
``voice_state_redis.RedisCallStateStore`` serialises) so nothing shares mutable objects with
callers. ``call_state_store`` picks one: Redis when a URL is set (several Rasa instances),
else memory (one process).
A bot answer that was still being prepared when the webhook had to return is kept
under its own key (call + turn), so writing it never races with the call's state.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Protocol


class Step(str, Enum):
    CONVERSATION = "conversation"  # talking to the bot (verified or not)
    CUSTOMER_NUMBER = "customer_number"  # waiting for the customer number on the keypad
    CODE = "code"  # waiting for the one-time code on the keypad


@dataclass
class CallState:
    call_sid: str
    step: Step = Step.CONVERSATION
    customer_id: str | None = None  # set only once the caller has verified
    silences: int = 0
    turn: int = 0  # one per message sent to the bot; answers carry it
    holds: int = 0  # "one moment" redirects for the current turn
    code_requests: int = 0
    challenge_customer_id: str | None = None
    challenge_id: str | None = None  # None while the customer number matched nobody
    code_attempts_left: int = 0
    verification_locked: bool = False
    pending_text: str | None = None  # a question to ask again once the caller is verified
    options: list[dict[str, str]] = field(default_factory=list)  # the last buttons

    @property
    def verified(self) -> bool:
        return self.customer_id is not None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["step"] = self.step.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallState:
        values = dict(data)
        values["step"] = Step(values["step"])
        values["options"] = [dict(option) for option in values.get("options", [])]
        return cls(**values)


@dataclass(frozen=True)
class BotAnswer:
    """What the bot said to one message: Rasa's collected messages, or a failure."""

    turn: int
    user_text: str
    messages: list[dict[str, Any]]
    failed: bool = False


class CallStateStore(Protocol):
    async def load(self, call_sid: str) -> CallState | None: ...

    async def save(self, state: CallState) -> None: ...

    async def delete(self, call_sid: str) -> None:
        """Forget the call and any answer kept for it."""

    async def save_answer(self, call_sid: str, answer: BotAnswer) -> None: ...

    async def take_answer(self, call_sid: str, turn: int) -> BotAnswer | None:
        """The answer to ``turn``, removed from the store; None while it is not ready."""


class InMemoryCallStateStore:
    """Single-process store; entries expire ``ttl_seconds`` after their last write."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, dict[str, Any]]] = {}

    def __len__(self) -> int:
        self._purge()
        return len(self._entries)

    async def load(self, call_sid: str) -> CallState | None:
        data = self._get(f"call:{call_sid}")
        return CallState.from_dict(data) if data is not None else None

    async def save(self, state: CallState) -> None:
        self._put(f"call:{state.call_sid}", state.to_dict())

    async def delete(self, call_sid: str) -> None:
        for key in [k for k in self._entries if k.split(":")[1] == call_sid]:
            del self._entries[key]

    async def save_answer(self, call_sid: str, answer: BotAnswer) -> None:
        self._put(f"answer:{call_sid}:{answer.turn}", asdict(answer))

    async def take_answer(self, call_sid: str, turn: int) -> BotAnswer | None:
        data = self._get(f"answer:{call_sid}:{turn}")
        if data is None:
            return None
        del self._entries[f"answer:{call_sid}:{turn}"]
        return BotAnswer(**data)

    def _get(self, key: str) -> dict[str, Any] | None:
        self._purge()
        entry = self._entries.get(key)
        return _copy(entry[1]) if entry else None

    def _put(self, key: str, data: dict[str, Any]) -> None:
        self._purge()
        self._entries[key] = (self._clock() + self._ttl, _copy(data))

    def _purge(self) -> None:
        now = self._clock()
        for key in [k for k, (expires, _) in self._entries.items() if expires <= now]:
            del self._entries[key]


def call_state_store(ttl_seconds: int, redis_url: str = "") -> CallStateStore:
    """Redis at ``redis_url`` (calls move between instances), else this process's memory."""
    if redis_url:
        from connectors.voice_state_redis import RedisCallStateStore

        return RedisCallStateStore.from_url(redis_url, ttl_seconds)
    return InMemoryCallStateStore(ttl_seconds)


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(data)
