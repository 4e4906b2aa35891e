"""The web and mobile chat channel (``bank_web``): Socket.IO for live chat, HTTP/JSON
for simple clients, the widget bundle and the demo page.

Each conversation is bound to the customer the bank's login vouched for (a JWT,
``connectors.web_auth``); the channel alone decides the sender id and the identity
metadata that actions read. Contract: docs/channels/web-and-mobile.md.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from connectors.web_auth import TokenRejected, bearer_token
from connectors.web_config import WebChannelConfig
from connectors.web_demo import DEMO_CUSTOMERS, NotADemoCustomer
from connectors.web_messages import (
    SESSION_START,
    BodyInvalid,
    MessageInvalid,
    bot_message,
    client_metadata,
    customer_conversation_id,
    customer_message,
    json_object,
    message_text,
    transcript,
    visitor_conversation_id,
)
from ratelimit import Decision, RateLimit, bucket_key, check, rate_limiter

logger = logging.getLogger(__name__)

CHANNEL = "bank_web"
MAX_SOCKET_PAYLOAD_BYTES = 65_536  # one Socket.IO packet; a message is at most 2,000 characters
NO_ANSWER = "Sorry, I can't answer that right now. Please try again in a moment."
UNAVAILABLE = {
    "code": "assistant_unavailable",
    "message": "Sorry, something went wrong on our side. Please try again in a moment.",
}


@dataclass(frozen=True)
class ChatSession:
    """Who a connection or request speaks for: a verified customer or an anonymous visitor."""

    conversation_id: str
    customer_id: str | None = None
    expires_at: float | None = None

    def metadata(self, client: dict[str, str]) -> dict[str, Any]:
        identity: dict[str, Any] = (
            {"customer_id": self.customer_id, "auth": "jwt"}
            if self.customer_id
            else {"auth": "anonymous"}
        )
        return {**client, **identity}

    def expired(self, leeway_seconds: int) -> bool:
        return self.expires_at is not None and time.time() > self.expires_at + leeway_seconds


class WebOutput(OutputChannel):
    """Sends each bot response as one ``Message`` to every socket of the conversation,
    and keeps a copy for an HTTP caller waiting for the replies."""

    def __init__(self, sio: AsyncServer | None) -> None:
        self.sio = sio
        self.messages: list[dict[str, Any]] = []

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        rendered = bot_message(message)
        self.messages.append(rendered)
        if self.sio is not None:
            await self.sio.emit("bot_uttered", rendered, room=recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class BankWebInput(InputChannel):
    """Rasa input channel for the bank's web widget and mobile apps."""

    def __init__(self, config: WebChannelConfig) -> None:
        self.config = config
        self.sio: AsyncServer | None = None
        self.app: Sanic | None = None
        self.limiter = rate_limiter(config.rate_limits.store, prefix="ratelimit:bank_web")

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(WebChannelConfig.from_credentials(credentials))

    def get_output_channel(self) -> OutputChannel | None:
        """For messages the server pushes (``trigger_intent?output_channel=bank_web``)."""
        return WebOutput(self.sio)

    # ---- identity -------------------------------------------------------------------

    def session_for(self, token: str | None, visitor_id: object = None) -> ChatSession:
        """A customer's session for a token, a visitor's without one; ``TokenRejected``
        for a token that fails any check (never a silent fall-back to anonymous)."""
        if token is None:
            return ChatSession(visitor_conversation_id(visitor_id))
        customer = self.config.verifier.verify(token)
        return ChatSession(
            customer_conversation_id(customer.customer_id),
            customer.customer_id,
            customer.expires_at,
        )

    def _http_session(self, request: Request, visitor_id: object) -> ChatSession:
        header = request.headers.get("authorization")
        token = bearer_token(header)
        if header is not None and token is None:
            raise TokenRejected("token_malformed")
        if token is None and visitor_id is None:
            raise TokenRejected("token_missing")
        return self.session_for(token, visitor_id)

    # ---- rate limits ----------------------------------------------------------------

    async def _limit_address(self, address: str, connect: bool = False) -> Decision:
        limits = self.config.rate_limits
        if connect:
            return await check(self.limiter, (bucket_key("connect", address), limits.connect_ip))
        return await check(self.limiter, (bucket_key("ip", address), limits.ip))

    async def _limit_message(self, session: ChatSession) -> Decision:
        """Per customer (a visitor: per conversation); the address was checked already."""
        who = session.customer_id or session.conversation_id
        limit: RateLimit | None = self.config.rate_limits.customer
        return await check(self.limiter, (bucket_key("customer", who), limit))

    async def _tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """The conversation as Rasa's tracker store holds it (None before the server runs)."""
        agent = self.app.ctx.agent if self.app is not None else None
        if agent is None or agent.tracker_store is None:
            return None
        return await agent.tracker_store.retrieve(conversation_id)

    async def _paused(self, conversation_id: str) -> bool:
        """Whether an agent has the conversation (the bot is paused and stays quiet)."""
        tracker = await self._tracker(conversation_id)
        return tracker is not None and tracker.is_paused()

    async def _transcript(self, conversation_id: str) -> list[dict[str, Any]]:
        tracker = await self._tracker(conversation_id)
        return [] if tracker is None else transcript(e.as_dict() for e in tracker.events)

    # ---- blueprint ------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # With a Redis URL, an emit on any instance reaches the sockets on every instance.
        redis_url = self.config.socketio_redis_url
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.config.cors_allowed_origins,
            max_http_buffer_size=MAX_SOCKET_PAYLOAD_BYTES,
            client_manager=AsyncRedisManager(redis_url) if redis_url else None,
        )
        self.sio = sio
        webhook = SocketBlueprint(sio, "/socket.io", "bank_web_webhook", __name__)

        @webhook.listener("before_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            self.app = app

        @webhook.listener("after_server_start")
        async def freeze_loaded_objects(app: Sanic, _: Any) -> None:
            # The model (TensorFlow, torch, spaCy, the domain) is loaded by now: millions of
            # objects that live as long as the process. Out of the garbage collector's way,
            # its full collections no longer stall every conversation for ~0.3-0.6 s.
            gc.collect()
            gc.freeze()
            logger.info("web.gc.frozen objects=%d", gc.get_freeze_count())

        async def handle(session: ChatSession, text: str, client: dict[str, str]) -> WebOutput:
            output = WebOutput(sio)
            message = UserMessage(
                text,
                output,
                session.conversation_id,
                input_channel=CHANNEL,
                metadata=session.metadata(client),
            )
            await on_new_message(message)
            expects_answer = text != SESSION_START
            if (
                expects_answer
                and not output.messages
                and not await self._paused(session.conversation_id)
            ):
                # Rasa goes on silently when a custom action fails (the action server is
                # down): the customer hears that something went wrong, never nothing.
                await output.send_response(session.conversation_id, {"text": NO_ANSWER})
                logger.warning("web.message.unanswered")
            return output

        self._socket_events(sio, handle)
        self._http_routes(webhook, sio, handle)
        self._static_routes(webhook)
        return webhook

    def _socket_events(self, sio: AsyncServer, handle: Callable[..., Awaitable[WebOutput]]) -> None:
        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: dict | None) -> None:
            decision = await self._limit_address(_socket_address(environ), connect=True)
            if not decision.allowed:
                logger.info("web.connect.rate_limited")
                error = decision.error_json()
                raise SocketRefused(error["message"], error)
            auth = auth if isinstance(auth, dict) else {}
            token = auth.get("token") if isinstance(auth.get("token"), str) else None
            try:
                session = self.session_for(token, auth.get("visitor_id"))
            except TokenRejected as rejected:
                logger.info("web.connect.refused code=%s", rejected.code)
                raise SocketRefused(rejected.message, rejected.as_json()["error"]) from None
            await sio.save_session(sid, {"chat": session})
            await sio.enter_room(sid, session.conversation_id)
            logger.debug("web.connect sid=%s", sid)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            session: ChatSession = (await sio.get_session(sid))["chat"]
            if not await self._socket_allowed(sid, sio):
                return
            confirm = {
                "conversation_id": session.conversation_id,
                "authenticated": session.customer_id is not None,
                "transcript": await self._transcript(session.conversation_id),
            }
            await sio.emit("session_confirm", confirm, to=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any = None) -> None:
            session: ChatSession = (await sio.get_session(sid))["chat"]
            if session.expired(self.config.verifier.leeway_seconds):
                await sio.emit("error", TokenRejected("token_expired").as_json()["error"], to=sid)
                await sio.disconnect(sid)
                return
            if not await self._socket_allowed(sid, sio, session):
                return
            try:
                text = message_text(data)
            except MessageInvalid as invalid:
                await sio.emit("error", invalid.as_json()["error"], to=sid)
                return
            client = client_metadata(data)
            room = session.conversation_id
            await _echo(sio, text, client, room, skip_sid=sid)
            await sio.emit("bot_typing", {"typing": True}, room=room)
            try:
                await handle(session, text, client)
            except Exception as error:  # the customer gets a clear answer, never a trace
                logger.error("web.message.failed error=%s", type(error).__name__)
                await sio.emit("error", UNAVAILABLE, to=sid)
            finally:
                await sio.emit("bot_typing", {"typing": False}, room=room)

    async def _socket_allowed(
        self, sid: str, sio: AsyncServer, session: ChatSession | None = None
    ) -> bool:
        """Per address, then per customer; a refusal is an ``error`` event to this socket."""
        environ = sio.get_environ(sid) or {}
        decision = await self._limit_address(_socket_address(environ))
        if decision.allowed and session is not None:
            decision = await self._limit_message(session)
        if not decision.allowed:
            logger.info("web.message.rate_limited sid=%s", sid)
            await sio.emit("error", decision.error_json(), to=sid)
        return decision.allowed

    def _http_routes(
        self, webhook: Blueprint, sio: AsyncServer, handle: Callable[..., Awaitable[WebOutput]]
    ) -> None:
        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/messages", methods=["POST"])
        async def messages(request: Request) -> HTTPResponse:
            decision = await self._limit_address(_address(request))
            if not decision.allowed:
                return _too_many(decision)
            try:
                data = json_object(request.body)
                session = self._http_session(request, data.get("visitor_id"))
                text = message_text(data)
            except TokenRejected as rejected:
                return response.json(rejected.as_json(), status=401)
            except BodyInvalid as invalid:
                return response.json(invalid.as_json(), status=invalid.status)
            except MessageInvalid as invalid:
                return response.json(invalid.as_json(), status=400)
            decision = await self._limit_message(session)
            if not decision.allowed:
                return _too_many(decision)
            client = client_metadata(data)
            await _echo(sio, text, client, session.conversation_id)
            try:
                output = await handle(session, text, client)
            except Exception as error:
                logger.error("web.message.failed error=%s", type(error).__name__)
                return response.json({"error": UNAVAILABLE}, status=503)
            body = {"conversation_id": session.conversation_id, "messages": output.messages}
            return response.json(body)

        @webhook.route("/transcript", methods=["GET"])
        async def conversation_transcript(request: Request) -> HTTPResponse:
            decision = await self._limit_address(_address(request))
            if not decision.allowed:
                return _too_many(decision)
            try:
                session = self._http_session(request, request.args.get("visitor_id"))
            except TokenRejected as rejected:
                return response.json(rejected.as_json(), status=401)
            messages = await self._transcript(session.conversation_id)
            return response.json({"conversation_id": session.conversation_id, "messages": messages})

        @webhook.route("/demo/login", methods=["POST"])
        async def demo_login(request: Request) -> HTTPResponse:
            login = self.config.demo_login
            if login is None:
                return response.json({"error": {"code": "not_found"}}, status=404)
            decision = await self._limit_address(_address(request))
            if not decision.allowed:
                return _too_many(decision)
            try:
                data = json_object(request.body)
            except BodyInvalid as invalid:
                return response.json(invalid.as_json(), status=invalid.status)
            try:
                token = login.mint(str(data.get("customer_id", "")))
            except NotADemoCustomer:
                error = {
                    "code": "not_a_demo_customer",
                    "message": "Pick one of the demo customers.",
                }
                return response.json({"error": error}, status=400)
            customer_id = str(data["customer_id"])
            return response.json({"token": token, "customer_name": DEMO_CUSTOMERS[customer_id]})

    def _static_routes(self, webhook: Blueprint) -> None:
        widget_dir = self.config.widget_dir

        @webhook.route("/widget/<name:str>", methods=["GET"])
        async def widget_file(_: Request, name: str) -> HTTPResponse:
            return await _file_in(widget_dir / "dist", name)

        @webhook.route("/demo", methods=["GET"])
        async def demo_page(_: Request) -> HTTPResponse:
            return await _file_in(widget_dir / "demo", "index.html")

        @webhook.route("/demo/<name:str>", methods=["GET"])
        async def demo_file(_: Request, name: str) -> HTTPResponse:
            return await _file_in(widget_dir / "demo", name)


def _address(request: Request) -> str:
    """The client's address: Sanic's proxy-aware ``remote_addr`` when set up, else the peer."""
    return request.remote_addr or request.ip or "unknown"


def _socket_address(environ: dict) -> str:
    request = environ.get("sanic.request")
    return _address(request) if request is not None else "unknown"


def _too_many(decision: Decision) -> HTTPResponse:
    headers = {"Retry-After": decision.retry_after_header}
    return response.json({"error": decision.error_json()}, status=429, headers=headers)


async def _file_in(folder: Path, name: str) -> HTTPResponse:
    """A file directly inside ``folder``; 404 for anything else (no path tricks)."""
    path = (folder / name).resolve()
    if path.parent != folder.resolve() or not path.is_file():
        return response.json({"error": {"code": "not_found"}}, status=404)
    return await response.file(path, headers={"Cache-Control": "no-cache"})


async def _echo(
    sio: AsyncServer, text: str, client: dict[str, str], room: str, skip_sid: str | None = None
) -> None:
    """What the customer said, to their other devices (not a session start: no utterance)."""
    if text != SESSION_START:
        echo = customer_message(text, client, time.time())
        await sio.emit("user_uttered", echo, room=room, skip_sid=skip_sid)
