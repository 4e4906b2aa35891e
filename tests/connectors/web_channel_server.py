"""The ``bank_web`` channel on a real Sanic server, with a stand-in for Rasa (tests only).

python -m tests.connectors.web_channel_server --port N --key-file K --demo-key-file P

The stand-in keeps each conversation in Rasa's own InMemoryTrackerStore, answers
``echo: <text> for <customer id or "visitor">`` and understands a few test words:
``buttons`` (a reply with two buttons), ``slow`` (answers after 1 s), ``boom`` (raises),
``silent`` (no reply, as when a custom action fails), ``pause`` (pauses, no reply),
``/session_start`` (a new session: no reply, as Rasa's action_session_start).
``POST /test/push/<conversation_id>`` pushes a message through the channel's output
channel, as Rasa's ``trigger_intent?output_channel=bank_web`` does.
"""

from __future__ import annotations

import argparse
import asyncio
from types import SimpleNamespace

from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, ConversationPaused, UserUttered
from sanic import Sanic, response
from sanic.request import Request

from connectors.web import BankWebInput

ISSUER = "https://login.test-bank.invalid"
AUDIENCE = "bank-assistant"


def build_app(key_file: str, demo_key_file: str, limits: dict[str, str] | None = None) -> Sanic:
    app = Sanic("web_channel_test_server")
    store = InMemoryTrackerStore(Domain.empty())
    app.ctx.agent = SimpleNamespace(tracker_store=store)
    channel = BankWebInput.from_credentials(
        {
            "jwt_algorithm": "RS256",
            "jwt_key_file": key_file,
            "jwt_issuer": ISSUER,
            "jwt_audience": AUDIENCE,
            "jwt_leeway_seconds": "0",
            "demo_login": "true",
            "demo_signing_key_file": demo_key_file,
            **(limits or {}),
        }
    )
    assert isinstance(channel, BankWebInput)

    async def on_new_message(message: UserMessage) -> None:
        tracker = await store.get_or_create_tracker(message.sender_id)
        tracker.update(
            UserUttered(
                message.text, input_channel=message.input_channel, metadata=message.metadata
            )
        )
        if message.text == "boom":
            raise RuntimeError("the stand-in for Rasa failed")
        if message.text in (
            "silent",
            "pause",
            "/session_start",
        ):  # a failed custom action / an agent took over
            if message.text == "pause":
                tracker.update(ConversationPaused())
            await store.save(tracker)
            return
        if message.text == "slow":
            await asyncio.sleep(1.0)
        who = (message.metadata or {}).get("customer_id", "visitor")
        reply: dict = {"text": f"echo: {message.text} for {who}"}
        if message.text == "buttons":
            reply["buttons"] = [
                {"title": "Checking", "payload": '/select_account{"account_id":"ACC-1"}'},
                {"title": "Savings", "payload": '/select_account{"account_id":"ACC-2"}'},
            ]
        assert message.output_channel is not None
        await message.output_channel.send_response(message.sender_id, dict(reply))
        tracker.update(BotUttered(reply["text"], data={"buttons": reply.get("buttons")}))
        await store.save(tracker)

    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/bank_web")
    app.ctx.input_channels = [channel]

    @app.route("/test/push/<conversation_id:str>", methods=["POST"])
    async def push(request: Request, conversation_id: str) -> response.HTTPResponse:
        output = channel.get_output_channel()
        assert output is not None
        await output.send_response(conversation_id, {"text": request.json["text"]})
        tracker = await store.get_or_create_tracker(conversation_id)
        tracker.update(BotUttered(request.json["text"]))
        await store.save(tracker)
        return response.json({"pushed": True})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--demo-key-file", required=True)
    parser.add_argument("--limit", action="append", default=[], help="rate_limit_x=30/minute")
    args = parser.parse_args()
    limits = dict(item.split("=", 1) for item in args.limit)
    app = build_app(args.key_file, args.demo_key_file, limits)
    app.run(host="127.0.0.1", port=args.port, access_log=False, motd=False, auto_reload=False)


if __name__ == "__main__":
    main()
