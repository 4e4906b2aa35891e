"""Parse latency of the trained model, one message at a time, as the server parses.

    python scripts/bench_parse.py --out result.json [--model models/x.tar.gz] [-n 500]

Loads the model with ``Agent.load`` and times ``agent.parse_message`` (the code path
behind the server's /model/parse) on ``-n`` distinct messages: the bot's own NLU
examples, shuffled with a fixed seed, plus a few hard cases (a 5,000-character
message, emoji only, mixed languages). Every text is parsed once, so no cache helps.
A warm-up of 20 other messages runs first. Prints and writes p50 / p95 / p99 / mean /
max in milliseconds, overall and by message length.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "models" / "bank-assistant.tar.gz"
WARM_UP = 20
HARD_CASES = [
    "hola necesito my balance please, gracias",
    "😡😡😡",
    "?",
    "my card was declined at the supermarket " * 120,
]
LENGTH_BUCKETS = ((0, 5, "1-5 words"), (6, 15, "6-15 words"), (16, 10**6, "16+ words"))


def example_texts() -> list[str]:
    """Distinct texts of the bot's NLU examples (entity annotations removed)."""
    from rasa.shared.nlu.training_data.loading import load_data

    texts: set[str] = set()
    for path in sorted((ROOT / "nlu_data").glob("*.yml")):
        texts.update(m.get("text") for m in load_data(str(path)).intent_examples if m.get("text"))
    return sorted(texts)


def summary(latencies: list[float]) -> dict[str, float]:
    import numpy as np

    values = np.array(latencies)
    return {
        "n": len(latencies),
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "p99_ms": round(float(np.percentile(values, 99)), 2),
        "mean_ms": round(float(values.mean()), 2),
        "max_ms": round(float(values.max()), 2),
    }


async def time_parses(model: Path, texts: list[str]) -> list[float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    for text in texts[:WARM_UP]:
        await agent.parse_message(text)
    latencies = []
    for text in texts[WARM_UP:]:
        started = time.perf_counter()
        await agent.parse_message(text)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("-n", type=int, default=500, help="messages to time")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.path.insert(0, str(ROOT))
    if not args.model.is_file():
        raise SystemExit(f"No trained model at {args.model}: run 'make train' first.")
    from scripts.bench_nlu import quiet_logging

    quiet_logging(30)
    texts = example_texts()
    random.Random(7).shuffle(texts)  # noqa: S311 - a fixed sample order, not security
    texts = texts[: WARM_UP + max(args.n - len(HARD_CASES), 0)] + HARD_CASES
    latencies = asyncio.run(time_parses(args.model, texts))
    timed = texts[WARM_UP:]
    by_length = {}
    for low, high, name in LENGTH_BUCKETS:
        selected = [
            ms for t, ms in zip(timed, latencies, strict=True) if low <= len(t.split()) <= high
        ]
        if selected:
            by_length[name] = summary(selected)
    result: dict[str, Any] = {
        "model": str(args.model),
        "cpu_count": os.cpu_count(),
        **summary(latencies),
        "by_length": by_length,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{'messages':<12} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  (ms)")
    for name, row in [("all", result), *by_length.items()]:
        print(
            f"{name:<12} {row['n']:>5} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} {row['max_ms']:>8.1f}"
        )
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
