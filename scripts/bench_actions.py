"""Latency of the custom actions against the real core_mock app, over HTTP.

    python scripts/bench_actions.py --out var/bench_actions.json [-n 200]

Starts core_mock in uvicorn on a free loopback port over a freshly seeded SQLite
database, then runs each action ``-n`` times for the demo customers with real
rasa-sdk trackers, the real HTTP client and a profile store in a temporary SQLite
file (consent on, so the offer engine does its full work). Prints and writes p50 /
p95 / max per action in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS = ("CUST-0001", "CUST-0002", "CUST-0003", "CUST-0004")
API_KEY = "bench-key"


def start_core_mock(database_url: str) -> tuple[str, Callable[[], None]]:
    import uvicorn

    from core_mock.app import create_app
    from core_mock.db import create_engine
    from core_mock.seed import SeedOptions, seed_database
    from core_mock.settings import load_settings

    engine = create_engine(database_url)
    seed_database(engine, SeedOptions(customers=8, months=6, seed=42, as_of=date.today()))
    engine.dispose()
    app = create_app(load_settings(database_url=database_url, api_key=API_KEY))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)

    return f"http://127.0.0.1:{sock.getsockname()[1]}", stop


def tracker(customer_id: str, intent: str, entities: dict[str, str] | None = None) -> Any:
    from rasa_sdk import Tracker

    entity_list = [{"entity": k, "value": v} for k, v in (entities or {}).items()]
    return Tracker(
        sender_id=customer_id,
        slots={"sentiment": "neutral", "negative_turns": 0.0, **(entities or {})},
        latest_message={"text": "…", "intent": {"name": intent}, "entities": entity_list},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def measure(core_url: str, store_url: str, n: int) -> dict[str, dict[str, float]]:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.applications import ActionTrackApplication
    from actions.balance import ActionCheckBalance
    from actions.clients.core_banking import CoreBankingClient
    from actions.offers.actions import ActionSuggestOffer
    from actions.settings import Settings
    from actions.stores.profile_store import ProfileStore

    settings = Settings(core_banking_url=core_url, core_banking_api_key=API_KEY)
    store = ProfileStore(store_url)
    for customer in CUSTOMERS:
        await store.set_consent(customer, personalised_offers=True)
    cases = {
        "action_check_balance": (ActionCheckBalance, "check_balance", None),
        "action_track_application": (ActionTrackApplication, "track_application", None),
        "action_suggest_offer": (ActionSuggestOffer, "check_balance", None),
    }
    results = {}
    async with CoreBankingClient.from_settings(settings) as client:
        for name, (action_class, intent, entities) in cases.items():
            kwargs = {"store": store} if action_class is not ActionTrackApplication else {}
            action = action_class(client=client, settings=settings, **kwargs)
            timings = []
            for i in range(n):
                customer = CUSTOMERS[i % len(CUSTOMERS)]
                started = time.perf_counter()
                await action.run(CollectingDispatcher(), tracker(customer, intent, entities), {})
                timings.append((time.perf_counter() - started) * 1000)
            timings = timings[5:]  # connection set-up and first queries
            results[name] = {
                "n": len(timings),
                "p50_ms": round(percentile(timings, 50), 2),
                "p95_ms": round(percentile(timings, 95), 2),
                "max_ms": round(max(timings), 2),
            }
    store.close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("-n", type=int, default=200, help="runs per action")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory(prefix="bench_actions_") as tmp:
        core_url, stop = start_core_mock(f"sqlite:///{tmp}/core.sqlite3")
        try:
            results = asyncio.run(measure(core_url, f"sqlite:///{tmp}/profiles.sqlite3", args.n))
        finally:
            stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cpu_count": os.cpu_count(), **results}, indent=2) + "\n")
    print(f"{'action':<28} {'n':>5} {'p50':>8} {'p95':>8} {'max':>8}  (ms)")
    for name, row in results.items():
        print(
            f"{name:<28} {row['n']:>5} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['max_ms']:>8.1f}"
        )
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
