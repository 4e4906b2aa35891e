"""The lock store several Rasa servers share (bot/redis_lock_store.py), on a real redis-server.

Each "server" here is a thread with its own store and its own Redis connections, so their
commands interleave at Redis as two Rasa processes' do."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import redis
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.redis_lock_store import AtomicRedisLockStore
from tests.production.services import RedisServer

pytestmark = pytest.mark.production

SERVERS = 4


@pytest.fixture(scope="module")
def redis_port(redis_server: RedisServer) -> int:
    return redis_server.port


def store(port: int, **settings: object) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=port, db=0, key_prefix="test", **settings)


def on_servers(work) -> list:
    """Run ``work(server_index)`` on SERVERS threads at once; their results in order."""
    results: list = [None] * SERVERS
    errors: list[BaseException] = []
    start = threading.Barrier(SERVERS)

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = work(index)
        except BaseException as error:  # surfaced in the test thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(SERVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_tickets_issued_at_once_by_several_servers_are_all_different(redis_port: int):
    conversation = "tickets-at-once"

    def issue(_: int) -> list[int]:
        mine = store(redis_port)
        return [mine.issue_ticket(conversation, lock_lifetime=60) for _ in range(100)]

    issued = [number for numbers in on_servers(issue) for number in numbers]
    assert len(issued) == len(set(issued)) == SERVERS * 100
    lock = store(redis_port).get_lock(conversation)
    assert lock is not None and len(lock.tickets) == SERVERS * 100
    store(redis_port).delete_lock(conversation)


def test_one_message_at_a_time_per_conversation_across_servers(redis_port: int):
    """Inside the lock, a Redis counter of holders must never exceed one."""
    conversation = "one-at-a-time"
    counter = redis.Redis(port=redis_port)
    counter.delete("holders")
    most_at_once: list[int] = []

    def serve(_: int) -> int:
        mine = store(redis_port, poll_interval_seconds=0.005)
        served = 0

        async def messages() -> None:
            nonlocal served
            for _ in range(15):
                async with mine.lock(conversation):
                    most_at_once.append(int(counter.incr("holders")))
                    await asyncio.sleep(0.002)
                    counter.decr("holders")
                    served += 1

        asyncio.run(messages())
        return served

    assert on_servers(serve) == [15] * SERVERS
    assert max(most_at_once) == 1
    assert store(redis_port).get_lock(conversation) is None  # the last one out removed it


def test_a_lock_left_by_a_crashed_server_expires_with_its_ticket(redis_port: int):
    mine = store(redis_port)
    mine.issue_ticket("crashed", lock_lifetime=0.3)  # and never cleaned up
    key = mine.key_prefix + "crashed"
    assert 0 < mine.red.pttl(key) <= 300
    time.sleep(0.5)
    assert mine.red.exists(key) == 0

    async def next_message() -> bool:
        async with mine.lock("crashed"):
            return True

    assert asyncio.run(next_message())


def test_rasa_builds_it_from_endpoints_yml(redis_port: int):
    config = EndpointConfig(
        url="127.0.0.1",
        type="bot.redis_lock_store.AtomicRedisLockStore",
        port=str(redis_port),
        db="0",
        key_prefix="bank",
        poll_interval_seconds="0.02",
    )
    built = LockStore.create(config)
    assert isinstance(built, AtomicRedisLockStore)
    assert built.poll_interval_seconds == 0.02
    assert built.key_prefix.startswith("bank:")
    assert built.red.ping()
