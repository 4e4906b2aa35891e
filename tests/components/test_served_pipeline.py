"""The featurizer and classifier inside a real Rasa NLU model, parsed as the server does."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.components.conftest import BAD_INPUTS, TRAINING_EXAMPLES

PIPELINE = """\
recipe: default.v1
language: en
assistant_id: components-test
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: bot.components.transformer_featurizer.TransformerFeaturizer
  - name: bot.components.intent_classifier.SentenceIntentClassifier
    epochs: 30
  - name: FallbackClassifier
    threshold: 0.3
policies: []
"""


def nlu_yaml() -> str:
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in TRAINING_EXAMPLES.items():
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {t}" for t in texts)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def agent(tmp_path_factory):
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    tmp: Path = tmp_path_factory.mktemp("served")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RASA_CACHE_DIRECTORY", str(tmp / "cache"))
        (tmp / "config.yml").write_text(PIPELINE, encoding="utf-8")
        (tmp / "nlu.yml").write_text(nlu_yaml(), encoding="utf-8")
        model = train_nlu(str(tmp / "config.yml"), str(tmp / "nlu.yml"), str(tmp / "models"))
        return Agent.load(model)


def parse(agent, text: str) -> dict:
    return asyncio.run(agent.parse_message(text))


def test_served_model_classifies_a_paraphrase(agent) -> None:
    parsed = parse(agent, "someone stole my card")
    assert parsed["intent"]["name"] == "report_lost_card"
    assert parsed["intent_ranking"][0]["name"] == "report_lost_card"


@pytest.mark.parametrize("kind", ["very_long", "emoji_only", "mixed_language"])
def test_served_model_parses_bad_input(agent, kind: str) -> None:
    parsed = parse(agent, BAD_INPUTS[kind])
    assert parsed["intent"]["name"] in {*TRAINING_EXAMPLES, "nlu_fallback"}
    assert parsed["text"] == BAD_INPUTS[kind].strip()  # Rasa strips user text


def test_served_model_sends_empty_text_to_fallback(agent) -> None:
    parsed = parse(agent, "")
    assert parsed["intent"]["name"] == "nlu_fallback"
