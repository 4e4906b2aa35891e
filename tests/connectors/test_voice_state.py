"""The in-memory call store: copies in and out, expiry, answers taken once."""

from __future__ import annotations

from connectors.voice_state import BotAnswer, CallState, InMemoryCallStateStore, Step
from connectors.voice_verification import customer_id_from_keys


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_state_round_trips_as_a_copy() -> None:
    store = InMemoryCallStateStore(60)
    state = CallState("CA1", step=Step.CODE, options=[{"title": "A", "payload": "/a"}])
    await store.save(state)
    state.options.append({"title": "B", "payload": "/b"})

    loaded = await store.load("CA1")

    assert loaded is not None and loaded.step is Step.CODE
    assert loaded.options == [{"title": "A", "payload": "/a"}]


async def test_state_expires_after_its_ttl() -> None:
    clock = Clock()
    store = InMemoryCallStateStore(60, clock=clock)
    await store.save(CallState("CA1"))

    clock.now += 59
    assert await store.load("CA1") is not None
    clock.now += 1
    assert await store.load("CA1") is None and len(store) == 0


async def test_an_answer_is_taken_once_and_only_for_its_turn() -> None:
    store = InMemoryCallStateStore(60)
    await store.save_answer("CA1", BotAnswer(2, "hi", [{"text": "Hello"}]))

    assert await store.take_answer("CA1", 1) is None
    assert (await store.take_answer("CA1", 2)).messages == [{"text": "Hello"}]
    assert await store.take_answer("CA1", 2) is None


async def test_delete_forgets_the_call_and_its_answers_only() -> None:
    store = InMemoryCallStateStore(60)
    for sid in ("CA1", "CA2"):
        await store.save(CallState(sid))
        await store.save_answer(sid, BotAnswer(1, "hi", []))

    await store.delete("CA1")

    assert await store.load("CA1") is None and await store.take_answer("CA1", 1) is None
    assert await store.load("CA2") is not None and len(store) == 2


def test_customer_numbers_from_the_keypad() -> None:
    assert customer_id_from_keys("0001") == "CUST-0001"
    assert customer_id_from_keys("1#") == "CUST-0001"
    assert customer_id_from_keys("12345") == "CUST-12345"
    assert customer_id_from_keys("0") is None
    assert customer_id_from_keys("123456789") is None
    assert customer_id_from_keys("12a") is None
