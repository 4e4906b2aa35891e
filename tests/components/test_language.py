"""LanguageDetector: reliable on clear text, abstains (reliable=false) when unsure."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.language import BACKENDS, LanguageDetector, clean_text, decide

UNRELIABLE = {"language": None, "confidence": 0.0, "reliable": False}


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def detector(request, tmp_path_factory) -> LanguageDetector:
    return LanguageDetector.create(
        {"detector": request.param},
        LocalModelStorage(tmp_path_factory.mktemp("storage")),
        Resource("language"),
        ExecutionContext(GraphSchema({}), node_name="run_LanguageDetector0"),
    )


@pytest.fixture(scope="module")
def default_detector() -> LanguageDetector:
    return LanguageDetector({})


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I would like to check the balance of my savings account please", "en"),
        ("Quiero saber cuánto dinero tengo en mi cuenta de ahorros", "es"),
        ("my card was declined at the supermarket this morning", "en"),
        ("me rechazaron la tarjeta en el supermercado esta mañana", "es"),
    ],
)
def test_clear_sentences_are_detected_reliably(detector, text, language):
    assert detector.detect(text) == {
        "language": language,
        "confidence": pytest.approx(detector.detect(text)["confidence"]),
        "reliable": True,
    }
    assert detector.detect(text)["confidence"] >= detector.config["min_confidence"]


@pytest.mark.parametrize("text", ["", "   ", None, "12345", "😀😀", "!!!", "4821 €", "a"])
def test_text_without_words_is_unreliable_and_has_no_language(detector, text):
    assert detector.detect(text) == UNRELIABLE


@pytest.mark.parametrize(
    "text",
    [
        "Je voudrais connaître le solde de mon compte courant",
        "Ich möchte den Kontostand meines Sparkontos wissen",
    ],
)
def test_unsupported_languages_are_unreliable(detector, text):
    result = detector.detect(text)
    assert result["reliable"] is False
    assert result["language"] is None


@pytest.mark.parametrize("text", ["ok", "hola", "saldo", "vale", "thx", "hmm"])
def test_short_ambiguous_messages_never_switch_to_a_wrong_language(default_detector, text):
    """Either unreliable (the dialogue keeps the conversation language) or correct."""
    expected = {"ok": "en", "thx": "en", "hmm": "en", "hola": "es", "saldo": "es", "vale": "es"}
    result = default_detector.detect(text)
    assert not result["reliable"] or result["language"] == expected[text]


def test_min_words_makes_one_word_messages_unreliable():
    strict = LanguageDetector({"min_words": 3})
    assert strict.detect("hello")["reliable"] is False
    assert strict.detect("please show my balance")["reliable"] is True


def test_detection_is_deterministic(detector):
    text = "me puedes ayudar con la tarjeta"
    assert [detector.detect(text) for _ in range(3)] == [detector.detect(text)] * 3


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("balance " * 700, id="5600-characters"),
        "thanks pero la app no funciona",
        "mi saldo please",
        "Überweisung ❤️ 100€",
    ],
)
def test_long_and_mixed_input_does_not_crash(detector, text):
    result = detector.detect(text)
    assert set(result) == {"language", "confidence", "reliable"}
    assert 0.0 <= result["confidence"] <= 1.0


def test_language_is_in_the_parse_output(default_detector):
    message = Message(data={TEXT: "quiero hablar con un agente por favor"})
    default_detector.process([message])
    output = message.as_dict(only_output_properties=True)
    assert output["language"]["language"] == "es"
    assert output["language"]["reliable"] is True


@pytest.mark.parametrize(
    ("candidates", "words", "expected"),
    [
        ([], 3, UNRELIABLE),
        ([("es", 0.97)], 3, {"language": "es", "confidence": 0.97, "reliable": True}),
        ([("es", 0.3), ("pt", 0.2)], 3, {"language": "es", "confidence": 0.3, "reliable": False}),
        ([("pt", 0.9), ("es", 0.1)], 3, {"language": None, "confidence": 0.9, "reliable": False}),
        ([("en", 0.99)], 0, {"language": "en", "confidence": 0.99, "reliable": False}),
    ],
)
def test_decide(candidates, words, expected):
    assert decide(candidates, words, ["en", "es"], min_confidence=0.5, min_words=1) == expected


def test_clean_text_keeps_only_words():
    assert clean_text("Hola!! 😀 mi cuenta 12345, https://x.co a@b.com") == "Hola mi cuenta"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("detector", "google"),
        ("supported_languages", []),
        ("min_confidence", 1.5),
        ("min_words", -1),
        ("min_letters", "two"),
    ],
)
def test_bad_config_names_the_key(key, value):
    with pytest.raises(InvalidConfigException, match=key):
        LanguageDetector({key: value})
