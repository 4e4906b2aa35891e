"""Benchmark the project's NLU pipeline on any labelled CSV.

    python scripts/bench_nlu.py --train train.csv --test test.csv --out result.json \
        [--config config.yml] [--text-column text] [--label-column category]

Trains the pipeline of ``--config`` (default: the project's config.yml, used as is)
with Rasa's own NLU training on a temporary NLU YAML built from TRAIN, loads the
model the way the server does (``Agent.load``) and parses every TEST text through
``agent.parse_message``. Prints a table and writes JSON with accuracy, macro_f1,
n_test, train_seconds, parse latency and the worst classes.

The label column may be called category, intent or label (or pass --label-column);
labels are sanitised into Rasa intent names. Run it from anywhere: paths in the
config (e.g. data files of custom components) resolve against the project root.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config.yml"
LABEL_COLUMNS = ("category", "intent", "label")
FALLBACK_INTENT = "nlu_fallback"
# "[text](entity)", "[text]{...}" and "[text][...]" are entity annotations in Rasa YAML.
_ANNOTATION = re.compile(r"\[([^\]]*)\](?=[({\[])")


def read_labelled_csv(path: Path, text_column: str, label_column: str | None) -> list[tuple]:
    """(text, label) rows of a CSV; the label column is found by name if not given."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        label = label_column or next((c for c in LABEL_COLUMNS if c in columns), None)
        if text_column not in columns or label not in columns:
            raise SystemExit(
                f"{path}: need a '{text_column}' column and a label column "
                f"({' / '.join(LABEL_COLUMNS)}); found {columns}"
            )
        rows = [(r[text_column] or "", r[label] or "") for r in reader]
    return [(text, lab) for text, lab in rows if lab.strip()]


def intent_name(label: str) -> str:
    """A Rasa-safe intent name: lowercase letters, digits and underscores."""
    name = re.sub(r"[^0-9a-z_]+", "_", label.strip().lower()).strip("_")
    return name or "unnamed"


def sanitise_labels(labels: list[str]) -> dict[str, str]:
    """Map every original label to a unique sanitised intent name."""
    mapping: dict[str, str] = {}
    used: Counter[str] = Counter()
    for label in sorted(set(labels)):
        base = intent_name(label)
        used[base] += 1
        mapping[label] = base if used[base] == 1 else f"{base}_{used[base]}"
    return mapping


def example_text(text: str) -> str:
    """One line of plain text that Rasa will not read as an entity annotation."""
    flat = " ".join(text.split())
    return _ANNOTATION.sub(r"[\1] ", flat)


def write_nlu_yaml(rows: list[tuple], mapping: dict[str, str], path: Path) -> None:
    """Write TRAIN rows as a Rasa 3.1 NLU YAML file (one example per line, de-duplicated)."""
    by_intent: dict[str, list[str]] = {}
    for text, label in rows:
        cleaned = example_text(text)
        if cleaned:
            by_intent.setdefault(mapping[label], []).append(cleaned)
    lines = ['version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {example}" for example in dict.fromkeys(by_intent[intent])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def train_model(config: Path, nlu_file: Path, out_dir: Path) -> tuple[str, float]:
    from rasa.model_training import train_nlu

    started = time.perf_counter()
    model = train_nlu(str(config), str(nlu_file), str(out_dir), fixed_model_name="bench")
    seconds = time.perf_counter() - started
    if not model:
        raise SystemExit("Rasa NLU training produced no model (see the log above).")
    return model, seconds


async def parse_all(model_path: str, texts: list[str]) -> tuple[list[dict], list[float]]:
    """Parse texts one by one through the served path, timing each call in ms."""
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    results, latencies = [], []
    for text in texts:
        started = time.perf_counter()
        results.append(await agent.parse_message(text))
        latencies.append((time.perf_counter() - started) * 1000)
    return results, latencies


def predicted_intents(parse: dict) -> tuple[str | None, str | None]:
    """(served intent, best intent other than nlu_fallback) of one parse result."""
    served = (parse.get("intent") or {}).get("name")
    ranking = [r.get("name") for r in parse.get("intent_ranking") or []]
    best = next((name for name in ranking if name != FALLBACK_INTENT), served)
    return served, best


def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q)) if values else 0.0


