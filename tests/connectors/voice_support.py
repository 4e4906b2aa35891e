"""Helpers for the voice channel tests: a phone (signed Twilio requests), a stand-in for
Rasa, the real core_mock app on a free port, and the Sanic app served over ASGI."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import uvicorn
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from twilio.request_validator import RequestValidator

from core_mock.app import create_app
from core_mock.db import create_engine
from core_mock.seed import SeedOptions, seed_database
from core_mock.settings import load_settings

AUTH_TOKEN = "test-twilio-auth-token"
CORE_API_KEY = "voice-test-core-key"
PUBLIC_URL = "https://voice.bank.example/webhooks/bank_voice"
PREFIX = "/webhooks/bank_voice"
TODAY = date(2026, 11, 28)
BALANCE_TEXT = "Your checking account ****1234 has $4,612.40 available."
SIGN_IN = {
    "text": "I can't see which customer you are yet. Please log in to online banking.",
    "utter_action": "utter_balance_unauthenticated",
}


# -- the real core banking app ---------------------------------------------------------


@contextmanager
def serve_core_mock(folder: Path) -> Iterator[str]:
    """core_mock on a free loopback port, seeded like tests/actions' integration tests."""
    url = f"sqlite:///{folder / 'core.sqlite3'}"
    engine = create_engine(url)
    seed_database(engine, SeedOptions(customers=4, months=1, seed=42, as_of=TODAY))
    engine.dispose()
    app = create_app(load_settings(database_url=url, api_key=CORE_API_KEY))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "core_mock did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)


async def latest_code(core_url: str, customer_id: str) -> str:
    """The one-time code core banking texted, read from its outbox like a phone would."""
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(
            f"{core_url}/v1/outbox",
            params={"customer_id": customer_id, "limit": 1},
            headers={"X-API-Key": CORE_API_KEY},
        )
    response.raise_for_status()
    body = response.json()["notifications"][0]["body"]
    match = re.match(r"(\d{6}) is your verification code", body)
    assert match, "no code in the outbox"
    return match.group(1)


# -- a stand-in for Rasa ------------------------------------------------------------------


Reply = Callable[[UserMessage], Awaitable[list[dict[str, Any]]]]


class FakeRasa:
    """Plays Rasa's part: records each UserMessage and answers through its output channel
    the way Rasa does (``send_response`` with the response name as ``utter_action``)."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []
        self.reply: Reply = self.banking_bot
        self.gate: asyncio.Event | None = None  # set to hold answers back (a slow back end)

    async def on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.gate is not None:
            await self.gate.wait()
        for response in await self.reply(message):
            await message.output_channel.send_response(message.sender_id, dict(response))

    @staticmethod
    async def banking_bot(message: UserMessage) -> list[dict[str, Any]]:
        """Balance questions answered only for a customer the channel vouched for."""
        if "balance" not in (message.text or ""):
            return [{"text": "Our branches open at 9 am.", "utter_action": "utter_hours"}]
        if (message.metadata or {}).get("customer_id"):
            return [{"text": BALANCE_TEXT}]
        return [dict(SIGN_IN)]


# -- the phone ----------------------------------------------------------------------------


class Phone:
    """Twilio's side of one call: signed form posts, TwiML answers parsed."""

    def __init__(self, client: httpx.AsyncClient, call_sid: str = "CA" + "0" * 31 + "1") -> None:
        self.client = client
        self.call_sid = call_sid

    def params(self, **fields: str) -> dict[str, str]:
        return {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "9" * 32,
            "From": "+15005550006",
            "To": "+15005550001",
            "CallStatus": "in-progress",
            **fields,
        }

    async def post(
        self, route: str, params: dict[str, str], signature: str | None = "sign"
    ) -> httpx.Response:
        url = f"{PUBLIC_URL}/{route}"
        headers = {}
        if signature == "sign":
            headers["X-Twilio-Signature"] = RequestValidator(AUTH_TOKEN).compute_signature(
                url, params
            )
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return await self.client.post(f"{PREFIX}/{route}", data=params, headers=headers)

    async def ring(self) -> ElementTree.Element:
        return await self.send(CallStatus="ringing")

    async def say(self, speech: str) -> ElementTree.Element:
        return await self.send(SpeechResult=speech, Confidence="0.9")

    async def press(self, keys: str) -> ElementTree.Element:
        return await self.send(Digits=keys)

    async def silence(self) -> ElementTree.Element:
        return await self.send()

    async def send(self, route: str = "webhook", **fields: str) -> ElementTree.Element:
        response = await self.post(route, self.params(**fields))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        return ElementTree.fromstring(response.text)

    async def follow(self, twiml: ElementTree.Element) -> ElementTree.Element:
        """Do what a <Redirect> says: post to its URL (signed for that URL)."""
        redirect = twiml.find("Redirect")
        assert redirect is not None and redirect.text, "no <Redirect>"
        return await self.send(redirect.text.removeprefix(f"{PUBLIC_URL}/"))


def spoken(twiml: ElementTree.Element) -> str:
    """Everything the caller hears, as one string (SSML tags dropped)."""
    texts = ["".join(say.itertext()) for say in twiml.iter("Say")]
    return re.sub(r"\s+", " ", " ".join(texts)).strip()


def listens(twiml: ElementTree.Element) -> bool:
    gather = twiml.find("Gather")
    return gather is not None and gather.get("input") == "speech dtmf"


@asynccontextmanager
async def asgi_client(app: Sanic) -> AsyncIterator[httpx.AsyncClient]:
    """The Sanic app with its startup done (ASGI lifespan), reached over httpx."""
    Sanic.test_mode = True  # what sanic-testing sets: lets several apps start in one process
    incoming: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    outgoing: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "after_server_stop in ASGI mode"
        lifespan = asyncio.create_task(
            app({"type": "lifespan", "asgi": {"version": "3.0"}}, incoming.get, outgoing.put)
        )
        await incoming.put({"type": "lifespan.startup"})
        started = asyncio.create_task(outgoing.get())
        await asyncio.wait({started, lifespan}, return_when=asyncio.FIRST_COMPLETED)
        assert started.done(), f"the Sanic app did not start: {lifespan.exception()!r}"
        assert started.result()["type"] == "lifespan.startup.complete"
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://rasa.test") as client:
            yield client
    finally:
        await incoming.put({"type": "lifespan.shutdown"})
        assert (await outgoing.get())["type"] == "lifespan.shutdown.complete"
        # Sanic 21.12 then handles the lifespan scope as if it were a request and fails.
        with suppress(AttributeError):
            await lifespan
