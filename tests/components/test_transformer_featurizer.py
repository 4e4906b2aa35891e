"""TransformerFeaturizer: MiniLM sentence + token features on Rasa messages."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT

from bot.components.encoder import SentenceEncoder
from bot.components.transformer_featurizer import TransformerFeaturizer
from tests.components.conftest import BAD_INPUTS, make_training_data, message

DIM = 384
POOLED = 2 * DIM  # pooling "mean_max": mean vector, then max vector


def dense_features(msg, origin: str = "transformer"):
    sequence, sentence = msg.get_dense_features(TEXT, [origin])
    return sequence, sentence


def test_training_data_gets_sentence_and_token_aligned_features(featurize_pipeline) -> None:
    data = make_training_data()
    featurize_pipeline(data)

    for example in data.training_examples:
        sequence, sentence = dense_features(example)
        assert sentence.features.shape == (1, DIM)
        assert sequence.features.shape == (len(example.get(TOKENS_NAMES[TEXT])), DIM)


def test_sentence_feature_is_the_sentence_embedding(featurize_pipeline) -> None:
    featurize = featurize_pipeline(make_training_data())
    (msg,) = featurize([message("I lost my card")])

    expected = SentenceEncoder.shared().encode(["I lost my card"])[0]
    np.testing.assert_allclose(dense_features(msg)[1].features[0], expected, atol=1e-5)


@pytest.mark.parametrize("sequence_features", [True, False])
def test_mean_max_pooling_adds_a_unit_max_vector(featurize_pipeline, sequence_features) -> None:
    featurize = featurize_pipeline(
        make_training_data(), {"sequence_features": sequence_features, "pooling": "mean_max"}
    )
    (msg,) = featurize([message("someone stole my card")])

    sentence = dense_features(msg)[1].features[0]
    mean = SentenceEncoder.shared().encode(["someone stole my card"])[0]
    np.testing.assert_allclose(sentence[:DIM], mean, atol=1e-5)
    assert np.linalg.norm(sentence[DIM:]) == pytest.approx(1.0, abs=1e-5)
    assert not np.allclose(sentence[DIM:], sentence[:DIM], atol=1e-2)


def test_sequence_features_can_be_switched_off(featurize_pipeline) -> None:
    featurize = featurize_pipeline(
        make_training_data(), {"sequence_features": False, "pooling": "mean_max"}
    )
    (msg,) = featurize([message("what is my balance")])

    sequence, sentence = dense_features(msg)
    assert sequence is None and sentence.features.shape == (1, POOLED)


@pytest.mark.parametrize("kind", ["very_long", "emoji_only", "mixed_language"])
def test_bad_input_is_featurized_without_error(featurize_pipeline, kind: str) -> None:
    featurize = featurize_pipeline(make_training_data())
    (msg,) = featurize([message(BAD_INPUTS[kind])])

    sequence, sentence = dense_features(msg)
    assert np.isfinite(sentence.features).all()
    assert sequence.features.shape[0] == len(msg.get(TOKENS_NAMES[TEXT]))


def test_tokens_past_the_model_window_get_zero_vectors(featurize_pipeline) -> None:
    featurize = featurize_pipeline(make_training_data())
    (msg,) = featurize([message(BAD_INPUTS["very_long"])])

    sequence = dense_features(msg)[0].features
    assert sequence[:10].any(axis=1).all()
    assert not sequence[-10:].any()


def test_empty_text_gets_no_features_and_no_error(featurize_pipeline) -> None:
    featurize = featurize_pipeline(make_training_data())
    (msg,) = featurize([message(BAD_INPUTS["empty"])])
    assert dense_features(msg) == (None, None)


def test_whitespace_only_text_gets_a_sentence_feature(featurize_pipeline) -> None:
    featurize = featurize_pipeline(make_training_data())
    (msg,) = featurize([message(BAD_INPUTS["whitespace"])])
    assert dense_features(msg)[1].features.shape == (1, DIM)


@pytest.mark.parametrize(
    "config, key",
    [
        ({"batch_size": 0}, "batch_size"),
        ({"sequence_features": "yes"}, "sequence_features"),
        ({"model_path": 3}, "model_path"),
        ({"pooling": "cls"}, "pooling"),
    ],
)
def test_bad_config_names_the_key(config, key: str) -> None:
    context = ExecutionContext(GraphSchema({}), node_name="transformer")
    with pytest.raises(InvalidConfigException, match=key):
        TransformerFeaturizer({**TransformerFeaturizer.get_default_config(), **config}, context)
