"""The bank_web channel over real HTTP and Socket.IO connections (a real Sanic server
in a subprocess; a stand-in plays Rasa, see web_channel_server.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import pytest
import socketio

from connectors.web_messages import customer_conversation_id
from scripts.channel_env import demo_key_pair
from scripts.stack import free_port
from tests.connectors.web_channel_server import AUDIENCE, ISSUER

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Server:
    url: str
    private_key: str
    attacker_key: str

    def token(self, customer_id: str = "CUST-0001", **overrides: object) -> str:
        now = int(time.time())
        claims = {"sub": customer_id, "iat": now, "exp": now + 600, "iss": ISSUER, "aud": AUDIENCE}
        key = str(overrides.pop("key", self.private_key))
        algorithm = str(overrides.pop("algorithm", "RS256"))
        claims.update(overrides)
        return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm)

    def post(self, path: str, token: str | None = None, **body: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(f"{self.url}{path}", json=body, headers=headers, timeout=10)


@contextmanager
def running_server(login: Path, attacker: Path, *limits: str) -> Iterator[Server]:
    """The channel on a real Sanic server in a subprocess, with key pairs made in the two
    folders; ``limits`` are ``key=value`` rate-limit settings."""
    keys, attacker_keys = demo_key_pair(login), demo_key_pair(attacker)
    port = free_port()
    limit_args = [arg for limit in limits for arg in ("--limit", limit)]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.connectors.web_channel_server", "--port", str(port),
         "--key-file", str(keys.public_key_file),
         "--demo-key-file", str(keys.private_key_file), *limit_args],
        cwd=ROOT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/webhooks/bank_web/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the web channel test server did not start")
            time.sleep(0.2)
        yield Server(
            url, keys.private_key_file.read_text(), attacker_keys.private_key_file.read_text()
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(
        tmp_path_factory.mktemp("bank_login"), tmp_path_factory.mktemp("attacker")
    ) as started:
        yield started


MESSAGES = "/webhooks/bank_web/messages"


# ---- HTTP/JSON -----------------------------------------------------------------------


def test_signed_in_customer_is_the_one_the_token_names(server: Server) -> None:
    answer = server.post(MESSAGES, server.token("CUST-0003"), message="hello")
    assert answer.status_code == 200
    assert answer.json()["conversation_id"] == customer_conversation_id("CUST-0003")
    assert [m["text"] for m in answer.json()["messages"]] == ["echo: hello for CUST-0003"]


def test_client_supplied_sender_and_identity_are_ignored(server: Server) -> None:
    answer = server.post(
        MESSAGES,
        server.token("CUST-0001"),
        message="hello",
        sender="CUST-0002",
        metadata={"customer_id": "CUST-0002", "auth": "jwt", "locale": "en-GB"},
    )
    assert answer.json()["conversation_id"] == customer_conversation_id("CUST-0001")
    assert answer.json()["messages"][0]["text"] == "echo: hello for CUST-0001"


def test_anonymous_visitor_cannot_claim_a_customer(server: Server) -> None:
    visitor = "visitor-2f1c8a52-3b7e-4d2a-9c61-0d5e8f7a1b23"
    answer = server.post(
        MESSAGES, message="hi", visitor_id=visitor, metadata={"customer_id": "CUST-0001"}
    )
    assert answer.status_code == 200
    assert answer.json()["conversation_id"] == visitor
    assert answer.json()["messages"][0]["text"] == "echo: hi for visitor"


def test_a_malformed_visitor_id_gets_a_fresh_one(server: Server) -> None:
    answer = server.post(MESSAGES, message="hi", visitor_id="CUST-0001")
    assert answer.json()["conversation_id"].startswith("visitor-")
    assert answer.json()["messages"][0]["text"] == "echo: hi for visitor"


def test_no_token_and_no_visitor_id_is_refused(server: Server) -> None:
    answer = server.post(MESSAGES, message="what's my balance")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "token_missing"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"exp": int(time.time()) - 60}, "token_expired"),
        ({"key": "attacker"}, "token_invalid_signature"),
        ({"aud": "another-app"}, "token_wrong_audience"),
        ({"iss": "https://evil.example"}, "token_wrong_issuer"),
        ({"sub": "someone"}, "token_invalid"),
        ({"exp": None}, "token_invalid"),
    ],
)
def test_bad_tokens_get_a_clear_error_and_no_reply(server: Server, overrides, code) -> None:
    if overrides.get("key") == "attacker":
        overrides = {**overrides, "key": server.attacker_key}
    answer = server.post(MESSAGES, server.token("CUST-0001", **overrides), message="balance")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == code
    assert "sign in" in answer.json()["error"]["message"]
    assert "messages" not in answer.json()


def test_an_hs256_token_is_refused_by_an_rs256_channel(server: Server) -> None:
    # Only the configured algorithm is accepted (no algorithm-confusion attacks).
    token = jwt.encode(
        {"sub": "CUST-0001", "iat": 1, "exp": 4_000_000_000, "iss": ISSUER, "aud": AUDIENCE},
        "a-secret-that-is-long-enough-for-hs256-tokens",
        algorithm="HS256",
    )
    answer = server.post(MESSAGES, token, message="balance")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "token_invalid_signature"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "token abc"])
def test_authorization_that_is_not_a_bearer_token_is_refused(server: Server, header) -> None:
    answer = httpx.post(
        f"{server.url}{MESSAGES}", json={"message": "hi"}, headers={"Authorization": header}
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "token_malformed"


@pytest.mark.parametrize("message", ["", "   ", None, 42, "x" * 2001])
def test_invalid_messages_get_a_clear_400(server: Server, message) -> None:
    answer = server.post(MESSAGES, server.token(), message=message)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "message_invalid"


def test_a_failure_behind_the_channel_is_a_503_without_details(server: Server) -> None:
    answer = server.post(MESSAGES, server.token("CUST-0004"), message="boom")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "assistant_unavailable"
    assert "RuntimeError" not in answer.text and "Traceback" not in answer.text


def test_a_silent_bot_gets_an_apology_but_a_paused_one_stays_quiet(server: Server) -> None:
    silent = server.post(MESSAGES, server.token("CUST-0005"), message="silent")
    assert [m["text"] for m in silent.json()["messages"]] == [
        "Sorry, I can't answer that right now. Please try again in a moment."
    ]
    paused = server.post(MESSAGES, server.token("CUST-0006"), message="pause")
    assert paused.status_code == 200 and paused.json()["messages"] == []
    still = server.post(MESSAGES, server.token("CUST-0006"), message="silent")
    assert still.json()["messages"] == []  # an agent has the conversation


def test_a_new_session_is_started_quietly(server: Server) -> None:
    token = server.token("CUST-0011")
    started = server.post(MESSAGES, token, message="/session_start")
    assert started.status_code == 200 and started.json()["messages"] == []  # no apology
    server.post(MESSAGES, token, message="hello")
    shown = httpx.get(
        f"{server.url}/webhooks/bank_web/transcript",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()["messages"]
    assert [m["text"] for m in shown] == ["hello", "echo: hello for CUST-0011"]


def test_transcript_keeps_the_conversation_with_button_titles(server: Server) -> None:
    token = server.token("CUST-0002")
    server.post(MESSAGES, token, message="buttons")
    payload = '/select_account{"account_id":"ACC-2"}'
    server.post(MESSAGES, token, message=payload, metadata={"display_text": "Savings"})
    answer = httpx.get(
        f"{server.url}/webhooks/bank_web/transcript",
        headers={"Authorization": f"Bearer {token}"},
    )
    messages = answer.json()["messages"]
    assert [(m["sender"], m["text"]) for m in messages][-4:] == [
        ("customer", "buttons"),
        ("bot", "echo: buttons for CUST-0002"),
        ("customer", "Savings"),
        ("bot", f"echo: {payload} for CUST-0002"),
    ]
    assert [b["title"] for b in messages[-3]["buttons"]] == ["Checking", "Savings"]


def test_transcript_of_another_customer_is_out_of_reach(server: Server) -> None:
    server.post(MESSAGES, server.token("CUST-0003"), message="secret plans")
    answer = httpx.get(
        f"{server.url}/webhooks/bank_web/transcript",
        params={"visitor_id": customer_conversation_id("CUST-0003")},
    )
    texts = [m["text"] for m in answer.json()["messages"]]
    assert not any("secret plans" in text for text in texts)


def test_demo_login_signs_in_demo_customers_only(server: Server) -> None:
    login = server.post("/webhooks/bank_web/demo/login", customer_id="CUST-0001")
    assert login.status_code == 200
    assert login.json()["customer_name"] == "Alice Morgan"
    answer = server.post(MESSAGES, login.json()["token"], message="hello")
    assert answer.json()["messages"][0]["text"] == "echo: hello for CUST-0001"
    refused = server.post("/webhooks/bank_web/demo/login", customer_id="CUST-0042")
    assert refused.status_code == 400


@pytest.mark.parametrize(
    "path", ["/webhooks/bank_web/widget/..%2F..%2Fpyproject.toml", "/webhooks/bank_web/demo/nope"]
)
def test_static_routes_serve_nothing_outside_their_folder(server: Server, path) -> None:
    assert httpx.get(f"{server.url}{path}").status_code == 404


# ---- Socket.IO -----------------------------------------------------------------------


class Device:
    """One Socket.IO client (a browser tab or a phone) and what it received."""

    def __init__(self) -> None:
        self.client = socketio.Client(reconnection=False)
        self.received: list[tuple[str, object]] = []
        self._lock = threading.Lock()
        for event in ("session_confirm", "bot_uttered", "user_uttered", "bot_typing", "error"):
            self.client.on(event, self._recorder(event))
        self.client.on("connect_error", self._recorder("connect_error"))

    def _recorder(self, event: str):
        def record(data: object = None) -> None:
            with self._lock:
                self.received.append((event, data))

        return record

    def connect(self, url: str, auth: dict) -> None:
        self.client.connect(url, auth=auth, transports=["websocket"], wait_timeout=5)
        self.client.emit("session_request", {})
        self.wait_for("session_confirm")

    def say(self, text: str) -> None:
        self.client.emit("user_uttered", {"message": text})

    def wait_for(self, event: str, count: int = 1, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [data for name, data in self.received if name == event]
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"no {event} within {timeout} s; got {self.received}")

    def texts(self, event: str = "bot_uttered") -> list[str]:
        with self._lock:
            return [data["text"] for name, data in self.received if name == event]  # type: ignore[index]


@pytest.fixture
def devices() -> Iterator[Callable[[], Device]]:
    opened: list[Device] = []

    def open_device() -> Device:
        opened.append(Device())
        return opened[-1]

    yield open_device
    for device in opened:
        device.client.disconnect()


def test_two_devices_of_one_customer_share_the_conversation(server: Server, devices) -> None:
    laptop, phone = devices(), devices()
    laptop.connect(server.url, {"token": server.token("CUST-0001")})
    phone.connect(server.url, {"token": server.token("CUST-0001")})
    confirm = laptop.wait_for("session_confirm")[0]
    assert confirm["conversation_id"] == customer_conversation_id("CUST-0001")
    assert confirm["authenticated"] is True

    laptop.say("hello from the laptop")
    laptop.wait_for("bot_uttered")
    phone.wait_for("bot_uttered")
    assert phone.texts("user_uttered") == ["hello from the laptop"]
    assert laptop.texts("user_uttered") == []  # no echo to the device that sent it
    assert laptop.texts() == phone.texts() == ["echo: hello from the laptop for CUST-0001"]
    laptop.wait_for("bot_typing", count=2)
    typing = [data["typing"] for name, data in laptop.received if name == "bot_typing"]
    assert typing == [True, False]


def test_another_customer_sees_nothing_of_it(server: Server, devices) -> None:
    alice, chen = devices(), devices()
    alice.connect(server.url, {"token": server.token("CUST-0001")})
    chen.connect(server.url, {"token": server.token("CUST-0003")})
    alice.say("only for alice")
    alice.wait_for("bot_uttered")
    time.sleep(0.3)
    assert chen.texts() == [] and chen.texts("user_uttered") == []
    chen_transcript = chen.wait_for("session_confirm")[0]["transcript"]
    assert not any("only for alice" in m["text"] for m in chen_transcript)


@pytest.mark.parametrize(
    ("auth", "code"),
    [
        ({"token": "not-a-jwt"}, "token_malformed"),
        ({"token": "attacker"}, "token_invalid_signature"),
        ({"token": "expired"}, "token_expired"),
    ],
)
def test_a_refused_token_cannot_connect(server: Server, devices, auth, code) -> None:
    if auth["token"] == "attacker":
        auth = {"token": server.token(key=server.attacker_key)}
    elif auth["token"] == "expired":
        auth = {"token": server.token(exp=int(time.time()) - 5)}
    device = devices()
    with pytest.raises(socketio.exceptions.ConnectionError):
        device.client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=5)
    [refusal] = device.wait_for("connect_error")
    assert refusal["data"]["code"] == code  # socket.io-client: err.data.code
    assert "sign in" in refusal["message"]


def test_reconnect_receives_what_was_sent_while_away(server: Server, devices) -> None:
    device = devices()
    device.connect(server.url, {"token": server.token("CUST-0002")})
    device.say("before the drop")
    device.wait_for("bot_uttered")
    device.client.disconnect()

    conversation = customer_conversation_id("CUST-0002")
    pushed = httpx.post(f"{server.url}/test/push/{conversation}", json={"text": "agent: hi!"})
    assert pushed.status_code == 200

    again = devices()
    again.connect(server.url, {"token": server.token("CUST-0002")})
    transcript = again.wait_for("session_confirm")[0]["transcript"]
    texts = [m["text"] for m in transcript]
    assert texts[-3:] == ["before the drop", "echo: before the drop for CUST-0002", "agent: hi!"]


def test_a_pushed_message_reaches_an_open_widget(server: Server, devices) -> None:
    device = devices()
    device.connect(server.url, {"token": server.token("CUST-0004")})
    conversation = customer_conversation_id("CUST-0004")
    httpx.post(f"{server.url}/test/push/{conversation}", json={"text": "Your card is approved"})
    device.wait_for("bot_uttered")
    assert device.texts() == ["Your card is approved"]


def test_an_expired_session_stops_at_the_next_message(server: Server, devices) -> None:
    device = devices()
    device.connect(server.url, {"token": server.token("CUST-0001", exp=int(time.time()) + 2)})
    time.sleep(2.5)
    device.say("what's my balance")
    [error] = device.wait_for("error")
    assert error["code"] == "token_expired"
    time.sleep(0.3)
    assert device.texts() == []
    assert not device.client.connected


def test_anonymous_visitor_chats_and_invalid_messages_get_an_error(server: Server, devices):
    device = devices()
    device.connect(server.url, {"visitor_id": "not-a-visitor-id"})
    confirm = device.wait_for("session_confirm")[0]
    assert confirm["authenticated"] is False
    assert confirm["conversation_id"].startswith("visitor-")
    device.say("")
    [error] = device.wait_for("error")
    assert error["code"] == "message_invalid"
    device.say("opening hours?")
    device.wait_for("bot_uttered")
    assert device.texts() == ["echo: opening hours? for visitor"]


def test_a_failure_behind_the_channel_is_a_clear_error(server: Server, devices) -> None:
    device = devices()
    device.connect(server.url, {"token": server.token("CUST-0004")})
    device.say("boom")
    [error] = device.wait_for("error")
    assert error["code"] == "assistant_unavailable"
