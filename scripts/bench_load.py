"""Load benchmark: simulated customers through the authenticated web channel (a script,
not a test; `make bench-load OUT=var/bench_load.json`).

For each configuration it starts its own stack under var/bench/<configuration>/ (100
seeded customers), then runs the load shapes:

  capacity   N conversations, no pause between turns: the most turns/s sustained
  realistic  N conversations with a think time between turns (1 s by default)

plus one conversation alone (p50) and a soak of 64 conversations with think time (zero
errors and zero lost messages: every message sent is in the conversation's tracker).
Each simulated customer loops over conversations (balance, applications, contact change,
FAQ, handoff); each conversation is a new visit and starts a new Rasa session
(``/session_start``), as the bare bot's each get a new sender id.
The same shapes run, in the same invocation, against a bare Rasa bot (`rasa init`
defaults, its REST channel) as the baseline, and the capacity ratio ours / bare is
printed. Configurations: `default` (SQLite, in-memory lock store) and `production`
(STACK_PROFILE=production: PostgreSQL, Redis, RabbitMQ; only if that profile exists).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from privacy.redact import redact_message  # noqa: E402
from scripts import bench_stacks  # noqa: E402
from scripts.load_conversations import (  # noqa: E402
    BARE_RASA_TURNS,
    BankCustomer,
    BareRasaUser,
    Tally,
    code_in,
    pick_scenario,
)


@dataclass(frozen=True)
class Shape:
    name: str
    conversations: int
    think_s: float
    seconds: float


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(shape: Shape, tally: Tally, elapsed: float, lost: int | None) -> dict[str, Any]:
    latencies = tally.latencies_ms
    return {
        "shape": shape.name,
        "n": shape.conversations,
        "think_s": shape.think_s,
        "turns": len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "turns_per_s": round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        "errors": tally.errors,
        "lost_messages": lost,
    }


async def drive(shape: Shape, make_worker: Callable[[int, httpx.AsyncClient, Tally], Any]) -> tuple:
    """Run ``shape.conversations`` workers for ``shape.seconds``; each loops over conversations."""
    tally = Tally()
    deadline = time.monotonic() + shape.seconds
    limits = httpx.Limits(max_connections=shape.conversations + 8)
    async with httpx.AsyncClient(limits=limits) as client:

        async def worker(index: int) -> None:
            run_one = make_worker(index, client, tally)
            while time.monotonic() < deadline:
                await run_one(shape.think_s)

        started = time.monotonic()
        await asyncio.gather(*(worker(i) for i in range(shape.conversations)))
        elapsed = time.monotonic() - started
    return tally, elapsed


class DeskAgent:
    """One demo agent signed in to the agent desk, closing the benchmark's handoff tickets."""

    def __init__(self, stack: bench_stacks.RunningStack) -> None:
        self.stack = stack
        self.client: httpx.AsyncClient | None = None

    async def _signed_in(self) -> httpx.AsyncClient:
        if self.client is None:
            client = httpx.AsyncClient(
                base_url=self.stack.config.desk_url, timeout=30, headers={"X-Desk-Request": "1"}
            )
            signed_in = await client.post(
                "/desk/api/session",
                json={"agent_id": "ava", "password": self.stack.config.desk_demo_agent_password},
            )
            signed_in.raise_for_status()
            self.client = client
        return self.client

    async def close_ticket_of(self, conversation_id: str, tally: Tally) -> None:
        """Claim and close the conversation's open ticket; a failure counts as an error."""
        try:
            client = await self._signed_in()
            queue = (await client.get("/desk/api/queue")).json()["tickets"]
            for ticket in queue:
                if ticket["conversation_id"] == conversation_id and ticket["kind"] == "live":
                    await client.post(f"/desk/api/tickets/{ticket['id']}/claim")
                    closed = await client.post(
                        f"/desk/api/tickets/{ticket['id']}/close", json={"outcome": "resolved"}
                    )
                    if closed.status_code != 200:
                        tally.errors += 1
                    return
            tally.errors += 1  # the handoff left no ticket
        except (httpx.HTTPError, KeyError, ValueError):
            tally.errors += 1


def bank_worker(stack: bench_stacks.RunningStack, seed: int):  # noqa: ANN201
    desk = DeskAgent(stack)

    def make(index: int, client: httpx.AsyncClient, tally: Tally):  # noqa: ANN202
        rng = random.Random(seed * 1000 + index)  # noqa: S311 (a reproducible load mix)
        customer_id = f"CUST-{index + 1:04d}"
        customer = BankCustomer(
            client, stack.web_url, stack.token(customer_id), stack.conversation(customer_id), tally
        )

        async def think_then_say(think_s: float):  # noqa: ANN202
            async def say(text: str, expects_reply: bool) -> list[dict]:
                if think_s:
                    await asyncio.sleep(think_s)
                return await customer.say(text, expects_reply)

            return say

        async def latest_code() -> str | None:
            outbox = await client.get(
                f"{stack.core_url}/v1/outbox",
                params={"customer_id": customer_id, "limit": 1},
                headers={"X-API-Key": stack.core_api_key},
            )
            return code_in(outbox.json())

        async def resume() -> None:
            """An agent at the desk claims and closes the ticket, so the bot resumes (and
            the desk stops following the conversation), as after a real handoff."""
            await desk.close_ticket_of(customer.conversation_id, tally)

        async def one_conversation(think_s: float) -> None:
            scenario = pick_scenario(rng)
            await customer.start_session()
            say = await think_then_say(think_s)
            await scenario(say, latest_code=latest_code, resume=resume)

        return one_conversation

    return make


