"""Personal data through every channel of the real stack, then a scan of every log file,
every stored event and every broker message for it.

Rasa and the action server run at DEBUG here (tests/privacy/conftest.py), where Rasa
quotes message text. The probes: an email, a phone number, an account number, a street
address, the one-time codes core banking sends, the caller's number, and the JWTs the
customers sign in with (also pasted into a message). The policy (bot/privacy.yml) keeps
the new email in the tracker store's in-flight vault while the contact form runs: that
is asserted explicitly, and that it is gone when the form ends.
"""

from __future__ import annotations

import re
import sqlite3
import time
from xml.etree import ElementTree

import httpx
import pytest
import socketio
from twilio.request_validator import RequestValidator

from connectors.agent_desk.sessions import CSRF_HEADER
from scripts.channel_env import voice_channel_env
from tests.privacy.broker import drain

pytestmark = pytest.mark.stack

EMAIL = "privacy.probe.7431@example.org"
PHONE = "+1 415 555 0199"
ACCOUNT = "4820193746"
ADDRESS = "221 Juniper Lane"
CALLER = "+15005550042"
STATIC_PROBES = {
    "email": EMAIL,
    "phone": PHONE,
    "phone digits": "4155550199",
    "account number": ACCOUNT,
    "street address": ADDRESS,
    "caller number": CALLER,
}


@pytest.fixture(scope="module")
def probes() -> dict[str, str]:
    """What must not be found; the tests add the codes and tokens they use."""
    return dict(STATIC_PROBES)


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def latest_code(core_api, customer_id: str) -> str:
    body = core_api.get("/v1/outbox", params={"customer_id": customer_id, "limit": 1}).json()
    return re.search(r"\b(\d{6})\b", str(body)).group(1)


def tracker_db(stack_config) -> sqlite3.Connection:
    return sqlite3.connect(stack_config.tracker_store_db)


def inflight(stack_config, conversation: str) -> str:
    with tracker_db(stack_config) as db:
        rows = db.execute(
            "SELECT slots FROM privacy_inflight_slots WHERE sender_id = ?", (conversation,)
        ).fetchall()
    return " ".join(row[0] for row in rows)


def test_web_http_contact_change_keeps_the_email_only_while_the_form_needs_it(
    say, core_api, demo_login, stack_config, conversation_id, probes
):
    customer = "CUST-0001"
    conversation = conversation_id(customer)
    probes["jwt (CUST-0001)"] = demo_login.mint(customer)
    say(customer, "I want to change my email address")
    assert "one-time code" in texts(say(customer, EMAIL))
    assert EMAIL in inflight(stack_config, conversation)  # the policy: kept while needed
    code = latest_code(core_api, customer)
    probes["one-time code (web)"] = code
    assert "confirm" in texts(say(customer, code)).lower()
    say(customer, "yes")

    assert core_api.get(f"/v1/customers/{customer}/contact").json()["email"] == EMAIL
    assert inflight(stack_config, conversation) == ""  # gone once the form ended
    say(customer, f"my account number is {ACCOUNT} and I live at {ADDRESS}")
    say(customer, f"here is my token {probes['jwt (CUST-0001)']}")


def test_web_socket_messages_and_a_cancelled_phone_change(
    stack_config, demo_login, conversation_id, probes
):
    token = demo_login.mint("CUST-0003")
    probes["jwt (CUST-0003)"] = token
    conversation = conversation_id("CUST-0003")
    client = socketio.Client(reconnection=False)
    replies: list[dict] = []
    client.on("bot_uttered", replies.append)
    client.connect(
        stack_config.rasa_url, auth={"token": token}, transports=["websocket"], wait_timeout=10
    )

    def chat(message: str) -> None:
        expected = len(replies) + 1
        client.emit("user_uttered", {"message": message})
        deadline = time.monotonic() + 60
        while len(replies) < expected and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(replies) >= expected, f"no reply over the socket to {message[:12]!r}"
        time.sleep(0.5)  # the rest of the turn's replies

    try:
        client.emit("session_request", {})
        chat(f"what is the balance of my account {ACCOUNT}")
        chat("I want to change my phone number")
        chat(PHONE)
        assert "+14155550199" in inflight(stack_config, conversation)  # the form needs it
        chat("cancel")
        assert inflight(stack_config, conversation) == ""
    finally:
        client.disconnect()


