"""Fixtures for the custom Rasa components: real model storage, real Rasa featurizers.

Components are built the way Rasa's graph builds them (``create`` with a
``LocalModelStorage`` in ``tmp_path``, a ``Resource`` and an ``ExecutionContext``),
and messages pass through Rasa's own WhitespaceTokenizer and CountVectorsFeaturizer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.transformer_featurizer import TransformerFeaturizer

# Three small intents; enough for a linear model to separate, small enough to train fast.
TRAINING_EXAMPLES = {
    "check_balance": [
        "what is my balance",
        "how much money do I have",
        "show me my account balance",
        "how much is in my savings account",
        "tell me my current balance",
        "what's left in my checking account",
    ],
    "report_lost_card": [
        "I lost my card",
        "my card was stolen",
        "I can't find my debit card anywhere",
        "someone took my credit card",
        "block my card, it is missing",
        "my wallet with my card is gone",
    ],
    "greet": [
        "hello",
        "hi there",
        "good morning",
        "hey",
        "hello, is anyone there",
        "hiya",
    ],
}

BAD_INPUTS = {
    "empty": "",
    "whitespace": "   ",
    "very_long": "I lost my card and " * 280,  # ~5,000 characters, past the model window
    "emoji_only": "😀😀🙏🔥",
    "mixed_language": "Hola, quiero saber mi balance, please 谢谢",
}


@pytest.fixture
def model_storage(tmp_path: Path) -> ModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def execution_context() -> Callable[[str], ExecutionContext]:
    def _context(node_name: str) -> ExecutionContext:
        return ExecutionContext(GraphSchema({}), model_id="test", node_name=node_name)

    return _context


@pytest.fixture
def create_component(
    model_storage: ModelStorage, execution_context: Callable[[str], ExecutionContext]
) -> Callable[..., GraphComponent]:
    """``create(component_class, config, node_name)`` as Rasa's graph would."""

    def _create(cls: type[GraphComponent], config: dict[str, Any], name: str) -> GraphComponent:
        return cls.create(
            {**cls.get_default_config(), **config},
            model_storage,
            Resource(name),
            execution_context(name),
        )

    return _create


@pytest.fixture
def featurize_pipeline(
    create_component: Callable[..., GraphComponent],
) -> Callable[..., Callable[[list[Message]], list[Message]]]:
    """Train tokenizer + word/char count vectors + MiniLM on data; return a featurize fn.

    The returned function runs the same components on new messages (inference path).
    """

    def _build(
        training_data: TrainingData, transformer_config: dict[str, Any] | None = None
    ) -> Callable[[list[Message]], list[Message]]:
        tokenizer = create_component(WhitespaceTokenizer, {}, "tokenizer")
        words = create_component(CountVectorsFeaturizer, {}, "count_words")
        chars = create_component(
            CountVectorsFeaturizer,
            {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
            "count_chars",
        )
        transformer = create_component(
            TransformerFeaturizer, transformer_config or {}, "transformer"
        )
        tokenizer.process_training_data(training_data)
        for featurizer in (words, chars):
            featurizer.train(training_data)
            featurizer.process_training_data(training_data)
        transformer.process_training_data(training_data)

        def _featurize(messages: list[Message]) -> list[Message]:
            for component in (tokenizer, words, chars, transformer):
                component.process(messages)
            return messages

        return _featurize

    return _build


def make_training_data(examples: dict[str, list[str]] = TRAINING_EXAMPLES) -> TrainingData:
    return TrainingData(
        [
            Message(data={"text": text, "intent": intent})
            for intent, texts in examples.items()
            for text in texts
        ]
    )


def message(text: str) -> Message:
    return Message(data={"text": text})
