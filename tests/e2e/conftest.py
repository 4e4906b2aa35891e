"""The real stack (core banking, action server, Rasa server) on free localhost ports."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connectors.web_demo import DemoLogin
from connectors.web_messages import customer_conversation_id
from scripts import channel_env, training
from scripts.dev import RASA, StackConfig, seed, services, warm_up
from scripts.stack import Stack


@pytest.fixture(scope="session")
def stack_config(running_stack: tuple[StackConfig, Stack]) -> StackConfig:
    return running_stack[0]


@pytest.fixture(scope="session")
def stack(running_stack: tuple[StackConfig, Stack]) -> Stack:
    """The running processes, for tests that restart one of them."""
    return running_stack[1]


@pytest.fixture(scope="session")
def running_stack(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[StackConfig, Stack]]:
    run_dir: Path = tmp_path_factory.mktemp("stack")
    config = StackConfig.isolated(run_dir, core_api_key="e2e-test-key")
    model = training.ensure_trained(RASA)
    seed(config)
    stack = Stack(services(config, model), log_dir=run_dir / "log", echo=False)
    stack.start()
    try:
        warm_up(config)
        yield config, stack
    finally:
        stack.stop()


@pytest.fixture
def rasa_api(stack_config: StackConfig) -> Iterator[httpx.Client]:
    """Rasa's HTTP API (trackers, events, /model/parse), with the stack's API token."""
    with httpx.Client(
        base_url=stack_config.rasa_url,
        params={"token": stack_config.rasa_api_token},
        timeout=60,
    ) as client:
        yield client


@pytest.fixture
def core_api(stack_config: StackConfig) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=stack_config.core_url,
        headers={"X-API-Key": stack_config.core_api_key},
        timeout=10,
    ) as client:
        yield client
        client.put("/admin/faults", json={"latency_ms": 0, "error_rate": 0.0})


def visitor_id_for(label: str) -> str:
    """A stable anonymous visitor id per test label (so a test can continue its chat)."""
    return f"visitor-{uuid.uuid5(uuid.NAMESPACE_URL, label)}"


@pytest.fixture(scope="session")
def demo_login(stack_config: StackConfig) -> DemoLogin:
    """Signs tokens the way the bank's login would (the stack's development key pair)."""
    return channel_env.demo_login(stack_config.run_dir)


@pytest.fixture
def conversation_id():
    """The Rasa conversation (sender) id the web channel uses for `who`."""

    def find(who: str) -> str:
        if who.startswith("CUST-"):
            return customer_conversation_id(who)
        return visitor_id_for(who)

    return find


@pytest.fixture
def say(stack_config: StackConfig, demo_login: DemoLogin):
    """Send one message over the web channel's HTTP API and return the bot's replies:
    as the signed-in customer when `who` is a customer id, else as an anonymous visitor."""

    def send(who: str, message: str) -> list[dict]:
        body: dict[str, str] = {"message": message}
        headers = {}
        if who.startswith("CUST-"):
            headers["Authorization"] = f"Bearer {demo_login.mint(who)}"
        else:
            body["visitor_id"] = visitor_id_for(who)
        response = httpx.post(
            f"{stack_config.web_url}/messages", json=body, headers=headers, timeout=30
        )
        response.raise_for_status()
        return response.json()["messages"]

    return send
