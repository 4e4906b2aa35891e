"""The production shape on free localhost ports: core banking, the action server, the agent
desk and **two** Rasa servers sharing one PostgreSQL tracker store, one Redis lock store
(also the Socket.IO and voice-state Redis) and the RabbitMQ event broker.

Everything the fault tests break is ours: fresh PostgreSQL databases for this session,
our own redis-server on a free port, and a TCP proxy in front of the machine's RabbitMQ
(cut to make the broker "down"). The machine's services are never stopped.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import jwt
import pytest

from connectors.web_messages import customer_conversation_id
from scripts import training
from scripts.channel_env import web_channel_env
from scripts.dev import RASA, StackConfig, seed, services, warm_up
from scripts.stack import Service, Stack, free_port
from tests.production.services import (
    BrokerQueue,
    RedisServer,
    TcpProxy,
    TrackerRows,
    port_open,
    unavailable,
)
from tests.support import temporary_postgres_database

POSTGRES_SERVER_URL = os.environ.get(
    "PRODUCTION_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
RABBITMQ = ("127.0.0.1", int(os.environ.get("PRODUCTION_TEST_RABBITMQ_PORT", "5672")))
RABBITMQ_URL = f"amqp://guest:guest@{RABBITMQ[0]}:{RABBITMQ[1]}/"


@dataclasses.dataclass
class ProductionStack:
    config: StackConfig
    stack: Stack
    instances: list[str]  # base URLs of the Rasa servers
    redis: RedisServer
    broker_proxy: TcpProxy
    broker: BrokerQueue
    tracker: TrackerRows
    database_urls: list[str]
    signing_key: str

    def token(self, customer_id: str) -> str:
        """A chat token as the bank's login mints it (the stack's development key pair)."""
        now = int(time.time())
        claims = {
            "sub": customer_id,
            "iat": now,
            "exp": now + 1800,
            "iss": "https://login.demo-bank.invalid",
            "aud": "bank-assistant",
        }
        return jwt.encode(claims, self.signing_key, algorithm="RS256")

    def say(
        self, instance: int, customer_id: str, text: str, timeout: float = 60
    ) -> httpx.Response:
        """One message over the authenticated web channel of Rasa instance ``instance``."""
        return httpx.post(
            f"{self.instances[instance]}/webhooks/bank_web/messages",
            json={"message": text},
            headers={"Authorization": f"Bearer {self.token(customer_id)}"},
            timeout=timeout,
        )

    def core_api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.config.core_url,
            headers={"X-API-Key": self.config.core_api_key},
            timeout=10,
        )


def second_rasa(first: Service, config: StackConfig, port: int) -> Service:
    """The same Rasa server on another port: another instance behind the load balancer."""
    old, new = str(config.rasa_port), str(port)
    argv = [new if arg == old else arg for arg in first.argv]
    health = first.health_url.replace(f":{old}/", f":{new}/")
    return dataclasses.replace(first, name="rasa-b", argv=argv, health_url=health)


@pytest.fixture(scope="session")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed")
    if not port_open(*RABBITMQ):
        unavailable(f"RabbitMQ is not listening on {RABBITMQ[0]}:{RABBITMQ[1]}")
    run_dir: Path = tmp_path_factory.mktemp("production")
    with ExitStack() as cleanup:
        urls = [
            cleanup.enter_context(temporary_postgres_database(POSTGRES_SERVER_URL, f"prod_{name}"))
            for name in ("core", "profiles", "handoff", "rasa")
        ]
        redis_server = RedisServer(free_port(), run_dir / "redis")
        redis_server.start()
        cleanup.callback(redis_server.kill)
        proxy = TcpProxy(free_port(), RABBITMQ)
        proxy.restore()
        cleanup.callback(proxy.cut)
        queue = f"bank_test_{uuid.uuid4().hex[:10]}"
        config = StackConfig.isolated(
            run_dir,
            core_database_url=urls[0],
            core_api_key="production-test-key",
            profile_store_url=urls[1],
            desk_database_url=urls[2],
            profile="production",
            tracker_store_url=urls[3],
            lock_store_url=redis_server.url,
            event_broker_url=f"amqp://guest:guest@127.0.0.1:{proxy.port}",
            event_broker_queue=queue,
        )
        broker = BrokerQueue(RABBITMQ_URL, queue)
        cleanup.callback(broker.delete, queue)  # the exchange is named after the queue
        seed(config)
        model = training.ensure_trained(RASA)
        parts = services(config, model)
        rasa_b_port = free_port()
        first = next(index for index, part in enumerate(parts) if part.name == "rasa")
        parts.insert(first + 1, second_rasa(parts[first], config, rasa_b_port))
        stack = Stack(parts, log_dir=run_dir / "log", echo=False)
        cleanup.callback(stack.stop)
        stack.start()
        warm_up(config)
        warm_up(dataclasses.replace(config, rasa_port=rasa_b_port))
        tracker = TrackerRows(urls[3])
        cleanup.callback(tracker.dispose)
        signing_key = Path(web_channel_env(run_dir, True)["BANK_DEMO_SIGNING_KEY_FILE"])
        yield ProductionStack(
            config=config,
            stack=stack,
            instances=[config.rasa_url, f"http://{config.host}:{rasa_b_port}"],
            redis=redis_server,
            broker_proxy=proxy,
            broker=broker,
            tracker=tracker,
            database_urls=urls,
            signing_key=signing_key.read_text(),
        )


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A throwaway redis-server of the module's own (the machine's Redis is never used)."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed")
    server = RedisServer(free_port(), Path(tmp_path_factory.mktemp("redis")))
    server.start()
    yield server
    server.kill()


def conversation_of(customer_id: str) -> str:
    return customer_conversation_id(customer_id)


def user_texts(events: list[dict]) -> list[str]:
    return [event.get("text") or "" for event in events if event["event"] == "user"]


def assert_each_message_answered_once_in_order(events: list[dict], sent: list[str]) -> None:
    """The tracker holds the messages in the order sent, each once, and every one is followed
    by the bot's answer before the next message (no interleaved turns)."""
    assert user_texts(events) == sent
    turns: list[list[str]] = []
    for event in events:
        if event["event"] == "user":
            turns.append([])
        elif event["event"] == "bot" and turns:
            turns[-1].append(event.get("text") or "")
    assert all(turns), f"a message without an answer: {turns}"
