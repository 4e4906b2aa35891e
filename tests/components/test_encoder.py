"""The shared MiniLM encoder: one instance per process, offline, batched, thread-safe."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bot.components.encoder import SentenceEncoder, default_model_path
from tests.components.conftest import BAD_INPUTS


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.shared()


def test_shared_returns_one_instance_per_model_path(encoder: SentenceEncoder) -> None:
    assert SentenceEncoder.shared() is encoder
    assert SentenceEncoder.shared(default_model_path()) is encoder


def test_loading_switches_hugging_face_hub_off(encoder: SentenceEncoder) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_missing_model_directory_is_reported_by_path(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        SentenceEncoder.shared(tmp_path)


def test_encode_returns_unit_float32_vectors_in_input_order(encoder: SentenceEncoder) -> None:
    texts = ["what is my balance", "hi", "my card was stolen yesterday at the station"]
    batched = encoder.encode(texts, batch_size=2)
    one_by_one = np.vstack([encoder.encode([t]) for t in texts])

    assert batched.shape == (3, encoder.dimension) and batched.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)


def test_paraphrases_are_closer_than_unrelated_text(encoder: SentenceEncoder) -> None:
    balance, paraphrase, unrelated = encoder.encode(
        ["what is my balance", "how much money is in my account", "I lost my card"]
    )
    assert balance @ paraphrase > balance @ unrelated


def test_encode_of_no_texts_is_empty(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, encoder.dimension)


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_still_gets_a_unit_vector(encoder: SentenceEncoder, kind: str) -> None:
    vector = encoder.encode([BAD_INPUTS[kind]])[0]
    assert np.isfinite(vector).all()
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_long_text_is_truncated_to_the_model_window(encoder: SentenceEncoder) -> None:
    pieces = encoder.encode_tokens([BAD_INPUTS["very_long"]])[0]
    assert len(pieces.offsets) == encoder.max_seq_length - 2  # minus [CLS] and [SEP]


def test_encode_tokens_gives_offsets_and_the_sentence_vector(encoder: SentenceEncoder) -> None:
    text = "block my card"
    pieces = encoder.encode_tokens([text])[0]

    assert [text[start:end] for start, end in pieces.offsets] == ["block", "my", "card"]
    assert pieces.vectors.shape == (3, encoder.dimension)
    np.testing.assert_allclose(pieces.sentence, encoder.encode([text])[0], atol=1e-5)


def test_concurrent_calls_give_the_same_vectors(encoder: SentenceEncoder) -> None:
    texts = [f"how much did I spend on day {i}" for i in range(8)]
    expected = encoder.encode(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda t: encoder.encode([t])[0], texts))
    np.testing.assert_allclose(np.vstack(results), expected, atol=1e-5)


def test_batch_size_must_be_positive(encoder: SentenceEncoder) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        encoder.encode(["hi"], batch_size=0)


def test_single_messages_come_from_the_cache_with_the_batched_vector(
    encoder: SentenceEncoder,
) -> None:
    texts = ["my card was declined at the shop", "hola", "what's my balance", "thanks", "ok"]
    batched = encoder.encode(texts)  # more than CACHEABLE_BATCH texts: not cached
    first = np.vstack([encoder.encode([text]) for text in texts])
    second = np.vstack([encoder.encode([text]) for text in texts])
    np.testing.assert_allclose(first, batched, atol=1e-5)
    np.testing.assert_array_equal(first, second)
    second[0] += 1.0  # callers own the arrays they get back
    np.testing.assert_allclose(encoder.encode([texts[0]]), batched[:1], atol=1e-5)
