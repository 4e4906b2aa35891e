"""StructuredEntityExtractor: email, phone_number, amount and date entities a customer types."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.entities import StructuredEntityExtractor
from tests.components.conftest import BAD_INPUTS

UTC = ZoneInfo("UTC")
FRIDAY = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)  # Friday 27 November 2026
WEDNESDAY = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def make(config: dict | None = None, now: datetime = FRIDAY) -> StructuredEntityExtractor:
    return StructuredEntityExtractor(config or {}, clock=lambda: now)


@pytest.fixture(scope="module")
def extractor() -> StructuredEntityExtractor:
    extractor = make()
    extractor.warm_up()
    return extractor


def parse(extractor: StructuredEntityExtractor, text, entities=None) -> list[dict]:
    data = {TEXT: text} if entities is None else {TEXT: text, ENTITIES: entities}
    message = Message(data=data)
    extractor.process([message])
    return message.get(ENTITIES)


def found(extractor: StructuredEntityExtractor, text: str, entity: str | None = None) -> list:
    """(entity, the text its offsets cut out, value) for each extracted entity."""
    return [
        (e["entity"], text[e["start"] : e["end"]], e["value"])
        for e in parse(extractor, text)
        if entity is None or e["entity"] == entity
    ]


# --- email ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("my new email is John.Doe@Example.COM.", "John.Doe@Example.COM", "John.Doe@example.com"),
        ("mi correo es maria.lopez+banco@correo.es", "maria.lopez+banco@correo.es", None),
        ("email:a.b@mail.co.uk, thanks", "a.b@mail.co.uk", None),
    ],
)
def test_email_is_extracted_and_normalised(extractor, text, span, value):
    assert found(extractor, text) == [("email", span, value or span)]


@pytest.mark.parametrize(
    "text",
    [
        "john..doe@example.com",
        "john@-example.com",
        ".john@example.com",
        "john@exa_mple.com",
        "john@example.invalid",
        "john.doe@example",
        "john@localhost",
        "write to john at example dot com",
    ],
)
def test_invalid_email_addresses_are_not_extracted(extractor, text):
    assert found(extractor, text, "email") == []


# --- phone_number ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "e164"),
    [
        ("call me on +44 20 7946 0958 please", "+44 20 7946 0958", "+442079460958"),
        ("my number is (415) 555-0134", "(415) 555-0134", "+14155550134"),
        ("tel: 415.555.0134", "415.555.0134", "+14155550134"),
        ("llámame al +34 612 345 678", "+34 612 345 678", "+34612345678"),
    ],
)
def test_phone_number_is_extracted_as_e164(extractor, text, span, e164):
    assert found(extractor, text) == [("phone_number", span, e164)]


def test_national_numbers_follow_the_default_region():
    assert found(make({"default_region": "GB"}), "ring 020 7946 0958") == [
        ("phone_number", "020 7946 0958", "+442079460958")
    ]
    assert found(make({"default_region": "US"}), "ring 020 7946 0958") == []


@pytest.mark.parametrize(
    "text",
    [
        "what is the status of APP-100001",
        "move it to ACC-12345678",
        "reference ACC-4155550134",
        "my card ending in 4242",
        "call 555-0134",
        "call 123-456-7890",
        "on 12/03/2025 and 2025-03-12",
    ],
)
def test_references_card_digits_and_invalid_numbers_are_not_phone_numbers(extractor, text):
    assert found(extractor, text, "phone_number") == []


# --- amount ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "amount", "currency"),
    [
        ("send $50 to Bob", "$50", "50.00", "USD"),
        ("I paid 50 dollars", "50 dollars", "50.00", "USD"),
        ("transfer USD 1,200.50 to savings", "USD 1,200.50", "1200.50", "USD"),
        ("it cost €20", "€20", "20.00", "EUR"),
        ("it cost 20 euros", "20 euros", "20.00", "EUR"),
        ("lend me £5", "£5", "5.00", "GBP"),
        ("withdraw $1.5k", "$1.5k", "1500.00", "USD"),
        ("he owes me 200 bucks", "200 bucks", "200.00", "USD"),
        ("twenty dollars for lunch", "twenty dollars", "20.00", "USD"),
        ("a hundred and five bucks", "a hundred and five bucks", "105.00", "USD"),
        ("quiero enviar 50 euros a mi madre", "50 euros", "50.00", "EUR"),
        ("me cobraron 100 dólares", "100 dólares", "100.00", "USD"),
        ("pagué 1.200,50 € ayer", "1.200,50 €", "1200.50", "EUR"),
        ("about 20,5 EUR", "20,5 EUR", "20.50", "EUR"),
        ("USD50 please", "USD50", "50.00", "USD"),
        ("send 50 to Bob", "50", "50.00", None),
        ("transfer 1.5k to savings", "1.5k", "1500.00", None),
        ("pay 1,200.50 now", "1,200.50", "1200.50", None),
        ("transfiere 300 a mi cuenta", "300", "300.00", None),
    ],
)
def test_amount_is_a_decimal_string_with_an_iso_currency(extractor, text, span, amount, currency):
    assert found(extractor, text, "amount") == [
        ("amount", span, {"amount": amount, "currency": currency})
    ]


def test_bare_amounts_take_the_default_currency():
    assert found(make({"default_currency": "EUR"}), "send 50 to Bob") == [
        ("amount", "50", {"amount": "50.00", "currency": "EUR"})
    ]


@pytest.mark.parametrize(
    "text",
    [
        "open a chequing account",
        "what is the status of APP-100001",
        "move money to ACC-12345678",
        "my card ending in 4242 was declined",
        "send 4242 card details",
        "pay 3 bills",
        "I have 2 accounts",
        "call me at (415) 555-0134",
        "what did I spend on 12/03/2025",
        "paid 12 March",
        "spent 3 days ago",
        "pay 50% now",
        "I want a euro account",
    ],
)
def test_numbers_without_money_context_are_not_amounts(extractor, text):
    assert found(extractor, text, "amount") == []


# --- date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("what did I spend today", "today", "2026-11-27"),
        ("payment from yesterday", "yesterday", "2026-11-26"),
        ("pay it tomorrow", "tomorrow", "2026-11-28"),
        ("since the day before yesterday", "the day before yesterday", "2026-11-25"),
        ("charged last friday", "last friday", "2026-11-20"),  # today is a Friday
        ("pay next monday", "next monday", "2026-11-30"),
        ("transfer on 12 March", "12 March", "2026-03-12"),
        ("on March 12th", "March 12th", "2026-03-12"),
        ("on March 12, 2025", "March 12, 2025", "2025-03-12"),
        ("on 2025-03-12", "2025-03-12", "2025-03-12"),
        ("on 03/12/2025", "03/12/2025", "2025-03-12"),  # US default region: month first
        ("3 days ago", "3 days ago", "2026-11-24"),
        ("a week ago", "a week ago", "2026-11-20"),
        ("in 3 days", "in 3 days", "2026-11-30"),
        ("ayer", "ayer", "2026-11-26"),
        ("hoy", "hoy", "2026-11-27"),
        ("págalo mañana", "mañana", "2026-11-28"),
        ("pasado mañana", "pasado mañana", "2026-11-29"),
        ("el viernes pasado", "el viernes pasado", "2026-11-20"),
        ("el próximo lunes", "el próximo lunes", "2026-11-30"),
        ("hace 3 días", "hace 3 días", "2026-11-24"),
        ("el 12 de marzo de 2025", "12 de marzo de 2025", "2025-03-12"),
    ],
)
def test_days_are_iso_dates_relative_to_today(extractor, text, span, value):
    entities = [e for e in parse(extractor, text) if e["entity"] == "date"]
    assert [(text[e["start"] : e["end"]], e["value"]) for e in entities] == [(span, value)]
    assert entities[0]["additional_info"] == {"grain": "day"}


@pytest.mark.parametrize(
    ("text", "span", "start", "end", "grain"),
    [
        ("spending last week", "last week", "2026-11-16", "2026-11-22", "week"),
        ("this week", "this week", "2026-11-23", "2026-11-29", "week"),
        ("last month", "last month", "2026-10-01", "2026-10-31", "month"),
        ("this month", "this month", "2026-11-01", "2026-11-30", "month"),
        ("la semana pasada", "la semana pasada", "2026-11-16", "2026-11-22", "week"),
        ("el mes que viene", "el mes que viene", "2026-12-01", "2026-12-31", "month"),
        ("este mes", "este mes", "2026-11-01", "2026-11-30", "month"),
        ("payments in March", "March", "2026-03-01", "2026-03-31", "month"),
        ("statement for February 2024", "February 2024", "2024-02-01", "2024-02-29", "month"),
        ("gastos en marzo", "marzo", "2026-03-01", "2026-03-31", "month"),
        ("the last 30 days", "the last 30 days", "2026-10-28", "2026-11-27", "day"),
        ("los últimos 3 meses", "los últimos 3 meses", "2026-08-27", "2026-11-27", "month"),
    ],
)
def test_periods_are_inclusive_from_to_ranges(extractor, text, span, start, end, grain):
    entities = parse(extractor, text)
    assert [(text[e["start"] : e["end"]], e["value"]) for e in entities] == [
        (span, {"from": start, "to": end})
    ]
    assert entities[0]["additional_info"] == {"grain": grain}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("last friday", "2026-11-20"),
        ("this friday", "2026-11-27"),
        ("this monday", "2026-11-23"),
        ("next monday", "2026-11-30"),
        ("last wednesday", "2026-11-18"),
    ],
)
def test_weekdays_relative_to_a_wednesday(text, value):
    assert found(make(now=WEDNESDAY), text) == [("date", text, value)]


def test_numeric_dates_are_day_first_outside_the_us():
    uk = make({"default_region": "GB"})
    assert found(uk, "on 12/03/2025") == [("date", "12/03/2025", "2025-03-12")]
    assert found(uk, "on 2025-03-12") == [("date", "2025-03-12", "2025-03-12")]


def test_today_is_the_date_in_the_configured_time_zone():
    late_evening_in_new_york = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
    new_york = make({"timezone": "America/New_York"}, now=late_evening_in_new_york)
    assert found(new_york, "today") == [("date", "today", "2026-11-26")]
    assert found(make(now=late_evening_in_new_york), "today") == [("date", "today", "2026-11-27")]


@pytest.mark.parametrize(
    "text",
    [
        "may I pay my bill",
        "we march on",
        "fui al banco esta mañana",
        "3 days",
        "on 12/03",
        "version 1.2.3",
        "at 5:30",
        "31 February 2025",
    ],
)
def test_non_dates_are_not_dates(extractor, text):
    assert found(extractor, text, "date") == []


def test_spanish_dates_can_be_switched_off():
    english_only = make({"date_languages": ["en"]})
    assert found(english_only, "ayer pagué") == []
    assert found(english_only, "yesterday") == [("date", "yesterday", "2026-11-26")]


# --- whole messages -------------------------------------------------------------------


def test_offsets_cut_each_entity_out_of_a_mixed_message(extractor):
    text = (
        "Hi! Please send $1,250.75 to maria.lopez@correo.es on 12 March, "
        "or call +44 20 7946 0958 — not APP-100001 😀"
    )
    assert found(extractor, text) == [
        ("amount", "$1,250.75", {"amount": "1250.75", "currency": "USD"}),
        ("email", "maria.lopez@correo.es", "maria.lopez@correo.es"),
        ("date", "12 March", "2026-03-12"),
        ("phone_number", "+44 20 7946 0958", "+442079460958"),
    ]


def test_entities_from_other_extractors_are_kept(extractor):
    diet = {
        "entity": "account_type",
        "start": 14,
        "end": 22,
        "value": "savings",
        "extractor": "DIETClassifier",
    }
    entities = parse(extractor, "send $50 from savings", [diet])
    assert entities[0] == diet
    assert entities[1] == {
        "entity": "amount",
        "start": 5,
        "end": 8,
        "value": {"amount": "50.00", "currency": "USD"},
        "confidence": 1.0,
        "extractor": "StructuredEntityExtractor",
    }


def test_entities_are_in_the_parse_output(extractor):
    message = Message(data={TEXT: "send 20 euros tomorrow"})
    extractor.process([message])
    output = message.as_dict(only_output_properties=True)
    assert [e["entity"] for e in output["entities"]] == ["amount", "date"]


def test_dimensions_limit_what_is_extracted():
    only_email = make({"dimensions": ["email"]})
    assert found(only_email, "send $50 to a@example.com tomorrow") == [
        ("email", "a@example.com", "a@example.com")
    ]


@pytest.mark.parametrize("text", ["", "   ", None, "😀😀🙏🔥"])
def test_empty_and_emoji_only_messages_have_no_entities(extractor, text):
    assert parse(extractor, text) == []


@pytest.mark.parametrize("kind", ["very_long", "mixed_language"])
def test_long_and_mixed_messages_give_valid_entities(extractor, kind):
    text = BAD_INPUTS[kind]
    for entity in parse(extractor, text):
        assert 0 <= entity["start"] < entity["end"] <= len(text)
        assert text[entity["start"] : entity["end"]].strip()


def test_only_the_first_max_chars_are_scanned():
    text = "filler " * 300 + "send $50 on 12 March"  # 2,100 characters of filler first
    assert found(make(), text) == []
    assert [e for e, _, _ in found(make({"max_chars": 5000}), text)] == ["amount", "date"]


def test_the_scan_window_never_cuts_a_number_in_half():
    text = "x" * 1995 + " $5000"  # the 2,000-character cut falls inside "$5000"
    assert found(make(), text) == []


def test_a_five_thousand_character_message_with_many_entities_is_bounded(extractor):
    text = ("pay $50 on 12 March to a@example.com or (415) 555-0134. " * 100)[:5000]
    entities = parse(extractor, text)
    assert entities
    assert all(e["end"] <= 2000 for e in entities)
    assert all(text[e["start"] : e["end"]] for e in entities)


# --- configuration and Rasa's graph ---------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("dimensions", ["email", "iban"]),
        ("dimensions", []),
        ("default_region", "USA"),
        ("default_region", 1),
        ("default_currency", "dollars"),
        ("date_languages", ["en", "fr"]),
        ("timezone", "Mars/Olympus_Mons"),
        ("max_chars", 0),
        ("max_chars", True),
    ],
)
def test_bad_config_names_the_key(key, value):
    with pytest.raises(InvalidConfigException, match=key):
        StructuredEntityExtractor({key: value})


def test_created_and_loaded_through_rasa_model_storage(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("structured_entities")
    context = ExecutionContext(GraphSchema({}), node_name="run_StructuredEntityExtractor0")
    config = {**StructuredEntityExtractor.get_default_config(), "default_currency": "GBP"}

    created = StructuredEntityExtractor.create(config, storage, resource, context)
    loaded = StructuredEntityExtractor.load(config, storage, resource, context)

    for component in (created, loaded):
        assert found(component, "send 75 to Bob") == [
            ("amount", "75", {"amount": "75.00", "currency": "GBP"})
        ]


def test_rasa_train_and_parse_include_structured_entities(tmp_path, monkeypatch):
    """End to end through `rasa train nlu` and the parse call behind /model/parse."""
    import asyncio

    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))
    (tmp_path / "nlu.yml").write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: transfer_money\n"
        "  examples: |\n"
        "    - send money to Bob\n    - transfer money\n    - pay my friend\n"
        "- intent: greet\n"
        "  examples: |\n"
        "    - hello\n    - hi there\n    - good morning\n",
        encoding="utf-8",
    )
    (tmp_path / "config.yml").write_text(
        "recipe: default.v1\n"
        "language: en\n"
        "assistant_id: entities-test\n"
        "pipeline:\n"
        "  - name: WhitespaceTokenizer\n"
        "  - name: CountVectorsFeaturizer\n"
        "  - name: LogisticRegressionClassifier\n"
        "  - name: bot.components.entities.StructuredEntityExtractor\n"
        "    default_currency: USD\n"
        "policies: []\n",
        encoding="utf-8",
    )
    model = train_nlu(
        str(tmp_path / "config.yml"), str(tmp_path / "nlu.yml"), str(tmp_path / "models")
    )
    parsed = asyncio.run(
        Agent.load(model).parse_message("send 40 to bob@example.com or +1 415 555 0134")
    )

    assert [(e["entity"], e["value"]) for e in parsed["entities"]] == [
        ("amount", {"amount": "40.00", "currency": "USD"}),
        ("email", "bob@example.com"),
        ("phone_number", "+14155550134"),
    ]
    assert {e["extractor"] for e in parsed["entities"]} == {"StructuredEntityExtractor"}
