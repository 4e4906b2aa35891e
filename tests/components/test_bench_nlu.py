"""scripts/bench_nlu.py: CSV handling, and one real train-parse-score run on tiny data."""

from __future__ import annotations

import csv
import json

import pytest

from scripts.bench_nlu import example_text, main, read_labelled_csv, sanitise_labels
from tests.components.conftest import TRAINING_EXAMPLES
from tests.components.test_served_pipeline import PIPELINE


def write_csv(path, rows, label_column="category"):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", label_column])
        writer.writerows(rows)
    return path


def test_label_column_is_found_by_name(tmp_path) -> None:
    for column in ("category", "intent", "label"):
        path = write_csv(tmp_path / f"{column}.csv", [("hi", "greet")], column)
        assert read_labelled_csv(path, "text", None) == [("hi", "greet")]


def test_missing_label_column_is_reported(tmp_path) -> None:
    path = write_csv(tmp_path / "bad.csv", [("hi", "greet")], "topic")
    with pytest.raises(SystemExit, match="label column"):
        read_labelled_csv(path, "text", None)


def test_labels_become_unique_rasa_intent_names() -> None:
    mapping = sanitise_labels(["Card Arrival", "card-arrival", "Top up?", "réclamation"])
    assert mapping["Top up?"] == "top_up"
    assert mapping["réclamation"] == "r_clamation"
    assert sorted(mapping.values()) == ["card_arrival", "card_arrival_2", "r_clamation", "top_up"]


def test_example_text_is_never_read_as_an_entity_annotation() -> None:
    assert example_text("move [100](amount) now") == "move [100] (amount) now"
    assert example_text("multi\nline   text") == "multi line text"


def test_bench_trains_parses_and_writes_json(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    rows = [(text, intent) for intent, texts in TRAINING_EXAMPLES.items() for text in texts]
    train = write_csv(tmp_path / "train.csv", rows[0::2] + rows[1::4])
    test = write_csv(tmp_path / "test.csv", rows[3::4])
    config = tmp_path / "config.yml"
    config.write_text(PIPELINE, encoding="utf-8")
    out = tmp_path / "result.json"

    main(["--train", str(train), "--test", str(test), "--out", str(out), "--config", str(config)])

    result = json.loads(out.read_text())
    assert result["n_test"] == len(rows[3::4])
    assert result["n_intents"] == len(TRAINING_EXAMPLES)
    assert {"accuracy", "macro_f1", "train_seconds", "parse_ms_p50", "parse_ms_p95"} <= set(result)
    assert result["accuracy_ignoring_fallback"] >= 0.5
    assert "accuracy (as served)" in capsys.readouterr().out
