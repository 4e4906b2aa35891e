"""A stack of its own for the personal-data scans: Rasa and the action server log at
DEBUG (where Rasa quotes message text), and Rasa publishes every event to a fresh queue
on the local RabbitMQ through its pika event broker."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from scripts import training
from scripts.dev import RASA, StackConfig, seed, services, warm_up
from scripts.stack import Stack
from tests.e2e.conftest import (  # noqa: F401 - the e2e helpers, on this stack
    conversation_id,
    core_api,
    demo_login,
    say,
    stack_config,
)
from tests.privacy.broker import RABBITMQ_URL, rabbitmq_reachable

DEBUG_SERVICES = {"rasa", "actions"}


def with_event_broker(endpoints_file: Path, queue: str) -> None:
    endpoints = yaml.safe_load(endpoints_file.read_text())
    endpoints["event_broker"] = {
        "type": "pika",
        "url": "127.0.0.1",
        "port": 5672,
        "username": "guest",
        "password": "guest",
        "queues": [queue],
        "exchange_name": f"{queue}-exchange",
    }
    endpoints_file.write_text(yaml.safe_dump(endpoints, sort_keys=False))


@pytest.fixture(scope="session")
def broker_queue() -> str:
    if not rabbitmq_reachable():
        pytest.skip(f"RabbitMQ is not reachable at {RABBITMQ_URL}")
    return f"privacy-scan-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def running_stack(
    tmp_path_factory: pytest.TempPathFactory, broker_queue: str
) -> Iterator[tuple[StackConfig, Stack]]:
    run_dir: Path = tmp_path_factory.mktemp("privacy-stack")
    config = StackConfig.isolated(run_dir, core_api_key="privacy-test-key")
    model = training.ensure_trained(RASA)
    seed(config)
    planned = [
        dataclasses.replace(s, env={**s.env, "LOG_LEVEL": "DEBUG"})
        if s.name in DEBUG_SERVICES
        else s
        for s in services(config, model)
    ]
    with_event_broker(run_dir / "endpoints.yml", broker_queue)
    stack = Stack(planned, log_dir=run_dir / "log", echo=False)
    stack.start()
    try:
        warm_up(config)
        yield config, stack
    finally:
        stack.stop()
