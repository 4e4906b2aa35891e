"""The real stack (core banking, action server, Rasa server) on free localhost ports."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scripts import training
from scripts.dev import RASA, StackConfig, seed, services, warm_up
from scripts.stack import Stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def stack_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackConfig]:
    run_dir: Path = tmp_path_factory.mktemp("stack")
    config = StackConfig(
        core_port=free_port(),
        actions_port=free_port(),
        rasa_port=free_port(),
        core_database_url=f"sqlite:///{run_dir / 'core_mock.sqlite3'}",
        core_api_key="e2e-test-key",
        profile_store_url=f"sqlite:///{run_dir / 'profile_store.sqlite3'}",
        run_dir=run_dir,
    )
    model = training.ensure_trained(RASA)
    seed(config)
    stack = Stack(services(config, model), log_dir=run_dir / "log", echo=False)
    stack.start()
    try:
        warm_up(config)
        yield config
    finally:
        stack.stop()


@pytest.fixture
def core_api(stack_config: StackConfig) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=stack_config.core_url,
        headers={"X-API-Key": stack_config.core_api_key},
        timeout=10,
    ) as client:
        yield client
        client.put("/admin/faults", json={"latency_ms": 0, "error_rate": 0.0})


@pytest.fixture
def say(stack_config: StackConfig):
    """Send one message to the REST channel as `sender`; return the bot's replies."""

    def send(sender: str, message: str) -> list[dict]:
        response = httpx.post(
            f"{stack_config.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    return send
