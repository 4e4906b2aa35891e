"""The voice channel's call state in Redis (our own redis-server): what one instance saves,
another loads; an answer is taken once; hang-ups and expiry forget the call."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from connectors.voice_state import BotAnswer, CallState, Step, call_state_store
from connectors.voice_state_redis import RedisCallStateStore
from tests.production.services import RedisServer

pytestmark = pytest.mark.production


@pytest.fixture(scope="module")
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture
async def two_instances(redis_url: str) -> AsyncIterator[tuple[RedisCallStateStore, ...]]:
    stores = (
        RedisCallStateStore.from_url(redis_url, 60),
        RedisCallStateStore.from_url(redis_url, 60),
    )
    yield stores
    for store in stores:
        await store.aclose()


async def test_a_call_saved_on_one_instance_is_loaded_on_another(two_instances):
    a, b = two_instances
    state = CallState("CA-move", step=Step.CODE, customer_id=None, code_attempts_left=2)
    state.options = [{"title": "Savings", "payload": "/select"}]
    await a.save(state)

    loaded = await b.load("CA-move")

    assert loaded == state and loaded.step is Step.CODE


async def test_an_answer_is_taken_once_whichever_instance_asks(two_instances):
    a, b = two_instances
    await a.save(CallState("CA-answer"))
    await a.save_answer("CA-answer", BotAnswer(3, "balance", [{"text": "You have $5"}]))

    assert await b.take_answer("CA-answer", 2) is None
    taken = await b.take_answer("CA-answer", 3)
    assert taken is not None and taken.messages == [{"text": "You have $5"}]
    assert await a.take_answer("CA-answer", 3) is None


async def test_a_hang_up_forgets_the_call_and_its_answers(two_instances):
    a, b = two_instances
    await a.save(CallState("CA-gone"))
    await a.save_answer("CA-gone", BotAnswer(1, "hi", []))
    await b.delete("CA-gone")
    assert await a.load("CA-gone") is None and await a.take_answer("CA-gone", 1) is None


async def test_state_expires_after_its_ttl(redis_url: str):
    store = RedisCallStateStore.from_url(redis_url, 60, key_prefix="ttl-test:")
    await store.save(CallState("CA-ttl"))
    ttl = await store._redis.ttl("ttl-test:call:CA-ttl")
    await store.aclose()
    assert 0 < ttl <= 60


def test_the_setting_picks_the_store(redis_url: str):
    assert isinstance(call_state_store(60, redis_url), RedisCallStateStore)
    assert not isinstance(call_state_store(60, ""), RedisCallStateStore)
