"""Evaluate the sentiment component (and VADER as a baseline) on a text,sentiment CSV.

Usage:
    python scripts/eval_sentiment.py --test data.csv --out var/sentiment_eval.json \
        [--model models/xyz.tar.gz | --train-file nlu_data/sentiment/banking_sentiment.csv]
        [--config config.yml] [--negative-prior-weight 2.0] [--cv 5]

--model loads the trained SentimentClassifier out of a Rasa model archive, exactly as
Rasa's predict graph does. --train-file (the default, with the pipeline's config
from --config) trains the component standalone, the way `rasa train` runs its train
node, and loads it back from model storage. --cv also cross-validates the head on the
training file itself, which is how the default negative_prior_weight was chosen.

Labels are negative / neutral / positive in any casing. VADER uses the compound score
with the standard +-0.05 thresholds on the raw text.
"""

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bot.components.sentiment import (  # noqa: E402
    LABELS,
    SentimentClassifier,
    SentimentHead,
    apply_prior,
    read_sentiment_csv,
    resolve_training_file,
)

PRIOR_WEIGHTS = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
COMPONENT_NAMES = {
    SentimentClassifier.__name__,
    f"{SentimentClassifier.__module__}.SentimentClassifier",
}


def metrics(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(LABELS), zero_division=0
    )
    per_class = {
        label: {"precision": p, "recall": r, "f1": f, "support": int(s)}
        for label, p, r, f, s in zip(LABELS, precision, recall, f1, support, strict=True)
    }
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(np.mean(f1)),
        "negative_recall": float(per_class["negative"]["recall"]),
        "negative_precision": float(per_class["negative"]["precision"]),
        "per_class": {k: {m: float(v) for m, v in d.items()} for k, d in per_class.items()},
        "confusion_matrix": {
            "labels": list(LABELS),
            "rows_true_cols_pred": confusion_matrix(truth, predicted, labels=list(LABELS)).tolist(),
        },
    }


