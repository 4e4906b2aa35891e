"""The served NLU: /model/parse on the running Rasa server, and the slots it feeds."""

from __future__ import annotations

import httpx
import pytest

from connectors.web_messages import customer_conversation_id

pytestmark = pytest.mark.stack

BAD_INPUTS = ["", "   ", "😡😡😡", "my card was declined again " * 200, "hola, my card no funciona"]


def parse(stack_config, text: str) -> dict:
    response = httpx.post(
        f"{stack_config.rasa_url}/model/parse",
        params={"token": stack_config.rasa_api_token},
        json={"text": text},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def entities(parsed: dict) -> dict[str, object]:
    return {entity["entity"]: entity["value"] for entity in parsed["entities"]}


def test_every_parse_has_intent_entities_sentiment_and_language(stack_config):
    for text in ["what's my savings balance?", *BAD_INPUTS]:
        parsed = parse(stack_config, text)
        assert {"intent", "entities", "sentiment", "language"} <= parsed.keys(), text
        assert parsed["sentiment"]["label"] in {"negative", "neutral", "positive"}
        assert 0.0 <= parsed["sentiment"]["score"] <= 1.0


def test_banking_requests_get_their_intents_and_normalised_entities(stack_config):
    balance = parse(stack_config, "how much is in my chequing account")
    assert balance["intent"]["name"] == "check_balance"
    assert entities(balance)["account_type"] == "checking"

    contact = parse(stack_config, "please change my phone number to +44 20 7946 0958")
    assert contact["intent"]["name"] == "update_contact_details"
    assert entities(contact)["phone_number"] == "+442079460958"
    assert entities(contact)["contact_field"] == "phone"

    application = parse(stack_config, "any news on my mortgage application APP-100002?")
    assert application["intent"]["name"] == "track_application"
    assert entities(application)["application_type"] == "mortgage"
    assert entities(application)["application_reference"] == "APP-100002"


def test_nonsense_and_other_topics_are_rejected(stack_config):
    for text in ["asdfghjkl qwerty", "what's a good recipe for lasagna", "who won the world cup"]:
        assert parse(stack_config, text)["intent"]["name"] in {"out_of_scope", "nlu_fallback"}


def slots(stack_config, conversation: str) -> dict:
    url = f"{stack_config.rasa_url}/conversations/{conversation}/tracker"
    tracker = httpx.get(url, params={"token": stack_config.rasa_api_token}, timeout=30)
    tracker.raise_for_status()
    return tracker.json()["slots"]


def test_language_and_sentiment_reach_the_conversation_slots(stack_config, say, conversation_id):
    sender = "nlu-slots-1"
    say(sender, "hola, quiero saber el saldo de mi cuenta de ahorros")
    say(sender, "ok")  # too short to tell: the conversation stays in Spanish
    assert slots(stack_config, conversation_id(sender))["language"] == "es"

    say(sender, "this is ridiculous, my card was declined again and nobody helps me!!")
    after = slots(stack_config, conversation_id(sender))
    assert after["language"] == "en"
    assert after["sentiment"] == "negative"
    assert after["negative_turns"] == 1


@pytest.mark.parametrize(
    "path", ["/conversations/web-anything/tracker", "/model/parse", "/status", "/domain"]
)
def test_rasa_http_api_answers_nothing_without_its_token(stack_config, path) -> None:
    # Conversations hold personal data: Rasa's API is closed without the token.
    url = f"{stack_config.rasa_url}{path}"
    answer = httpx.post(url, json={"text": "hi"}) if path == "/model/parse" else httpx.get(url)
    assert answer.status_code == 401
    wrong = httpx.get(f"{stack_config.rasa_url}/status", params={"token": "guess"})
    assert wrong.status_code == 401


def test_a_new_session_starts_clean_in_the_apps_locale(stack_config, demo_login, rasa_api):
    """``/session_start`` (the app opening a new visit): Rasa starts a session that carries
    none of the old one's slots (its history stays out of every later turn), and the
    language comes from the app's locale until a message is reliably detected."""
    customer = "CUST-0021"
    headers = {"Authorization": f"Bearer {demo_login.sign(customer, 600)}"}

    def post(message: str, locale: str | None = None) -> list[dict]:
        body: dict = {"message": message}
        if locale:
            body["metadata"] = {"locale": locale}
        answer = httpx.post(f"{stack_config.web_url}/messages", json=body, headers=headers)
        answer.raise_for_status()
        return answer.json()["messages"]

    post("my card got declined again, this is ridiculous")
    post("what's my balance")
    assert post("/session_start", locale="es-MX") == []  # nothing answered
    assert post("ok", locale="es-MX")

    sender = customer_conversation_id(customer)
    events = rasa_api.get(f"/conversations/{sender}/tracker").json()["events"]
    starts = [i for i, e in enumerate(events) if e["event"] == "session_started"]
    latest = events[starts[-1] :]
    slot_events = [(e["name"], e["value"]) for e in latest if e["event"] == "slot"]
    # only what the one new message set: nothing of the balance or the upset streak
    assert {name for name, _ in slot_events} <= {
        "language", "sentiment", "sentiment_score", "negative_turns", "session_started_metadata"
    }  # fmt: skip
    assert dict(slot_events)["language"] == "es"
    assert dict(slot_events)["negative_turns"] == 0
    transcript = httpx.get(f"{stack_config.web_url}/transcript", headers=headers).json()
    assert [m["sender"] for m in transcript["messages"]][:1] == ["customer"]
    assert transcript["messages"][0]["text"] == "ok"
