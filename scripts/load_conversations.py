"""Simulated customers for the load benchmark (scripts/bench_load.py).

Each one signs in like the bank's login would (a JWT for a seeded customer) and talks
to the assistant over the authenticated web channel's HTTP API, turn by turn, with
realistic multi-turn conversations: a balance question, application tracking, a
contact-details change with the one-time code read from core banking's outbox (the
customer's phone), everyday questions, and a request for a person (the bot pauses;
the conversation is resumed through Rasa's API afterwards, as an agent closing it would).
The bare-Rasa baseline (``rasa init``) gets its own small conversations over Rasa's
REST channel.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

TURN_TIMEOUT_SECONDS = 30.0


@dataclass
class Tally:
    """What one load run saw: turn latencies, errors and the messages sent per conversation."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    sent: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    text: str
    expects_reply: bool = True


Say = Callable[[str, bool], Awaitable[list[dict]]]


class BankCustomer:
    """One signed-in customer of our assistant, over ``POST /webhooks/bank_web/messages``."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        web_url: str,
        token: str,
        conversation_id: str,
        tally: Tally,
    ) -> None:
        self.client, self.web_url, self.token = client, web_url, token
        self.conversation_id, self.tally = conversation_id, tally

    async def start_session(self) -> None:
        """A new visit: the app opens a new Rasa session (``/session_start``), as the bank's
        apps do when a customer opens the chat again (bare Rasa gets a new sender id). Not
        a customer turn: counted in the errors, not in the turns or their latencies."""
        answer = await self._post("/session_start")
        if answer is None or answer.status_code != 200:
            self.tally.errors += 1

    async def say(self, text: str, expects_reply: bool = True) -> list[dict]:
        self.tally.sent.setdefault(self.conversation_id, []).append(text)
        started = time.perf_counter()
        answer = await self._post(text)
        if answer is None:
            self.tally.errors += 1
            return []
        self.tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        messages = answer.json().get("messages", []) if answer.status_code == 200 else []
        if answer.status_code != 200 or (expects_reply and not messages):
            self.tally.errors += 1
        return messages

    async def _post(self, text: str) -> httpx.Response | None:
        """One message over the web channel; None when the request itself failed."""
        try:
            return await self.client.post(
                f"{self.web_url}/messages",
                json={"message": text},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=TURN_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError:
            return None


async def balance(say: Say, **_: object) -> None:
    await say("hi", True)
    await say("what's my balance", True)
    await say("thanks", True)


async def applications(say: Say, **_: object) -> None:
    replies = await say("any news on my application?", True)
    buttons = [b for reply in replies for b in reply.get("buttons", [])]
    if buttons:
        await say(buttons[0]["payload"], True)
    await say("thank you", True)


async def faq(say: Say, **_: object) -> None:
    await say("what are your opening hours", True)
    await say("how do I freeze my card", True)
    await say("bye", True)


async def contact_change(
    say: Say, *, latest_code: Callable[[], Awaitable[str | None]], **_: object
) -> None:
    replies = await say("I want to change my email address", True)
    if not any("email" in (reply.get("text") or "").lower() for reply in replies):
        return
    await say(f"load.{uuid.uuid4().hex[:10]}@example.org", True)
    code = await latest_code()
    await say(code or "000000", True)
    await say("yes", True)


async def handoff(say: Say, *, resume: Callable[[], Awaitable[None]], **_: object) -> None:
    await say("can I talk to a person please", True)
    await say("are you still there?", False)  # paused: the bot stays quiet
    await resume()


SCENARIOS = (balance, applications, faq, contact_change, handoff)
WEIGHTS = (4, 2, 3, 1, 1)


def pick_scenario(rng: random.Random):  # noqa: ANN201 (one of SCENARIOS)
    return rng.choices(SCENARIOS, weights=WEIGHTS)[0]


def code_in(outbox: object) -> str | None:
    found = re.search(r"\b(\d{6})\b", str(outbox))
    return found.group(1) if found else None


BARE_RASA_TURNS = (
    ("hi", "I am great", "bye"),
    ("hello", "I am sad", "yes", "goodbye"),
    ("hey", "very bad", "no", "bye"),
    ("good morning", "are you a bot?", "bye"),
)


class BareRasaUser:
    """A user of the ``rasa init`` bot, over Rasa's REST channel."""

    def __init__(self, client: httpx.AsyncClient, rasa_url: str, tally: Tally) -> None:
        self.client, self.rasa_url, self.tally = client, rasa_url, tally
        self.sender = f"bare-{uuid.uuid4().hex[:12]}"

    async def say(self, text: str, expects_reply: bool = True) -> list[dict]:
        self.tally.sent.setdefault(self.sender, []).append(text)
        started = time.perf_counter()
        try:
            answer = await self.client.post(
                f"{self.rasa_url}/webhooks/rest/webhook",
                json={"sender": self.sender, "message": text},
                timeout=TURN_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError:
            self.tally.errors += 1
            return []
        self.tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        replies = answer.json() if answer.status_code == 200 else []
        if answer.status_code != 200 or (expects_reply and not replies):
            self.tally.errors += 1
        return replies
