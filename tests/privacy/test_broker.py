"""What Rasa's pika event broker publishes through MaskingTrackerStore, read back from the
real RabbitMQ at 127.0.0.1:5672."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa.core.brokers.pika import PikaEventBroker
from rasa.utils.endpoints import EndpointConfig

from tests.privacy.broker import RABBITMQ_URL, drain, rabbitmq_reachable
from tests.privacy.test_tracker_store import (  # noqa: F401
    EMAIL,
    domain,
    in_form_with_email,
    masking_store,
)


@pytest.fixture
def queue_name() -> str:
    if not rabbitmq_reachable():
        pytest.skip(f"RabbitMQ is not reachable at {RABBITMQ_URL}")
    return f"privacy-unit-{uuid.uuid4().hex[:12]}"


async def test_published_events_are_masked(domain, tmp_path, queue_name):  # noqa: F811
    config = EndpointConfig.from_dict(
        {
            "type": "pika",
            "url": "127.0.0.1",
            "username": "guest",
            "password": "guest",
            "queues": [queue_name],
            "exchange_name": f"{queue_name}-exchange",
        }
    )
    broker = await PikaEventBroker.from_endpoint_config(config)
    try:
        store = masking_store(domain, tmp_path / "tracker.sqlite3", event_broker=broker)
        tracker = in_form_with_email(domain)
        await store.save(tracker)
        for _ in range(50):  # publishing is scheduled on the loop
            await asyncio.sleep(0.1)
            if not broker._unpublished_events and not broker._background_tasks:
                break
    finally:
        await broker.close()

    messages = await asyncio.to_thread(drain, queue_name, True)
    assert len(messages) == len(tracker.events)
    published = "\n".join(str(message) for message in messages)
    assert EMAIL not in published
    assert "[email]" in published and "[slot]" in published
    slots = {m["name"]: m["value"] for m in messages if m["event"] == "slot"}
    assert slots["contact_email"] == "[slot]" and slots["requested_slot"] == "contact_email"
