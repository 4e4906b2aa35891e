"""Rasa's Redis lock store, made safe for several Rasa servers (bot/endpoints.production.yml).

Rasa Open Source 3.6's ``RedisLockStore`` changes a conversation's ticket lock with a
``GET``, a change in Python and a ``SET``. One server runs these without a pause, so it
never races itself; two servers do: both read the same lock, both issue ticket *n*, the
second ``SET`` overwrites the first, and both serve ticket *n* at once. Two messages of one
conversation are then processed together, and the later tracker save drops the earlier
message (seen in ``tests/production``). A ``cleanup`` can likewise delete a lock another
server has just queued a ticket on.

``AtomicRedisLockStore`` keeps Rasa's ticket lock (same keys, same JSON, same ordering) and
does every read-change-write inside a Redis transaction (``WATCH``/``MULTI``/``EXEC``,
retried when another server changed the key in between). It also polls for its turn every
``poll_interval_seconds`` (Rasa waits a whole second), and lets the key expire with its last
ticket so a crashed server cannot leave a lock behind.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.client import Pipeline

logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL_SECONDS = 0.05
Result = TypeVar("Result")
Change = Callable[[TicketLock | None], tuple[TicketLock | None, Result]]


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose ticket changes are atomic across processes."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        poll_interval_seconds: float = DEFAULT_POLL_INTERVAL_SECONDS,
        **kwargs: Any,
    ) -> None:
        if endpoint_config is not None:  # built by Rasa from endpoints.yml
            settings = dict(endpoint_config.kwargs)
            poll_interval_seconds = float(
                settings.pop("poll_interval_seconds", poll_interval_seconds)
            )
            kwargs = {"host": endpoint_config.url or "localhost", **settings, **kwargs}
        if poll_interval_seconds <= 0:
            raise ValueError("poll_interval_seconds must be positive")
        self.poll_interval_seconds = poll_interval_seconds
        super().__init__(**kwargs)

    # ---- the one primitive: change a lock atomically ---------------------------------

    def _change(self, conversation_id: str, change: Change[Result]) -> Result:
        """Apply ``change`` to the stored lock in one transaction.

        ``change`` gets the lock (None when there is none) and returns the lock to store
        (None deletes it) and a result. It may run more than once: when another process
        writes the key between the read and the write, the transaction is retried.
        """
        key = self.key_prefix + conversation_id

        def attempt(pipe: Pipeline) -> Result:
            stored = pipe.get(key)  # WATCHed: executes at once
            lock = TicketLock.from_dict(json.loads(stored)) if stored else None
            new_lock, result = change(lock)
            pipe.multi()
            if new_lock is None or not new_lock.tickets:
                pipe.delete(key)
            else:
                pipe.set(key, new_lock.dumps(), px=_milliseconds_left(new_lock))
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    # ---- Rasa's LockStore operations, each one transaction -----------------------------

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        logger.debug("lock.issue_ticket")
        try:
            return self._change(conversation_id, issue)
        except Exception as error:  # Rasa's contract: a LockError
            raise LockError(f"Error while acquiring lock: {type(error).__name__}") from error

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back; the key goes with the last ticket (in the same step)."""
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float | None = None,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock, polling every ``poll_interval_seconds`` for its turn."""
        wait = self.poll_interval_seconds if wait_time_in_seconds is None else wait_time_in_seconds
        async with super().lock(conversation_id, lock_lifetime, wait) as lock:
            yield lock


def _milliseconds_left(lock: TicketLock) -> int:
    """How long the key must live: until its last ticket expires (at least 1 ms)."""
    last_expiry = max(ticket.expires for ticket in lock.tickets)
    return max(1, math.ceil((last_expiry - time.time()) * 1000))
