"""SentimentClassifier: training, persistence through Rasa's model storage, prediction."""

import csv
from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.sentiment import (
    HEAD_FILE,
    LABELS,
    SentimentClassifier,
    prepare_text,
    read_sentiment_csv,
)

TINY_DATA = {
    "negative": [
        "this is the worst bank ever",
        "I am furious, you charged me a fee again",
        "terrible service, nobody helps me",
        "my card got declined and I am so embarrassed",
        "the app keeps crashing, I hate it",
        "I have been on hold for an hour, ridiculous",
        "someone stole money from my account, I am scared",
        "awful experience, I want to close my account",
        "still waiting for my refund, this is unacceptable",
        "you people are useless",
        "estoy harto de este banco",
        "great, another fee, just what I needed",
    ],
    "neutral": [
        "what is my balance",
        "how do I transfer money to savings",
        "show me my last transactions",
        "what are your opening hours",
        "I want to apply for a credit card",
        "where is the nearest atm",
        "how do I change my address",
        "what is my routing number",
        "can I open a joint account",
        "when is my credit card payment due",
        "cual es mi saldo",
        "checking account",
    ],
    "positive": [
        "thank you so much, that was really helpful",
        "great service, you are the best",
        "I love the new app",
        "my loan was approved, so happy",
        "thanks, that fixed it",
        "amazing, the transfer arrived already",
        "the agent was super friendly",
        "what a relief, thank you",
        "excellent support today",
        "perfect, thanks a lot",
        "muchas gracias, excelente servicio",
        "you guys rock",
    ],
}


def write_csv(path: Path, data: dict) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "sentiment"])
        for label, texts in data.items():
            writer.writerows(
                (text, label.upper() if label == "neutral" else label) for text in texts
            )
    return path


@pytest.fixture(scope="module")
def training_file(tmp_path_factory) -> Path:
    return write_csv(tmp_path_factory.mktemp("sentiment") / "tiny.csv", TINY_DATA)


@pytest.fixture(scope="module")
def storage(tmp_path_factory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("model_storage"))


@pytest.fixture(scope="module")
def resource() -> Resource:
    return Resource("train_SentimentClassifier0")


@pytest.fixture(scope="module")
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name="train_SentimentClassifier0")


@pytest.fixture(scope="module")
def config(training_file) -> dict:
    # A neutral prior keeps these checks about the head, not the decision rule.
    return {"training_file": str(training_file), "negative_prior_weight": 1.0}


@pytest.fixture(scope="module")
def trained(config, storage, resource, context) -> SentimentClassifier:
    component = SentimentClassifier.create(config, storage, resource, context)
    component.train(TrainingData())
    return component


@pytest.fixture(scope="module")
def loaded(trained, config, storage, resource, context) -> SentimentClassifier:
    return SentimentClassifier.load(config, storage, resource, context)


def parse(component: SentimentClassifier, text) -> dict:
    message = Message(data={TEXT: text})
    component.process([message])
    return message.as_dict(only_output_properties=True)


def test_training_persists_the_head_in_model_storage(trained, storage, resource):
    with storage.read_from(resource) as directory:
        assert (directory / HEAD_FILE).is_file()
    assert trained.head is not None
    assert sorted(trained.head.classes) == sorted(LABELS)


def test_loaded_component_predicts_like_the_trained_one(trained, loaded):
    texts = ["why was I charged twice", "thanks for the help", "open a savings account"]
    assert loaded.predict(texts) == trained.predict(texts)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("this bank is terrible, I am so angry", "negative"),
        ("you charged me again, worst service", "negative"),
        ("thank you, the support was excellent", "positive"),
        ("I love this app, thanks", "positive"),
        ("how do I check my savings balance", "neutral"),
        ("where can I find my account number", "neutral"),
    ],
)
def test_clear_examples_get_the_right_label(loaded, text, label):
    assert loaded.predict([text])[0]["label"] == label


def test_sentiment_is_in_the_parse_output(loaded):
    sentiment = parse(loaded, "I am really upset about this fee")["sentiment"]
    assert set(sentiment) == {"label", "score", "scores"}
    assert sentiment["label"] in LABELS
    assert sentiment["score"] == max(sentiment["scores"].values())
    assert sum(sentiment["scores"].values()) == pytest.approx(1.0, abs=1e-3)


def test_negative_prior_weight_moves_borderline_messages_to_negative(loaded):
    text = "my transfer is still pending"
    scores = loaded.predict_scores([text])
    weighted = SentimentClassifier(
        {**loaded.config, "negative_prior_weight": 1000.0},
        loaded._model_storage,
        loaded._resource,
        loaded.head,
    )
    assert weighted.results_from_scores(scores)[0]["label"] == "negative"


