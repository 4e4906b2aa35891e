"""SentenceIntentClassifier: training, persistence via model storage, prediction."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.intent_classifier import SentenceIntentClassifier
from tests.components.conftest import BAD_INPUTS, TRAINING_EXAMPLES, make_training_data, message

CONFIG = {"epochs": 30, "random_seed": 7}


@pytest.fixture
def featurize(featurize_pipeline):
    data = make_training_data()
    featurize = featurize_pipeline(data)
    featurize.training_data = data
    return featurize


@pytest.fixture
def trained(featurize, create_component) -> SentenceIntentClassifier:
    classifier = create_component(SentenceIntentClassifier, CONFIG, "intent_classifier")
    classifier.train(featurize.training_data)
    return classifier


def load(model_storage, execution_context, config=CONFIG) -> SentenceIntentClassifier:
    return SentenceIntentClassifier.load(
        {**SentenceIntentClassifier.get_default_config(), **config},
        model_storage,
        Resource("intent_classifier"),
        execution_context("intent_classifier"),
    )


@pytest.mark.parametrize(
    "text, intent",
    [
        ("how much money is in my account", "check_balance"),
        ("my debit card got stolen", "report_lost_card"),
        ("hey there", "greet"),
    ],
)
def test_predicts_intent_of_unseen_paraphrase(trained, featurize, text, intent) -> None:
    (msg,) = trained.process(featurize([message(text)]))
    assert msg.get("intent")["name"] == intent


def test_output_is_in_rasas_format(trained, featurize) -> None:
    (msg,) = trained.process(featurize([message("what is my balance")]))
    intent, ranking = msg.get("intent"), msg.get("intent_ranking")

    assert set(intent) == {"name", "confidence"} and isinstance(intent["confidence"], float)
    assert ranking[0] == intent
    assert [r["name"] for r in ranking] != [] and len(ranking) == len(TRAINING_EXAMPLES)
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-5)
    assert "intent" in msg.as_dict(only_output_properties=True)


def test_ranking_is_cut_to_ranking_length(featurize, create_component) -> None:
    classifier = create_component(
        SentenceIntentClassifier, {"ranking_length": 2}, "intent_classifier"
    )
    classifier.train(featurize.training_data)
    (msg,) = classifier.process(featurize([message("hello")]))
    assert len(msg.get("intent_ranking")) == 2


def test_loaded_model_predicts_like_the_trained_one(
    trained, featurize, model_storage, execution_context
) -> None:
    texts = ["show my balance", "card missing", "good evening", BAD_INPUTS["mixed_language"]]
    loaded = load(model_storage, execution_context)
    before = trained.process(featurize([message(t) for t in texts]))
    after = loaded.process(featurize([message(t) for t in texts]))

    assert [m.get("intent_ranking") for m in after] == [m.get("intent_ranking") for m in before]


def test_loading_an_untrained_resource_gives_an_empty_prediction(
    featurize, model_storage, execution_context
) -> None:
    classifier = load(model_storage, execution_context)
    (msg,) = classifier.process(featurize([message("what is my balance")]))
    assert msg.get("intent") == {"name": None, "confidence": 0.0}


def test_training_is_deterministic(featurize, create_component) -> None:
    first = create_component(SentenceIntentClassifier, CONFIG, "first")
    second = create_component(SentenceIntentClassifier, CONFIG, "second")
    first.train(featurize.training_data)
    second.train(featurize.training_data)
    assert set(first.heads) == set(second.heads) == {"all", "dense"}
    for head, arrays in first.heads.items():
        for key, value in arrays.items():
            np.testing.assert_array_equal(value, second.heads[head][key])


def test_hidden_layer_variant_trains_and_reloads(
    featurize, create_component, model_storage, execution_context
) -> None:
    config = {**CONFIG, "hidden_size": 32}
    classifier = create_component(SentenceIntentClassifier, config, "intent_classifier")
    classifier.train(featurize.training_data)
    loaded = load(model_storage, execution_context, config)
    (msg,) = loaded.process(featurize([message("my card was stolen")]))
    assert msg.get("intent")["name"] == "report_lost_card"


@pytest.mark.parametrize("kind", ["very_long", "emoji_only", "mixed_language"])
def test_bad_input_gets_a_full_prediction(trained, featurize, kind) -> None:
    (msg,) = trained.process(featurize([message(BAD_INPUTS[kind])]))
    assert msg.get("intent")["name"] in TRAINING_EXAMPLES
    assert 0.0 < msg.get("intent")["confidence"] <= 1.0


@pytest.mark.parametrize("kind", ["empty", "whitespace"])
def test_blank_text_gets_no_intent(trained, featurize, kind) -> None:
    (msg,) = trained.process(featurize([message(BAD_INPUTS[kind])]))
    assert msg.get("intent") == {"name": None, "confidence": 0.0}
    assert msg.get("intent_ranking") == []


def test_training_without_examples_leaves_it_untrained(create_component) -> None:
    classifier = create_component(SentenceIntentClassifier, {}, "intent_classifier")
    classifier.train(TrainingData([]))
    (msg,) = classifier.process([message("hello")])
    assert msg.get("intent") == {"name": None, "confidence": 0.0}


@pytest.mark.parametrize(
    "config, key",
    [
        ({"epochs": 0}, "epochs"),
        ({"dense_weight": -1}, "dense_weight"),
        ({"learning_rate": 2}, "learning_rate"),
        ({"featurizers": "all"}, "featurizers"),
    ],
)
def test_bad_config_names_the_key(config, key, create_component) -> None:
    with pytest.raises(InvalidConfigException, match=key):
        create_component(SentenceIntentClassifier, config, "intent_classifier")


def test_sparse_only_features_train_a_single_head(featurize, create_component) -> None:
    config = {**CONFIG, "featurizers": ["count_words", "count_chars"]}
    classifier = create_component(SentenceIntentClassifier, config, "intent_classifier")
    classifier.train(featurize.training_data)

    assert set(classifier.heads) == {"all"}
    assert all(block["sparse"] for block in classifier.space.blocks)
    (msg,) = classifier.process(featurize([message("what is my balance")]))
    assert msg.get("intent")["name"] == "check_balance"
