"""Start, watch and stop the processes that make up the assistant.

Each service runs in its own process group, its output streamed to the
console with a name prefix and to `var/log/<name>.log`. A service counts as up
only when its health URL answers; if any service dies, the whole stack stops.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]
    health_url: str
    env: Mapping[str, str] = field(default_factory=dict)
    # Extra check on the health response body (e.g. "Rasa has a model loaded").
    is_ready: Callable[[bytes], bool] = lambda body: True
    startup_timeout: float = 180.0


class StackError(RuntimeError):
    """A service failed to start or died."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError:
        return 0, b""
    return response.status_code, response.content


def rasa_model_loaded(body: bytes) -> bool:
    try:
        return bool(json.loads(body).get("model_file"))
    except ValueError:
        return False


class Stack:
    def __init__(self, services: list[Service], log_dir: Path, echo: bool = True) -> None:
        self.services = services
        self.log_dir = log_dir
        self.echo = echo
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start services in order, each one only after the previous is healthy."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            for service in self.services:
                self._launch(service)
                self._wait_healthy(service)
        except BaseException:
            self.stop()
            raise

    def _launch(self, service: Service) -> None:
        print(f"[stack] starting {service.name}", flush=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **service.env}
        process = subprocess.Popen(
            service.argv,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_own_group_and_die_with_parent,
        )
        self.processes[service.name] = process
        thread = threading.Thread(target=self._pump, args=(service.name, process), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _pump(self, name: str, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        with open(self.log_dir / f"{name}.log", "ab") as log:
            for line in iter(process.stdout.readline, b""):
                log.write(line)
                log.flush()
                if self.echo:
                    text = line.decode(errors="replace").rstrip()
                    print(f"{name:>12} | {text}", flush=True)

    def _wait_healthy(self, service: Service) -> None:
        started = time.monotonic()
        process = self.processes[service.name]
        while time.monotonic() - started < service.startup_timeout:
            if process.poll() is not None:
                raise StackError(
                    f"{service.name} exited with code {process.returncode} while starting; "
                    f"see {self.log_dir / (service.name + '.log')}"
                )
            status, body = http_get(service.health_url)
            if status == 200 and service.is_ready(body):
                elapsed = time.monotonic() - started
                print(f"[stack] {service.name} is healthy ({elapsed:.1f} s)", flush=True)
                return
            time.sleep(0.5)
        raise StackError(
            f"{service.name} was not healthy at {service.health_url} "
            f"after {service.startup_timeout:.0f} s"
        )

    def watch(self) -> None:
        """Block until a service dies (raises) or the user interrupts."""
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise StackError(
                        f"{name} stopped unexpectedly (exit code {process.returncode})"
                    )
            time.sleep(0.5)

    def restart(self, name: str, grace: float = 10.0) -> None:
        """Stop one service (SIGTERM, then SIGKILL after `grace`), start it again, wait until
        it is healthy: what an operator's restart or a crashed pod's replacement does."""
        service = next(s for s in self.services if s.name == name)
        self.stop_service(name, grace)
        self._launch(service)
        self._wait_healthy(service)

    def stop_service(self, name: str, grace: float = 10.0) -> None:
        """Stop one service (SIGTERM, then SIGKILL after `grace`); `restart` brings it back."""
        process = self.processes[name]
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()

    def stop(self, grace: float = 10.0) -> None:
        """Stop services in reverse order: SIGTERM to each group, SIGKILL after `grace`."""
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"[stack] {name} did not stop in {grace:.0f} s; killing it", file=sys.stderr)
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for thread in self._threads:
            thread.join(timeout=2)
        self.processes.clear()


def _own_group_and_die_with_parent() -> None:
    """Child set-up: own process group (so stop() reaches its children), and on
    Linux a SIGTERM if this supervisor dies without stopping it (no orphans)."""
    os.setsid()
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
