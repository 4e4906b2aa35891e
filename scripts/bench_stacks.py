"""The systems the load benchmark drives: our stack (per configuration) and a bare Rasa bot.

Each runs in its own folder under var/bench/ on free loopback ports and is stopped when
the benchmark is done with it. Peak memory is each process tree's summed VmHWM
(Linux /proc), an upper bound of what the service needed at its peak.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.web_demo import DemoLogin
from connectors.web_messages import customer_conversation_id
from scripts import channel_env, production, training
from scripts.dev import RASA, ROOT, StackConfig, services, warm_up
from scripts.production import LOCAL_POSTGRES
from scripts.stack import Service, Stack, free_port, rasa_model_loaded

BENCH = ROOT / "var" / "bench"
CUSTOMERS = 100


def peak_rss_mb(pid: int) -> float:
    """Summed peak RSS (VmHWM) of a process and its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total_kb, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


@dataclass
class RunningStack:
    config: StackConfig
    stack: Stack
    login: DemoLogin

    @property
    def rasa_url(self) -> str:
        return self.config.rasa_url

    @property
    def web_url(self) -> str:
        return self.config.web_url

    @property
    def core_url(self) -> str:
        return self.config.core_url

    @property
    def core_api_key(self) -> str:
        return self.config.core_api_key

    def token(self, customer_id: str) -> str:
        """A one-hour token for any seeded customer, signed as the bank's login would."""
        return self.login.sign(customer_id, 3600)

    @staticmethod
    def conversation(customer_id: str) -> str:
        return customer_conversation_id(customer_id)

    def peak_rss_mb(self) -> dict[str, float]:
        return {name: peak_rss_mb(p.pid) for name, p in self.stack.processes.items()}


def available(name: str) -> bool:
    return name in ("default", "production")


def drop_databases(urls: list[str]) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    for url in urls:
        parsed = make_url(url)
        if not (parsed.database or "").startswith("bank_bench_"):
            raise ValueError(f"refusing to drop {parsed.database!r}: not a bench database")
        server = create_engine(parsed.set(database="postgres"), future=True)
        try:
            with server.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                quoted = server.dialect.identifier_preparer.quote(parsed.database)
                connection.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        finally:
            server.dispose()


# The load generator is one client address driving many customers as fast as it can: the
# abuse limits would measure themselves, so the benchmark switches them off.
LIMITS_OFF = {
    "BANK_WEB_RATE_LIMIT_CUSTOMER": "off",
    "BANK_WEB_RATE_LIMIT_IP": "off",
    "BANK_WEB_RATE_LIMIT_CONNECT_IP": "off",
    "CORE_MOCK_RATE_LIMIT_KEY": "off",
    "CORE_MOCK_RATE_LIMIT_IP": "off",
    "DESK_RATE_LIMIT_SERVICE": "off",
}


class EventConsumer:
    """What reads Rasa's event queue in a deployment (analytics, audit), standing in for it
    during the benchmark: the queue is emptied first, drained while the stack runs and
    deleted afterwards, so RabbitMQ never piles up the events of earlier runs."""

    def __init__(self, amqp_url: str, queue: str) -> None:
        self.amqp_url, self.queue = amqp_url, queue
        self.consumed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(30)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    async def _run(self) -> None:
        import aio_pika

        connection = await aio_pika.connect(self.amqp_url, timeout=10)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.queue, durable=True)
            await queue.purge()

            async def count(message: Any) -> None:
                self.consumed += 1

            await queue.consume(count, no_ack=True)
            self._ready.set()
            await asyncio.to_thread(self._stop.wait)
            await channel.queue_delete(self.queue)
            await channel.exchange_delete(self.queue)  # Rasa's exchange has the queue's name


@contextmanager
def our_stack(name: str) -> Iterator[RunningStack]:
    run_dir = BENCH / name
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    profile = "production" if name == "production" else "development"
    base = production.profile_defaults(profile, StackConfig.isolated(run_dir))
    overrides: dict[str, Any] = {"core_api_key": "bench-core-key"}
    if name == "production":  # its own databases, Redis db and queue: `make run`'s stay untouched
        overrides |= {
            "core_database_url": f"{LOCAL_POSTGRES}/bank_bench_core",
            "profile_store_url": f"{LOCAL_POSTGRES}/bank_bench_profiles",
            "desk_database_url": f"{LOCAL_POSTGRES}/bank_bench_handoff",
            "tracker_store_url": f"{LOCAL_POSTGRES}/bank_bench_rasa",
            "lock_store_url": "redis://127.0.0.1:6379/3",
            "event_broker_queue": "bank_bench_events",
        }
    config = dataclasses.replace(base, **overrides)
    if name == "production":
        drop_databases(production.database_urls(config))  # every run starts from nothing
        production.create_databases(production.database_urls(config))
    subprocess.run(
        [sys.executable, "-m", "core_mock.seed", "--customers", str(CUSTOMERS), "--reset",
         "--database-url", config.core_database_url],
        cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    model = training.ensure_trained(RASA)
    os.environ.update(LIMITS_OFF)  # the stack's processes inherit the environment
    consumer = None
    if name == "production":
        consumer = EventConsumer(config.event_broker_url, config.event_broker_queue)
        consumer.start()
    stack = Stack(services(config, model), log_dir=run_dir / "log", echo=False)
    stack.start()
    try:
        warm_up(config)
        login = channel_env.demo_login(run_dir)
        yield RunningStack(config, stack, login)
    finally:
        stack.stop()
        if consumer is not None:
            consumer.stop()
            print(f"[bench] {consumer.consumed} events read from RabbitMQ", flush=True)


@dataclass
class BareRasa:
    rasa_url: str
    stack: Stack

    def peak_rss_mb(self) -> dict[str, float]:
        return {name: peak_rss_mb(p.pid) for name, p in self.stack.processes.items()}


@contextmanager
def bare_rasa() -> Iterator[BareRasa]:
    """`rasa init` defaults (trained once, then reused from var/bench/bare-rasa)."""
    project = BENCH / "bare-rasa"
    if not list((project / "models").glob("*.tar.gz")):
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir(parents=True)
        print("[bench] rasa init (trains the bare bot once; a few minutes)", flush=True)
        subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(project)], check=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    service = Service(
        name="bare-rasa",
        argv=[RASA, "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port),
              "--model", str(project / "models"),
              "--credentials", str(project / "credentials.yml")],
        health_url=f"{url}/status",
        is_ready=rasa_model_loaded,
        startup_timeout=300.0,
    )  # fmt: skip
    stack = Stack([service], log_dir=project / "log", echo=False)
    stack.start()
    try:
        yield BareRasa(url, stack)
    finally:
        stack.stop()