def vader_labels(texts: Sequence[str]) -> list[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    labels = []
    for text in texts:
        compound = analyzer.polarity_scores(text)["compound"]
        labels.append(
            "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
        )
    return labels


def pipeline_config(config_file: Path) -> dict[str, Any]:
    """The SentimentClassifier entry of config.yml without its name ({} if absent)."""
    if not config_file.is_file():
        return {}
    from rasa.shared.utils.io import read_yaml_file

    pipeline = (read_yaml_file(config_file) or {}).get("pipeline") or []
    for entry in pipeline:
        if entry.get("name") in COMPONENT_NAMES:
            return {k: v for k, v in entry.items() if k != "name"}
    return {}


def train_standalone(config: dict[str, Any], storage_dir: Path) -> SentimentClassifier:
    """Train like Rasa's train node, then load like its predict node."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.training_data import TrainingData

    storage = LocalModelStorage(storage_dir)
    resource = Resource("train_SentimentClassifier0")
    context = ExecutionContext(GraphSchema({}), node_name=resource.name)
    SentimentClassifier.create(config, storage, resource, context).train(TrainingData())
    return SentimentClassifier.load(config, storage, resource, context)


def load_from_model(archive: Path, storage_dir: Path) -> SentimentClassifier:
    """Load the trained component out of a `rasa train` archive."""
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    storage, metadata = LocalModelStorage.from_model_archive(storage_dir, archive)
    schema = metadata.predict_schema
    for node_name, node in schema.nodes.items():
        if issubclass(node.uses, SentimentClassifier) and node.resource is not None:
            context = ExecutionContext(schema, node_name=node_name)
            return node.uses.load(node.config, storage, node.resource, context)
    raise SystemExit(f"{archive} has no trained SentimentClassifier in its pipeline.")


def prior_sweep(
    truth: Sequence[str], scores: np.ndarray, classes: list[str]
) -> list[dict[str, Any]]:
    """How the metrics move with the negative prior weight (same head, same scores)."""
    rows = []
    for weight in PRIOR_WEIGHTS:
        shifted = apply_prior(scores, classes, {"negative": weight})
        result = metrics(truth, [classes[i] for i in shifted.argmax(axis=1)])
        rows.append({"negative_prior_weight": weight, **_headline(result)})
    return rows


def own_data_cv(
    component: SentimentClassifier, train_file: Path, folds: int
) -> list[dict[str, Any]]:
    """Stratified k-fold CV of the head on its own training file, swept over prior weights."""
    from sklearn.model_selection import StratifiedKFold

    texts, labels = read_sentiment_csv(train_file)
    features, truth = component.featurize(texts), np.array(labels)
    scores = np.zeros((len(texts), len(LABELS)))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    for train_idx, test_idx in splitter.split(features, truth):
        head = SentimentHead.fit(features[train_idx], list(truth[train_idx]), component.config)
        scores[test_idx] = head.predict_proba(features[test_idx])
    return prior_sweep(list(truth), scores, list(head.classes))


def _headline(result: dict[str, Any]) -> dict[str, float]:
    return {key: result[key] for key in HEADLINE}


HEADLINE = ("accuracy", "macro_f1", "negative_recall", "negative_precision")


def _line(name: str, values: dict[str, Any], prefix: str = "") -> str:
    return f"{name:28s}" + "".join(f" {values[prefix + key]:>18.3f}" for key in HEADLINE)


def print_tables(report: dict[str, Any]) -> None:
    header = f"{'':28s}" + "".join(f" {key:>18s}" for key in HEADLINE)
    print(f"\nTest set: {report['test_file']} ({report['n']} examples)\n{header}")
    print(_line("SentimentClassifier", report))
    print(_line("VADER (compound +-0.05)", report, prefix="vader_"))
    print("\nPer class (component):")
    for label, values in report["per_class"].items():
        print(
            f"  {label:9s} P={values['precision']:.3f} R={values['recall']:.3f} "
            f"F1={values['f1']:.3f} n={values['support']:.0f}"
        )
    for title, key in (("test set", "prior_sweep"), ("own training data, CV", "own_cv")):
        if report.get(key):
            print(f"\nnegative_prior_weight sweep on the {title}:\n{'weight':>28s}{header[28:]}")
            for row in report[key]:
                print(_line(f"{row['negative_prior_weight']:28.2f}", row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test", type=Path, required=True, help="CSV with text,sentiment")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON report")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--model", type=Path, help="trained Rasa model archive (.tar.gz)")
    source.add_argument("--train-file", type=Path, help="sentiment CSV to train on standalone")
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "config.yml")
    parser.add_argument("--negative-prior-weight", type=float)
    parser.add_argument("--cv", type=int, default=0, help="k-fold CV on the training file")
    args = parser.parse_args(argv)

    texts, truth = read_sentiment_csv(args.test)
    with tempfile.TemporaryDirectory() as storage_dir:
        if args.model:
            component = load_from_model(args.model, Path(storage_dir))
        else:
            config = pipeline_config(args.config)
            if args.train_file:
                config["training_file"] = str(args.train_file.resolve())
            component = train_standalone(config, Path(storage_dir))
    if component.head is None:
        raise SystemExit("The sentiment component has no trained head.")
    if args.negative_prior_weight is not None:
        component.config["negative_prior_weight"] = args.negative_prior_weight

    scores = component.predict_scores(texts)
    predicted = [result["label"] for result in component.results_from_scores(scores)]
    result = metrics(truth, predicted)
    vader = metrics(truth, vader_labels(texts))
    report: dict[str, Any] = {
        "test_file": str(args.test),
        "n": len(texts),
        "source": str(args.model) if args.model else component.config["training_file"],
        "config": {k: v for k, v in component.config.items() if k != "encoder_model_path"},
        **result,
        **{f"vader_{key}": value for key, value in vader.items()},
        "prior_sweep": prior_sweep(truth, np.nan_to_num(scores, nan=1 / 3), component.head.classes),
    }
    if args.cv:
        train_file = resolve_training_file(component.config["training_file"])
        report["own_cv"] = own_data_cv(component, train_file, args.cv)
    print_tables(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