def score(gold: list[str], predicted: list[str | None], worst: int) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = sorted(set(gold))
    pred = [p or "<none>" for p in predicted]
    _, _, f1s, support = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    confusions = Counter((g, p) for g, p in zip(gold, pred, strict=True) if g != p)
    worst_rows = sorted(zip(labels, f1s, support, strict=True), key=lambda r: r[1])[:worst]
    return {
        "accuracy": float(accuracy_score(gold, pred)),
        "macro_f1": float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)),
        "worst_classes": [
            {
                "intent": label,
                "f1": round(float(f1), 4),
                "support": int(n),
                "most_confused_with": next(
                    (p for (g, p), _ in confusions.most_common() if g == label), None
                ),
            }
            for label, f1, n in worst_rows
        ],
    }


def print_table(result: dict[str, Any]) -> None:
    rows = [
        ("config", result["config"]),
        (
            "n_train / n_test / intents",
            f"{result['n_train']} / {result['n_test']} / " f"{result['n_intents']}",
        ),
        ("accuracy (as served)", f"{result['accuracy']:.4f}"),
        ("macro-F1 (as served)", f"{result['macro_f1']:.4f}"),
        ("predicted nlu_fallback", f"{result['fallback_rate']:.2%}"),
        ("accuracy (ignoring fallback)", f"{result['accuracy_ignoring_fallback']:.4f}"),
        ("train seconds", f"{result['train_seconds']:.1f}"),
        ("parse ms p50 / p95", f"{result['parse_ms_p50']:.1f} / {result['parse_ms_p95']:.1f}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("\nworst classes (F1, support, most confused with):")
    for row in result["worst_classes"]:
        print(
            f"  {row['intent']:<40} {row['f1']:.3f}  {row['support']:>4}  "
            f"{row['most_confused_with']}"
        )


def quiet_logging(level: int) -> None:
    """Keep Rasa's per-message debug lines (which contain message text) off the console."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(level)
    configure_structlog(level)


def run(args: argparse.Namespace) -> dict[str, Any]:
    train_rows = read_labelled_csv(args.train, args.text_column, args.label_column)
    test_rows = read_labelled_csv(args.test, args.text_column, args.label_column)
    mapping = sanitise_labels([label for _, label in train_rows + test_rows])
    config = args.config.resolve()
    os.chdir(ROOT)  # relative paths inside config.yml are relative to the project
    sys.path.insert(0, str(ROOT))  # custom components: bot.components.*
    quiet_logging(logging.DEBUG if args.verbose else logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench_nlu_") as tmp:
        nlu_file = Path(tmp) / "nlu.yml"
        write_nlu_yaml(train_rows, mapping, nlu_file)
        model, train_seconds = train_model(config, nlu_file, Path(tmp) / "models")
        texts = [text for text, _ in test_rows]
        parses, latencies = asyncio.run(parse_all(model, texts))
    gold = [mapping[label] for _, label in test_rows]
    served, best = zip(*(predicted_intents(p) for p in parses), strict=True) if parses else ((), ())
    result = {
        "config": str(config),
        "train_csv": str(args.train),
        "test_csv": str(args.test),
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        "n_intents": len({mapping[label] for _, label in train_rows}),
        **score(gold, list(served), args.worst),
        "accuracy_ignoring_fallback": score(gold, list(best), 0)["accuracy"],
        "fallback_rate": sum(s == FALLBACK_INTENT for s in served) / max(len(served), 1),
        "train_seconds": round(train_seconds, 2),
        "parse_ms_p50": round(percentile(latencies, 50), 2),
        "parse_ms_p95": round(percentile(latencies, 95), 2),
    }
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, required=True, help="labelled CSV to train on")
    parser.add_argument("--test", type=Path, required=True, help="labelled CSV to evaluate on")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON result")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="Rasa config file")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--label-column", default=None, help="default: category/intent/label")
    parser.add_argument("--worst", type=int, default=10, help="how many worst classes to list")
    parser.add_argument("--verbose", action="store_true", help="show Rasa's debug log")
    args = parser.parse_args(argv)
    args.train, args.test, args.out = (p.resolve() for p in (args.train, args.test, args.out))
    return args


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = parse_args(argv)
    result = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_table(result)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