def bare_worker(rasa_url: str):  # noqa: ANN201
    def make(index: int, client: httpx.AsyncClient, tally: Tally):  # noqa: ANN202
        rng = random.Random(index)  # noqa: S311 (a reproducible load mix)

        async def one_conversation(think_s: float) -> None:
            user = BareRasaUser(client, rasa_url, tally)
            for text in rng.choice(BARE_RASA_TURNS):
                if think_s:
                    await asyncio.sleep(think_s)
                await user.say(text)

        return one_conversation

    return make


async def lost_messages(rasa_url: str, tally: Tally, token: str | None) -> int:
    """Messages sent that are missing from their conversation's tracker (compared as the
    tracker store keeps them: personal data masked by privacy/, as bot/privacy.yml says)."""
    lost = 0
    params = {"token": token} if token else {}
    async with httpx.AsyncClient(timeout=60, params=params) as client:
        for conversation, texts in tally.sent.items():
            tracker = (await client.get(f"{rasa_url}/conversations/{conversation}/tracker")).json()
            stored = [e.get("text") for e in tracker.get("events", []) if e.get("event") == "user"]
            remaining = list(stored)
            for sent_text in texts:
                text = redact_message(sent_text) if token else sent_text  # ours masks, bare not
                if text in remaining:
                    remaining.remove(text)
                else:
                    lost += 1
    return lost


def shapes(args: argparse.Namespace) -> list[Shape]:
    every = [
        Shape("single", 1, args.think, args.seconds),
        Shape("capacity", args.conversations, 0.0, args.seconds),
        Shape("realistic", args.conversations, args.think, args.seconds),
        Shape("soak", args.soak_conversations, args.think, args.seconds),
    ]
    return [shape for shape in every if shape.name in args.shapes.split(",")]


async def measure(  # noqa: ANN001
    name: str, url_for_lost: str, make_worker, args, token: str | None = None
) -> list[dict[str, Any]]:
    results = []
    for shape in shapes(args):
        tally, elapsed = await drive(shape, make_worker)
        lost = await lost_messages(url_for_lost, tally, token) if shape.name == "soak" else None
        row = {"configuration": name, **summary(shape, tally, elapsed, lost)}
        print(json.dumps(row), flush=True)
        results.append(row)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--configurations", default="default,production")
    parser.add_argument("--conversations", type=int, default=16)
    parser.add_argument("--soak-conversations", type=int, default=64)
    parser.add_argument("--think", type=float, default=1.0, help="think time in seconds")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each shape")
    parser.add_argument("--shapes", default="single,capacity,realistic,soak")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare Rasa bot")
    args = parser.parse_args()

    rows: list[dict[str, Any]] = []
    memory: dict[str, dict[str, float]] = {}
    if not args.no_baseline:
        with bench_stacks.bare_rasa() as bare:
            worker = bare_worker(bare.rasa_url)
            rows += asyncio.run(measure("bare_rasa", bare.rasa_url, worker, args))
            memory["bare_rasa"] = bare.peak_rss_mb()
    for name in args.configurations.split(","):
        if not bench_stacks.available(name):
            print(f"[bench] configuration {name!r} is not available here; skipped", flush=True)
            continue
        with bench_stacks.our_stack(name) as stack:
            worker = bank_worker(stack, seed=7)
            token = stack.config.rasa_api_token
            rows += asyncio.run(measure(name, stack.rasa_url, worker, args, token))
            memory[name] = stack.peak_rss_mb()

    baseline = next(
        (
            r["turns_per_s"]
            for r in rows
            if r["configuration"] == "bare_rasa" and r["shape"] == "capacity"
        ),
        None,
    )
    for row in rows:
        if row["shape"] == "capacity":
            row["baseline_turns_per_s"] = baseline
            row["capacity_ratio"] = round(row["turns_per_s"] / baseline, 3) if baseline else None
    report = {"rows": rows, "peak_rss_mb": memory, "args": vars(args) | {"out": str(args.out)}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print_table(rows, memory)
    return 0


def print_table(rows: list[dict[str, Any]], memory: dict[str, dict[str, float]]) -> None:
    header = (
        f"{'configuration':<14}{'shape':<10}{'n':>4}{'think':>6}{'p50':>8}{'p95':>8}{'p99':>8}"
        f"{'turns/s':>9}{'errors':>7}{'lost':>6}{'ratio':>7}"
    )
    print("\n" + header)
    for r in rows:
        ratio = r.get("capacity_ratio")
        lost = r.get("lost_messages")
        print(
            f"{r['configuration']:<14}{r['shape']:<10}{r['n']:>4}{r['think_s']:>6}"
            f"{r['p50_ms']:>8}{r['p95_ms']:>8}{r['p99_ms']:>8}{r['turns_per_s']:>9}{r['errors']:>7}"
            f"{'' if lost is None else lost:>6}{'' if ratio is None else ratio:>7}"
        )
    for name, processes in memory.items():
        print(f"peak RSS (MB) {name}: " + ", ".join(f"{k} {v:.0f}" for k, v in processes.items()))


if __name__ == "__main__":
    sys.exit(main())
