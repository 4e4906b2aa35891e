"""Evaluate the bot's trained NLU model on a text,intent CSV, through the served parse path.

    python scripts/eval_intents.py --test data.csv --out result.json [--model models/x.tar.gz]

Loads the model with ``Agent.load`` and parses every text with ``agent.parse_message``,
as the Rasa server's /model/parse does. Gold intents are the bot's own names; rows
labelled ``out_of_scope`` (or ``oos``) are messages the bot must reject. A message
counts as rejected when the served intent is ``out_of_scope`` or ``nlu_fallback``.

JSON keys: accuracy (in-scope rows predicted exactly), oos_recall (out-of-scope rows
rejected), oos_precision (rejections that were out of scope), in_scope_rejected,
per_intent (precision / recall / f1 / support, rejection counted as out_of_scope),
confusions (most frequent gold -> predicted pairs), n_in_scope, n_oos.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "models" / "bank-assistant.tar.gz"
OUT_OF_SCOPE = "out_of_scope"
REJECTED = {OUT_OF_SCOPE, "nlu_fallback"}
OOS_ALIASES = {OUT_OF_SCOPE, "oos"}


def read_rows(path: Path) -> list[tuple[str, str]]:
    """(text, gold intent) pairs; ``oos`` is read as out_of_scope."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not {"text", "intent"} <= set(reader.fieldnames or []):
            raise SystemExit(f"{path}: need 'text' and 'intent' columns, found {reader.fieldnames}")
        rows = [(row["text"] or "", (row["intent"] or "").strip()) for row in reader]
    return [(text, OUT_OF_SCOPE if gold in OOS_ALIASES else gold) for text, gold in rows if gold]


def served_label(parse: dict[str, Any]) -> str:
    """The served intent, with every kind of rejection folded into out_of_scope."""
    name = (parse.get("intent") or {}).get("name") or "nlu_fallback"
    return OUT_OF_SCOPE if name in REJECTED else name


def score(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    """In-scope accuracy, out-of-scope recall / precision and per-intent figures."""
    from sklearn.metrics import precision_recall_fscore_support

    pairs = list(zip(gold, predicted, strict=True))
    in_scope = [(g, p) for g, p in pairs if g != OUT_OF_SCOPE]
    oos = [(g, p) for g, p in pairs if g == OUT_OF_SCOPE]
    rejected = [(g, p) for g, p in pairs if p == OUT_OF_SCOPE]
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )

    def ratio(hits: int, total: int) -> float:
        return round(hits / total, 4) if total else 0.0

    return {
        "accuracy": ratio(sum(g == p for g, p in in_scope), len(in_scope)),
        "oos_recall": ratio(sum(p == OUT_OF_SCOPE for _, p in oos), len(oos)),
        "oos_precision": ratio(sum(g == OUT_OF_SCOPE for g, _ in rejected), len(rejected)),
        "in_scope_rejected": ratio(sum(p == OUT_OF_SCOPE for _, p in in_scope), len(in_scope)),
        "n_in_scope": len(in_scope),
        "n_oos": len(oos),
        "per_intent": {
            label: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusions": [
            {"gold": g, "predicted": p, "count": n}
            for (g, p), n in Counter((g, p) for g, p in pairs if g != p).most_common(15)
        ],
    }


async def parse_all(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def print_table(result: dict[str, Any]) -> None:
    print(f"model              {result['model']}")
    print(f"in-scope rows      {result['n_in_scope']}   out-of-scope rows {result['n_oos']}")
    print(f"accuracy (in)      {result['accuracy']:.4f}")
    print(f"in-scope rejected  {result['in_scope_rejected']:.4f}")
    print(f"oos recall         {result['oos_recall']:.4f}")
    print(f"oos precision      {result['oos_precision']:.4f}")
    print("\nper intent (precision / recall / f1 / support):")
    for label, row in sorted(result["per_intent"].items(), key=lambda item: item[1]["f1"]):
        print(
            f"  {label:<26} {row['precision']:.3f}  {row['recall']:.3f}  "
            f"{row['f1']:.3f}  {row['support']:>4}"
        )
    print("\nmost frequent confusions (gold -> predicted):")
    for row in result["confusions"][:10]:
        print(f"  {row['gold']:<26} -> {row['predicted']:<26} {row['count']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--test", type=Path, required=True, help="CSV with text,intent")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="trained model")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.path.insert(0, str(ROOT))  # custom components: bot.components.*
    if not args.model.is_file():
        raise SystemExit(f"No trained model at {args.model}: run 'make train' first.")
    from scripts.bench_nlu import quiet_logging

    quiet_logging(30)
    rows = read_rows(args.test)
    parses = asyncio.run(parse_all(args.model, [text for text, _ in rows]))
    result = {
        "model": str(args.model),
        "test_csv": str(args.test),
        **score([gold for _, gold in rows], [served_label(p) for p in parses]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_table(result)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
