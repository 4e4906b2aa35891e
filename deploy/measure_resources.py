"""Measure memory (RSS) and CPU of each process of the stack, to size Kubernetes requests/limits.

    PYTHONPATH=. python deploy/measure_resources.py [--conversations 40] [--workers 4]

Starts the real stack (core banking, action server, Rasa, agent desk) on free localhost ports
with its data in a temporary folder, as tests/e2e does; samples each process tree's RSS
(/proc, every 0.2 s) at idle after start-up and while customers chat over the web channel
(balances, applications, a contact change started, a handoff), then prints a table:
idle RSS, peak RSS, CPU seconds used during the load and the busiest one-second CPU share.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from connectors.web_demo import DemoLogin  # noqa: E402
from scripts import training  # noqa: E402
from scripts.channel_env import demo_login  # noqa: E402
from scripts.dev import RASA, StackConfig, seed, services, warm_up  # noqa: E402
from scripts.stack import Stack  # noqa: E402

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
TICKS = os.sysconf("SC_CLK_TCK")
CUSTOMERS = ("CUST-0001", "CUST-0002", "CUST-0003", "CUST-0004")
SCRIPT = (
    "hi",
    "what's my balance",
    "any news on my loan application?",
    "how much is in my savings",
    "what are your opening hours",
    "I want to change my email",
    "cancel",
    "I want to talk to a person",
)


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants, from /proc/<pid>/stat's parent ids."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_mib(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        try:
            total_kb += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
        except OSError:
            continue
    return total_kb / 1024


def cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / TICKS


@dataclass
class Usage:
    idle_rss: float = 0.0
    peak_rss: float = 0.0
    cpu_start: float = 0.0
    cpu_end: float = 0.0
    peak_cpu_share: float = 0.0
    samples: list[tuple[float, float]] = field(default_factory=list)  # (time, cpu seconds)


class Sampler:
    """Samples RSS and CPU of each service's process tree in a background thread."""

    def __init__(self, roots: dict[str, int], interval: float = 0.2) -> None:
        self.roots = roots
        self.interval = interval
        self.usage = {name: Usage() for name in roots}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def snapshot_idle(self) -> None:
        for name, root in self.roots.items():
            pids = process_tree(root)
            usage = self.usage[name]
            usage.idle_rss = rss_mib(pids)
            usage.cpu_start = cpu_seconds(pids)

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            for name, root in self.roots.items():
                pids = process_tree(root)
                usage = self.usage[name]
                usage.peak_rss = max(usage.peak_rss, rss_mib(pids))
                usage.samples.append((now, cpu_seconds(pids)))
            self._stop.wait(self.interval)

    @contextmanager
    def running(self) -> Iterator[None]:
        self._thread.start()
        try:
            yield
        finally:
            self._stop.set()
            self._thread.join()
            for usage in self.usage.values():
                usage.cpu_end = usage.samples[-1][1]
                usage.peak_cpu_share = busiest_second(usage.samples)


def busiest_second(samples: list[tuple[float, float]]) -> float:
    """The highest CPU share (1.0 = one core) over any window of about one second."""
    best, start = 0.0, 0
    for end in range(len(samples)):
        while samples[end][0] - samples[start][0] > 1.0:
            start += 1
        elapsed = samples[end][0] - samples[start][0]
        if elapsed >= 0.8:
            best = max(best, (samples[end][1] - samples[start][1]) / elapsed)
    return best


def conversation(web_url: str, login: DemoLogin) -> Callable[[int], int]:
    def talk(number: int) -> int:
        customer = CUSTOMERS[number % len(CUSTOMERS)]
        headers = {"Authorization": f"Bearer {login.mint(customer)}"}
        sent = 0
        with httpx.Client(timeout=60) as client:
            for text in SCRIPT:
                # Anonymous visitors too: every other conversation is a new visitor.
                if number % 2:
                    body = {"visitor_id": f"visitor-{uuid.uuid4()}", "message": text}
                    response = client.post(f"{web_url}/messages", json=body)
                else:
                    body = {"message": text}
                    response = client.post(f"{web_url}/messages", json=body, headers=headers)
                response.raise_for_status()
                sent += 1
        return sent

    return talk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4, help="conversations at once")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="measure-stack-") as tmp:
        run_dir = Path(tmp)
        config = StackConfig.isolated(run_dir)
        model = training.ensure_trained(RASA)
        seed(config)
        stack = Stack(services(config, model), log_dir=run_dir / "log", echo=False)
        stack.start()
        try:
            warm_up(config)
            time.sleep(5)
            roots = {name: process.pid for name, process in stack.processes.items()}
            sampler = Sampler(roots)
            sampler.snapshot_idle()
            login = demo_login(run_dir)
            started = time.monotonic()
            with sampler.running(), ThreadPoolExecutor(args.workers) as pool:
                sent = sum(pool.map(conversation(config.web_url, login), range(args.conversations)))
            elapsed = time.monotonic() - started
        finally:
            stack.stop()

    print(
        f"{sent} messages in {args.conversations} conversations, {args.workers} at once, "
        f"{elapsed:.1f} s ({sent / elapsed:.1f} messages/s); {os.cpu_count()} cores"
    )
    print(f"{'service':<14}{'idle RSS MiB':>14}{'peak RSS MiB':>14}{'CPU s':>8}{'peak CPU':>10}")
    for name, usage in sampler.usage.items():
        print(
            f"{name:<14}{usage.idle_rss:>14.0f}{usage.peak_rss:>14.0f}"
            f"{usage.cpu_end - usage.cpu_start:>8.1f}{usage.peak_cpu_share:>10.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