def test_voice_call_with_keypad_code_and_spoken_details(stack_config, core_api, probes):
    env = voice_channel_env(stack_config.core_url, stack_config.core_api_key)
    validator = RequestValidator(env["TWILIO_AUTH_TOKEN"])
    base = f"{stack_config.rasa_url}/webhooks/bank_voice"
    call_sid = "CA" + "4" * 32

    def send(route: str = "webhook", **fields: str) -> str:
        params = {
            "CallSid": call_sid,
            "AccountSid": "AC" + "1" * 32,
            "From": CALLER,
            "To": "+15005550001",
            "CallStatus": "in-progress",
            **fields,
        }
        url = f"{base}/{route}"
        signature = validator.compute_signature(url, params)
        headers = {"X-Twilio-Signature": signature}
        response = httpx.post(url, data=params, headers=headers, timeout=30)
        assert response.status_code in (200, 204), response.text
        if not response.text:
            return ""
        spoken = ElementTree.fromstring(response.text).iter("Say")
        return " ".join("".join(say.itertext()) for say in spoken)

    send(CallStatus="ringing")
    send(SpeechResult="what's my balance", Confidence="0.9")
    assert "code" in send(Digits="0001")
    code = latest_code(core_api, "CUST-0001")
    probes["one-time code (voice)"] = code
    assert "dollars" in send(Digits=code)
    send(SpeechResult=f"I moved to {ADDRESS} and my email is {EMAIL}", Confidence="0.9")
    send(SpeechResult=f"my account number is {ACCOUNT}", Confidence="0.9")
    send("status", CallStatus="completed")


def test_handoff_both_ways_through_the_agent_desk(
    say, stack_config, conversation_id, demo_login, probes
):
    customer = "CUST-0002"
    conversation = conversation_id(customer)
    probes["jwt (CUST-0002)"] = demo_login.mint(customer)
    assert "bringing in a person" in texts(say(customer, "can I speak to an agent please"))
    service = {"Authorization": f"Bearer {stack_config.handoff_service_token}"}
    with httpx.Client(base_url=stack_config.desk_url, timeout=15) as desk:
        ticket_id = desk.get(
            "/api/tickets/open", params={"conversation_id": conversation}, headers=service
        ).json()["ticket"]["id"]
        desk.headers[CSRF_HEADER] = "1"
        signed_in = desk.post(
            "/desk/api/session",
            json={"agent_id": "ava", "password": stack_config.desk_demo_agent_password},
        )
        assert signed_in.status_code == 200, signed_in.text
        assert desk.post(f"/desk/api/tickets/{ticket_id}/claim").status_code == 200
        assert say(customer, f"my account is {ACCOUNT}, email {EMAIL}, phone {PHONE}") == []

        seen = ""
        deadline = time.monotonic() + 30  # the desk syncs customer messages every second
        while "my account is" not in seen and time.monotonic() < deadline:
            time.sleep(0.5)
            seen = desk.get(f"/desk/api/tickets/{ticket_id}/messages").text
        # The policy redacts what Rasa stores, so the agent sees it redacted too.
        assert "my account is [number], email [email], phone [phone]" in seen
        sent = desk.post(
            f"/desk/api/tickets/{ticket_id}/messages",
            json={"text": f"Thanks, I have {ADDRESS} and {PHONE} on file."},
        )
        assert sent.status_code == 201, sent.text
        closed = desk.post(f"/desk/api/tickets/{ticket_id}/close", json={"outcome": "resolved"})
        assert closed.status_code == 200, closed.text


def found_in(text: str, probes: dict[str, str]) -> list[str]:
    return [name for name, value in probes.items() if value in text]


def test_no_log_holds_personal_data(stack_config, probes):
    logs = sorted((stack_config.run_dir / "log").glob("*.log"))
    assert {p.stem for p in logs} >= {"core-banking", "actions", "rasa", "agent-desk"}
    leaks = {p.name: found_in(p.read_text(errors="replace"), probes) for p in logs}
    assert {name: kinds for name, kinds in leaks.items() if kinds} == {}
    rasa_log = (stack_config.run_dir / "log" / "rasa.log").read_text(errors="replace")
    # DEBUG was on (Rasa 3.6 logs each parsed message's text), and filtered
    assert '"parse_data_text": "[message]"' in rasa_log


def test_no_stored_event_holds_personal_data(stack_config, probes):
    with tracker_db(stack_config) as db:
        events = [row[0] for row in db.execute("SELECT data FROM events")]
        vault = db.execute("SELECT count(*) FROM privacy_inflight_slots").fetchone()[0]
    stored = "\n".join(events)
    assert len(events) > 50
    assert found_in(stored, probes) == []
    assert "[email]" in stored and "[number]" in stored  # the probes went through, masked
    assert vault == 0  # no form is still running


def test_no_broker_message_holds_personal_data(broker_queue, probes, stack_config):
    messages = drain(broker_queue, delete=True)
    published = "\n".join(str(message) for message in messages)
    assert len(messages) > 50
    assert {m.get("event") for m in messages} >= {"user", "bot", "slot"}
    assert found_in(published, probes) == []
    assert "[email]" in published
