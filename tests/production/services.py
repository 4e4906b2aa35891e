"""Throwaway stand-ins the fault tests may break without touching the machine's services:
our own redis-server on a free port, a TCP proxy in front of RabbitMQ that can be cut, the
broker's queue read back, and the tracker store's rows read straight from PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import aio_pika
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def unavailable(reason: str) -> None:
    """Skip, or fail when REQUIRE_PRODUCTION_SERVICES=1 (as in CI)."""
    if os.environ.get("REQUIRE_PRODUCTION_SERVICES") == "1":
        pytest.fail(f"production services required but unavailable: {reason}")
    pytest.skip(f"production services unavailable: {reason}")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


class RedisServer:
    """Our own redis-server (no persistence), killed and restarted by the fault tests."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.workdir)]  # fmt: skip
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        """What a crash does: no shutdown, every key gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class TcpProxy:
    """Forwards a local port to ``target``; ``cut()`` closes the listener and every live
    connection (the broker is "down"), ``restore()`` listens again on the same port."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port = port
        self.target = target
        self._listening = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def restore(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.settimeout(0.2)
        self._listening.set()
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def cut(self) -> None:
        self._listening.clear()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while self._listening.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                except OSError:
                    client.close()
                    continue
                upstream.settimeout(None)
                with self._lock:
                    self._sockets.update((client, upstream))
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class BrokerQueue:
    """The queue Rasa's pika broker publishes to, read (and finally deleted) by the tests."""

    def __init__(self, amqp_url: str, name: str) -> None:
        self.amqp_url = amqp_url
        self.name = name
        self.events: list[dict[str, Any]] = []

    def drain(self) -> list[dict[str, Any]]:
        """Every event received so far (consumed from the queue, kept here)."""
        asyncio.run(self._drain())
        return self.events

    def events_of(self, sender_id: str) -> list[dict[str, Any]]:
        return [event for event in self.drain() if event.get("sender_id") == sender_id]

    async def _drain(self) -> None:
        connection = await aio_pika.connect(self.amqp_url, timeout=10)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.name, durable=True)
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                self.events.append(json.loads(message.body))

    def delete(self, exchange: str) -> None:
        async def delete() -> None:
            connection = await aio_pika.connect(self.amqp_url, timeout=10)
            async with connection:
                channel = await connection.channel()
                await channel.queue_delete(self.name)
                await channel.exchange_delete(exchange)

        asyncio.run(delete())


class TrackerRows:
    """Rasa's SQL tracker store table, read directly from PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, future=True, pool_pre_ping=True)

    def events(self, sender_id: str) -> list[dict[str, Any]]:
        query = text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id")
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"sender": sender_id}).scalars().all()
        return [json.loads(row) for row in rows]

    def dispose(self) -> None:
        self.engine.dispose()


def terminate_connections(server_url: str, database_urls: list[str]) -> int:
    """What a PostgreSQL restart does to clients: every connection to these databases is
    dropped (only our throwaway databases; the server keeps running)."""
    names = [make_url(url).database for url in database_urls]
    engine = create_engine(server_url, future=True)
    query = text(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = ANY(:names) AND pid <> pg_backend_pid()"
    )
    try:
        with engine.connect() as connection:
            return int(connection.execute(query, {"names": names}).scalar_one())
    finally:
        engine.dispose()
