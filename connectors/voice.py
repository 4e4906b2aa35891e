"""Phone calls: a Rasa input channel for Twilio Programmable Voice webhooks.

Routes, under ``/webhooks/bank_voice``:

- ``POST /webhook``: the number's "a call comes in" webhook and every ``<Gather>`` answer
  (form fields ``CallSid``, ``SpeechResult``, ``Digits``, ``CallStatus``); answers TwiML.
- ``POST /pending?turn=N``: where "one moment" redirects to while the bot is still answering.
- ``POST /status``: the call's status callback; a finished call's state is dropped.
- ``GET /``: health.

Every POST must carry a valid ``X-Twilio-Signature`` for the public URL Twilio called
(``public_url`` when a proxy sits in front); anything else gets 403 and is not looked at.
The flow itself lives in ``voice_calls``; the contract is docs/channels/voice.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from connectors.voice_calls import ENDED_STATUSES, CallEvent, CallFlow, call_event_from_form
from connectors.voice_config import VoiceConfig, load_voice_config
from connectors.voice_state import CallStateStore, call_state_store
from connectors.voice_turns import CHANNEL_NAME, BotTurns
from connectors.voice_twiml import VoiceReply, build_twiml
from connectors.voice_verification import ChallengeClient
from ratelimit import Decision, bucket_key, check, rate_limiter

logger = logging.getLogger(__name__)

MAX_FORM_BYTES = 32_768  # Twilio's webhook parameters are a few hundred bytes
TURN = re.compile(r"\d{1,9}", re.ASCII)


def _utc_today() -> date:
    return datetime.now(timezone.utc).date()


class BankVoiceInput(InputChannel):
    """Speech and keypad in, TwiML out; callers verify by customer number and SMS code."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(load_voice_config(credentials))

    def __init__(
        self,
        config: VoiceConfig,
        store: CallStateStore | None = None,
        challenges: ChallengeClient | None = None,
        today: Callable[[], date] = _utc_today,
    ) -> None:
        self.config = config
        self.store = store or call_state_store(config.state_ttl_seconds, config.state_redis_url)
        self.challenges = challenges or ChallengeClient(
            config.core_banking_url,
            config.core_banking_api_key,
            config.core_banking_timeout_seconds,
        )
        self._today = today
        self._validator = RequestValidator(config.auth_token)
        self.limiter = rate_limiter(config.rate_limit_store, prefix="ratelimit:bank_voice")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        turns = BotTurns(self.config, self.store, on_new_message, self._today)
        flow = CallFlow(self.config, self.store, self.challenges, turns, self._today)
        voice = Blueprint("bank_voice", __name__)

        @voice.get("/")
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @voice.post("/webhook")
        async def webhook(request: Request) -> HTTPResponse:
            event = await self._signed_event(request, "webhook")
            if isinstance(event, HTTPResponse):
                return event
            return self._twiml(request, await flow.handle(event))

        @voice.post("/pending")
        async def pending(request: Request) -> HTTPResponse:
            event = await self._signed_event(request, "pending")
            if isinstance(event, HTTPResponse):
                return event
            turn = request.args.get("turn", "")
            if not TURN.fullmatch(turn):
                return _error(400, "bad_request", "The turn parameter must be a number.")
            return self._twiml(request, await flow.pending(event.call_sid, int(turn)))

        @voice.post("/status")
        async def status(request: Request) -> HTTPResponse:
            event = await self._signed_event(request, "status")
            if isinstance(event, HTTPResponse):
                return event
            if event.status in ENDED_STATUSES:
                await flow.end(event.call_sid)
            return response.empty()

        @voice.after_server_stop
        async def close(*_: Any) -> None:
            await self.challenges.aclose()

        return voice

    def base_url(self, request: Request) -> str:
        """Where Twilio reaches this channel: ``public_url``, else the URL as received."""
        if self.config.public_url:
            return self.config.public_url
        prefix = request.path.rsplit("/", 1)[0]
        return f"{request.scheme}://{request.host}{prefix}"

    async def _signed_event(self, request: Request, route: str) -> CallEvent | HTTPResponse:
        """The call event of a request Twilio signed, or the response refusing it: too many
        from this address (429), too large (413), unsigned (403), no CallSid (400), too
        many for this call (429)."""
        address = request.remote_addr or request.ip or "unknown"
        limits = self.config
        decision = await check(self.limiter, (bucket_key("ip", address), limits.rate_limit_ip))
        if not decision.allowed:
            return _too_many(decision, "ip")
        if len(request.body or b"") > MAX_FORM_BYTES:
            return _error(413, "body_too_large", "The request body is too large.")
        url = f"{self.base_url(request)}/{route}"
        if request.query_string:
            url += f"?{request.query_string}"
        signature = request.headers.get("X-Twilio-Signature", "")
        form = request.form or {}
        if not signature or not self._validator.validate(url, form, signature):
            logger.warning("voice.signature.rejected route=%s", route)
            return _error(403, "invalid_signature", "The request signature is not valid.")
        event = call_event_from_form(form)
        if event is None:
            return _error(400, "bad_request", "CallSid is missing or malformed.")
        call = (bucket_key("call", event.call_sid), limits.rate_limit_call)
        decision = await check(self.limiter, call)
        if not decision.allowed:
            return _too_many(decision, "call")
        return event

    def _twiml(self, request: Request, reply: VoiceReply) -> HTTPResponse:
        xml = build_twiml(reply, self.config, self.base_url(request))
        return response.text(xml, content_type="text/xml")


def _too_many(decision: Decision, scope: str) -> HTTPResponse:
    logger.warning("voice.rate_limited scope=%s", scope)
    headers = {"Retry-After": decision.retry_after_header}
    return response.json({"error": decision.error_json()}, status=429, headers=headers)


def _error(status: int, code: str, message: str) -> HTTPResponse:
    return response.json({"error": {"code": code, "message": message}}, status=status)