@pytest.mark.parametrize("text", ["", "   ", None, "!!!"])
def test_blank_or_odd_input_is_handled(loaded, text):
    sentiment = parse(loaded, text)["sentiment"]
    assert sentiment["label"] in LABELS
    if not prepare_text(text, 100):
        assert sentiment == {
            "label": "neutral",
            "score": 1.0,
            "scores": {"negative": 0.0, "neutral": 1.0, "positive": 0.0},
        }


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("this is unacceptable " * 250, id="5250-characters"),
        pytest.param("😡😡😡", id="emoji-only"),
        pytest.param("🙂", id="one-emoji"),
        pytest.param("thank you pero la app no funciona, muy mal", id="mixed-language"),
        pytest.param("@bank https://example.com #fail", id="handle-link-hashtag"),
    ],
)
def test_long_emoji_and_mixed_language_input_gets_a_label(loaded, text):
    sentiment = parse(loaded, text)["sentiment"]
    assert sentiment["label"] in LABELS
    assert 0.0 <= sentiment["score"] <= 1.0


def test_emoji_are_spelled_out_for_the_encoder():
    assert "pouting face" in prepare_text("😡", 100)
    assert prepare_text("@bank see https://x.co #fail", 100) == "see fail"
    assert len(prepare_text("a" * 5000, 2000)) == 2000


def test_untrained_component_leaves_messages_alone(tmp_path, context):
    storage = LocalModelStorage(tmp_path)
    component = SentimentClassifier.load({}, storage, Resource("missing"), context)
    assert "sentiment" not in parse(component, "hello")


def test_missing_training_file_names_the_config_key(tmp_path, context):
    config = {"training_file": str(tmp_path / "nope.csv")}
    component = SentimentClassifier.create(
        config, LocalModelStorage(tmp_path), Resource("r"), context
    )
    with pytest.raises(InvalidConfigException, match="training_file"):
        component.train(TrainingData())


@pytest.mark.parametrize(
    ("key", "value"),
    [("negative_prior_weight", 0), ("C", "big"), ("max_chars", 0), ("lexicon_features", "yes")],
)
def test_bad_config_names_the_key(key, value):
    with pytest.raises(InvalidConfigException, match=key):
        SentimentClassifier.validate_config({key: value})


def test_fingerprint_follows_the_training_file(tmp_path):
    path = write_csv(tmp_path / "data.csv", TINY_DATA)
    before = SentimentClassifier.fingerprint_addon({"training_file": str(path)})
    write_csv(path, {**TINY_DATA, "neutral": TINY_DATA["neutral"] + ["one more"]})
    assert SentimentClassifier.fingerprint_addon({"training_file": str(path)}) != before


def test_csv_labels_are_case_insensitive_and_checked(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("Text,Sentiment\nhi,NEUTRAL\nbad,Negative \n", encoding="utf-8")
    assert read_sentiment_csv(good) == (["hi", "bad"], ["neutral", "negative"])
    bad = tmp_path / "bad.csv"
    bad.write_text("text,sentiment\nhi,meh\n", encoding="utf-8")
    with pytest.raises(ValueError, match="meh"):
        read_sentiment_csv(bad)


def test_default_training_file_is_usable():
    default = SentimentClassifier.get_default_config()["training_file"]
    texts, labels = read_sentiment_csv(Path(__file__).resolve().parents[2] / default)
    assert len(texts) >= 500
    assert set(labels) == set(LABELS)


def test_rasa_train_and_parse_include_sentiment_and_language(tmp_path, training_file, monkeypatch):
    """End to end through `rasa train nlu` and the parse call behind /model/parse."""
    import asyncio

    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))

    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    (tmp_path / "nlu.yml").write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: check_balance\n"
        "  examples: |\n"
        "    - what is my balance\n    - show my balance\n    - how much money do I have\n"
        "- intent: greet\n"
        "  examples: |\n"
        "    - hello\n    - hi there\n    - good morning\n",
        encoding="utf-8",
    )
    (tmp_path / "config.yml").write_text(
        "recipe: default.v1\n"
        "language: en\n"
        "assistant_id: sentiment-test\n"
        "pipeline:\n"
        "  - name: WhitespaceTokenizer\n"
        "  - name: CountVectorsFeaturizer\n"
        "  - name: LogisticRegressionClassifier\n"
        "  - name: bot.components.sentiment.SentimentClassifier\n"
        f"    training_file: {training_file}\n"
        "  - name: bot.components.language.LanguageDetector\n"
        "policies: []\n",
        encoding="utf-8",
    )
    model = train_nlu(
        str(tmp_path / "config.yml"), str(tmp_path / "nlu.yml"), str(tmp_path / "models")
    )
    agent = Agent.load(model)
    parsed = asyncio.run(agent.parse_message("this bank is terrible, I am furious"))

    assert parsed["intent"]["name"] in {"check_balance", "greet"}
    assert parsed["sentiment"]["label"] == "negative"
    assert parsed["language"] == {
        "language": "en",
        "confidence": parsed["language"]["confidence"],
        "reliable": True,
    }
