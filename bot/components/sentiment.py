"""Message sentiment (negative / neutral / positive) from MiniLM sentence embeddings.

A multinomial logistic-regression head is trained during ``rasa train`` on the banking
sentiment CSV (``text,sentiment``) named by the ``training_file`` config key; the
sentence embeddings come from the process-wide encoder in ``bot.components.encoder``.
Every parsed message gets

    "sentiment": {"label": "negative", "score": 0.93,
                  "scores": {"negative": 0.93, "neutral": 0.05, "positive": 0.02}}

in its parse data. Features: the MiniLM embedding of the message plus VADER's lexicon
scores; multi-sentence messages also average their sentences' scores.
``negative_prior_weight`` shifts the class prior towards ``negative`` (Bayes prior
correction: multiply, renormalise) because missing an upset customer costs more than
flagging a calm one. At the default 2.0, cross-validation on the training file keeps
~92% negative recall (scripts/eval_sentiment.py --cv 5 prints the whole trade-off).
"""

import csv
import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

SENTIMENT = "sentiment"
LABELS = ("negative", "neutral", "positive")
NEUTRAL = "neutral"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TRAINING_FILE = "nlu_data/sentiment/banking_sentiment.csv"
HEAD_FILE = "sentiment_head.json"

_HANDLE = re.compile(r"(?<!\w)@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_SPACE = re.compile(r"\s+")
_SEGMENT = re.compile(r"(?<=[.!?;])\s+|\s+(?:but|however|pero|aunque)\s+", re.IGNORECASE)
_EMOJI_TABLE: dict[str, str] | None = None
_VADER: Any = None


def normalise_label(raw: Any) -> str:
    """Map a label such as ``'Negative '`` to ``'negative'``; reject unknown labels."""
    label = str(raw).strip().lower()
    if label not in LABELS:
        raise ValueError(f"Unknown sentiment label '{raw}', expected one of {LABELS}.")
    return label


def read_sentiment_csv(path: Path) -> tuple[list[str], list[str]]:
    """Read a ``text,sentiment`` CSV (header required, label casing free)."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = {name.strip().lower(): name for name in (reader.fieldnames or [])}
        if "text" not in columns or "sentiment" not in columns:
            raise ValueError(f"'{path}' needs the columns text,sentiment; has {reader.fieldnames}.")
        rows = [(row[columns["text"]], row[columns["sentiment"]]) for row in reader]
    rows = [(text.strip(), normalise_label(label)) for text, label in rows if text and text.strip()]
    return [text for text, _ in rows], [label for _, label in rows]


def _emoji_table() -> dict[str, str]:
    """Emoji -> English description, from the table shipped with vaderSentiment."""
    global _EMOJI_TABLE
    if _EMOJI_TABLE is None:
        import vaderSentiment

        table_file = Path(vaderSentiment.__file__).parent / "emoji_utf8_lexicon.txt"
        rows = (line.split("\t") for line in table_file.read_text(encoding="utf-8").splitlines())
        _EMOJI_TABLE = {row[0]: row[1] for row in rows if len(row) >= 2 and row[0]}
    return _EMOJI_TABLE


def prepare_text(text: Any, max_chars: int) -> str:
    """Text as the encoder should see it: no @handles or links, emoji spelled out.

    MiniLM's vocabulary has no emoji (they become [UNK]), so "😡" is replaced by its
    description ("pouting face"). Very long texts are cut at ``max_chars``.
    """
    if not isinstance(text, str):
        return ""
    text = _URL.sub(" ", _HANDLE.sub(" ", text[:max_chars])).replace("#", " ")
    table = _emoji_table()
    if any(ord(char) > 0x2000 for char in text):
        text = "".join(f" {table[char]} " if char in table else char for char in text)
    return _SPACE.sub(" ", text).strip()


def split_segments(text: str, max_segments: int = 8) -> list[str]:
    """Sentences / contrast clauses of a message (empty if it has only one)."""
    parts = [part.strip() for part in _SEGMENT.split(text) if part and len(part.split()) >= 2]
    return parts[:max_segments] if len(parts) > 1 else []


def lexicon_features(prepared: list[str]) -> np.ndarray:
    """VADER compound, negative and positive scores per text, shape (n, 3)."""
    analyzer = _vader()
    rows = [analyzer.polarity_scores(text) for text in prepared]
    return np.array([[row["compound"], row["neg"], row["pos"]] for row in rows], dtype=np.float32)


def _vader() -> Any:
    global _VADER
    if _VADER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER = SentimentIntensityAnalyzer()
    return _VADER


def apply_prior(probabilities: np.ndarray, classes: list[str], weights: dict[str, float]):
    """Reweight class posteriors by prior ratios and renormalise each row."""
    factors = np.array([weights.get(label, 1.0) for label in classes], dtype=np.float64)
    weighted = probabilities * factors
    return weighted / weighted.sum(axis=1, keepdims=True)


class SentimentHead:
    """Logistic-regression weights over sentence embeddings, stored as plain JSON."""

    def __init__(self, classes: list[str], coef: np.ndarray, intercept: np.ndarray) -> None:
        self.classes = list(classes)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)

    @classmethod
    def fit(cls, embeddings: np.ndarray, labels: list[str], config: dict[str, Any]):
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(
            C=config["C"],
            class_weight="balanced",
            max_iter=config["max_iter"],
            random_state=config["random_state"],
        )
        model.fit(embeddings, labels)
        return cls(list(model.classes_), model.coef_, model.intercept_)

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        logits = embeddings.astype(np.float64) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": self.classes,
            "coef": self.coef.tolist(),
            "intercept": self.intercept.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SentimentHead":
        return cls(data["classes"], np.array(data["coef"]), np.array(data["intercept"]))


def resolve_training_file(configured: str) -> Path:
    """Absolute path of the training file: as given, else relative to the repository."""
    path = Path(configured)
    if path.is_absolute() or path.exists():
        return path
    return REPO_ROOT / path


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentimentClassifier(GraphComponent):
    """Adds ``sentiment`` {label, score, scores} to every message's parse data.

    Registered as an intent-classifier-type component so Rasa trains it and runs it at
    prediction time only; it does not touch the intent.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # CSV with text,sentiment columns; relative paths are tried from the working
            # directory, then from the repository root.
            "training_file": DEFAULT_TRAINING_FILE,
            # Prior-shift factor for "negative" (1.0 = the balanced training prior).
            "negative_prior_weight": 2.0,
            # Append VADER lexicon scores (compound, neg, pos) to the MiniLM embedding.
            "lexicon_features": True,
            # Score multi-sentence messages per sentence too (see predict_scores).
            "split_sentences": True,
            # Inverse L2 regularisation strength of the logistic-regression head.
            "C": 1.0,
            "max_iter": 2000,
            "random_state": 42,
            # Characters of a message that are embedded (the encoder's window is smaller).
            "max_chars": 2000,
            # Directory of the sentence-transformer weights; None = the packaged MiniLM.
            "encoder_model_path": None,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "torch", "transformers", "vaderSentiment"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        head: SentimentHead | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.head = head

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Fail early, naming the bad key."""
        config = {**cls.get_default_config(), **config}
        if not isinstance(config["training_file"], str) or not config["training_file"]:
            raise InvalidConfigException(
                f"{cls.__name__}: 'training_file' must be a path to a text,sentiment CSV."
            )
        for key in ("negative_prior_weight", "C"):
            value = config[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise InvalidConfigException(f"{cls.__name__}: '{key}' must be > 0, got {value!r}.")
        for key in ("lexicon_features", "split_sentences"):
            if not isinstance(config[key], bool):
                raise InvalidConfigException(f"{cls.__name__}: '{key}' must be true or false.")
        for key in ("max_iter", "max_chars"):
            if not isinstance(config[key], int) or config[key] < 1:
                raise InvalidConfigException(
                    f"{cls.__name__}: '{key}' must be a positive integer, got {config[key]!r}."
                )

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the sentiment CSV changes (Rasa only fingerprints its own data)."""
        configured = config.get("training_file", DEFAULT_TRAINING_FILE)
        path = resolve_training_file(configured)
        if not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentimentClassifier":
        cls.validate_config(config)
        return cls(config, model_storage, resource)

    def _prepare(self, texts: list[Any]) -> list[str]:
        return [prepare_text(text, self.config["max_chars"]) for text in texts]

    def featurize(self, texts: list[Any]) -> np.ndarray:
        """Head input for raw texts (what train() and predict_scores() feed the head)."""
        return self._features(self._prepare(texts))

    def _features(self, prepared: list[str]) -> np.ndarray:
        """MiniLM sentence embedding, plus VADER lexicon scores if ``lexicon_features``."""
        from bot.components.encoder import SentenceEncoder

        encoder = SentenceEncoder.shared(self.config["encoder_model_path"])
        features = encoder.encode(prepared)
        if self.config["lexicon_features"]:
            features = np.hstack([features, lexicon_features(prepared)])
        return features

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the head on the sentiment CSV (Rasa's NLU data is not used)."""
        path = resolve_training_file(self.config["training_file"])
        if not path.is_file():
            raise InvalidConfigException(
                f"{type(self).__name__}: 'training_file' {path} does not exist."
            )
        texts, labels = read_sentiment_csv(path)
        missing = set(LABELS) - set(labels)
        if missing:
            raise InvalidConfigException(
                f"{type(self).__name__}: 'training_file' {path} has no "
                f"examples of {sorted(missing)}."
            )
        self.head = SentimentHead.fit(self.featurize(texts), labels, self.config)
        logger.info("sentiment.trained examples=%d", len(texts))
        self.persist()
        return self._resource

    def persist(self) -> None:
        if self.head is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            data = {**self.head.to_dict(), "lexicon_features": self.config["lexicon_features"]}
            (directory / HEAD_FILE).write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SentimentClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / HEAD_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("sentiment.load.missing resource=%s", resource.name)
            return cls.create(config, model_storage, resource, execution_context)
        # The stored head fixes the feature layout it was trained with.
        config = {**config, "lexicon_features": bool(data.get("lexicon_features", False))}
        return cls(config, model_storage, resource, SentimentHead.from_dict(data))

    def predict_scores(self, texts: list[Any]) -> np.ndarray:
        """Head probabilities (columns = ``self.head.classes``), before the prior shift.

        With ``split_sentences``, a message of several sentences scores the mean of its
        whole-text probabilities and the average of its sentences' probabilities, so one
        angry sentence is not drowned by a long neutral one. Blank texts get a NaN row.
        """
        if self.head is None:
            raise RuntimeError("SentimentClassifier is not trained.")
        prepared = self._prepare(texts)
        scores = np.full((len(texts), len(self.head.classes)), np.nan)
        todo = [i for i, text in enumerate(prepared) if text]
        if not todo:
            return scores
        batch, owners = [prepared[i] for i in todo], list(todo)
        if self.config["split_sentences"]:
            for i in todo:
                segments = split_segments(prepared[i])
                batch.extend(segments)
                owners.extend([i] * len(segments))
        probabilities = self.head.predict_proba(self._features(batch))
        owners_array = np.array(owners)
        for row, i in enumerate(todo):
            segment_rows = np.flatnonzero(owners_array == i)[1:]
            whole = probabilities[row]
            if len(segment_rows):
                whole = (whole + probabilities[segment_rows].mean(axis=0)) / 2
            scores[i] = whole
        return scores

    def results_from_scores(self, scores: np.ndarray) -> list[dict[str, Any]]:
        """Apply the negative prior; one {label, score, scores} per row (NaN row = neutral)."""
        classes = self.head.classes if self.head else list(LABELS)
        weights = {"negative": float(self.config["negative_prior_weight"])}
        results = []
        for row in scores:
            if np.isnan(row).any():
                row = np.array([float(label == NEUTRAL) for label in classes])
            else:
                row = apply_prior(row[None, :], classes, weights)[0]
            best = int(row.argmax())
            results.append(
                {
                    "label": classes[best],
                    "score": round(float(row[best]), 4),
                    "scores": {
                        label: round(float(p), 4) for label, p in zip(classes, row, strict=True)
                    },
                }
            )
        return results

    def predict(self, texts: list[Any]) -> list[dict[str, Any]]:
        """Sentiment of each text as {label, score, scores}; blank text is neutral."""
        return self.results_from_scores(self.predict_scores(texts))

    def process(self, messages: list[Message]) -> list[Message]:
        """Set ``sentiment`` on each message (skipped with a warning if untrained)."""
        if self.head is None:
            logger.warning("sentiment.untrained messages=%d", len(messages))
            return messages
        for message, result in zip(
            messages, self.predict([m.get(TEXT) or "" for m in messages]), strict=True
        ):
            message.set(SENTIMENT, result, add_to_output=True)
        return messages
