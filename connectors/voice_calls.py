"""The call flow: one webhook request in, what to say next out.

A call starts in conversation with the bot and no identity. Keys pressed then are a
customer number: a one-time code goes to the phone on file and, once the caller keys it
in, every message carries ``{"customer_id": ..., "auth": "voice_otp"}``. A question the
bot can only answer for a known customer (its "please sign in" responses) starts the same
verification and is asked again afterwards. The bot gets ``response_budget_seconds``;
a slower answer is kept and spoken after a "one moment" redirect (``voice_turns``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone

from connectors import voice_prompts as say
from connectors.voice_config import VoiceConfig
from connectors.voice_state import CallState, CallStateStore, Step
from connectors.voice_turns import BotTurns
from connectors.voice_twiml import Next, VoiceReply
from connectors.voice_verification import (
    CODE,
    ChallengeClient,
    CodeCheck,
    CodeResult,
    CoreBankingUnavailable,
    customer_id_from_keys,
)

logger = logging.getLogger(__name__)

ENDED_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
CALL_SID = re.compile(r"^[A-Za-z0-9]{2,64}$")
CANCEL_KEY = "*"
OPTION_KEYS = re.compile(r"\d{1,3}", re.ASCII)  # "²" is a digit to str.isdigit, not to int()


@dataclass(frozen=True)
class CallEvent:
    """The parts of Twilio's webhook parameters the flow uses."""

    call_sid: str
    speech: str | None = None
    digits: str | None = None
    status: str = "in-progress"

    @property
    def silent(self) -> bool:
        return not self.speech and not self.digits


def call_event_from_form(form: Mapping[str, str]) -> CallEvent | None:
    """None when the request names no usable CallSid."""
    call_sid = (form.get("CallSid") or "").strip()
    if not CALL_SID.match(call_sid):
        return None
    speech = (form.get("SpeechResult") or "").strip() or None
    digits = (form.get("Digits") or "").strip().rstrip("#") or None
    return CallEvent(call_sid, speech, digits, (form.get("CallStatus") or "").strip().lower())


class CallFlow:
    def __init__(
        self,
        config: VoiceConfig,
        store: CallStateStore,
        challenges: ChallengeClient,
        turns: BotTurns,
        today: Callable[[], date] = lambda: datetime.now(timezone.utc).date(),
    ) -> None:
        self._config = config
        self._store = store
        self._challenges = challenges
        self._turns = turns
        self._today = today

    async def handle(self, event: CallEvent) -> VoiceReply:
        if event.status in ENDED_STATUSES:
            await self.end(event.call_sid)
            return VoiceReply(next=Next.NOTHING)
        state = await self._store.load(event.call_sid)
        if state is None:
            await self._store.save(CallState(event.call_sid))
            logger.info("voice.call.started call=%s", event.call_sid)
            return VoiceReply.say(say.GREETING)
        if event.silent:
            return await self._silence(state)
        state.silences = 0
        if state.step is Step.CUSTOMER_NUMBER:
            return await self._customer_number(state, event)
        if state.step is Step.CODE:
            return await self._code(state, event)
        return await self._conversation(state, event)

    async def pending(self, call_sid: str, turn: int) -> VoiceReply:
        """The redirect after "one moment": the answer to ``turn`` if it is ready."""
        state = await self._store.load(call_sid)
        if state is None:
            await self._store.save(CallState(call_sid))
            return VoiceReply.say(say.LOST_TRACK)
        if state.turn != turn:
            return VoiceReply.say(say.WHAT_NEXT)
        return await self._turns.answer_or_hold(state, intro=[])

    async def end(self, call_sid: str) -> None:
        await self._store.delete(call_sid)
        logger.info("voice.call.ended call=%s", call_sid)

    # -- steps ---------------------------------------------------------------------------

    async def _silence(self, state: CallState) -> VoiceReply:
        state.silences += 1
        if state.silences >= self._config.max_silences:
            await self._store.delete(state.call_sid)
            logger.info("voice.call.silent_hang_up call=%s", state.call_sid)
            return VoiceReply.say(say.GOODBYE, next=Next.HANG_UP)
        await self._store.save(state)
        logger.info("voice.call.silence call=%s count=%d", state.call_sid, state.silences)
        return VoiceReply.say(say.SILENCE, self._prompt_for(state.step))

    async def _conversation(self, state: CallState, event: CallEvent) -> VoiceReply:
        option = _chosen_option(state.options, event)
        if option is not None:
            return await self._turns.ask(state, option)
        if event.digits == CANCEL_KEY:
            return VoiceReply.say(say.LISTENING)
        if event.digits and not state.verified and not state.verification_locked:
            return await self._customer_number(state, event)
        return await self._turns.ask(state, event.digits or event.speech or "")

    async def _customer_number(self, state: CallState, event: CallEvent) -> VoiceReply:
        if event.digits == CANCEL_KEY:
            return await self._skip_verification(state)
        state.step = Step.CUSTOMER_NUMBER
        customer_id = customer_id_from_keys(event.digits or "")
        if customer_id is None:
            await self._store.save(state)
            problem = say.KEYPAD_ONLY if event.speech else say.NOT_A_CUSTOMER_NUMBER
            return VoiceReply.say(problem, say.CUSTOMER_NUMBER_PROMPT)
        if state.code_requests >= self._config.max_code_requests:
            return await self._lock(state, say.TOO_MANY_REQUESTS)
        state.code_requests += 1
        try:
            challenge_id = await self._challenges.send_login_code(customer_id)
        except CoreBankingUnavailable as error:
            return await self._verification_unavailable(state, error)
        # An unknown customer number gets the same answer, and no code will ever match.
        state.step = Step.CODE
        state.challenge_customer_id = customer_id
        state.challenge_id = challenge_id
        state.code_attempts_left = 3
        await self._store.save(state)
        logger.info("voice.verify.code_sent call=%s", state.call_sid)
        return VoiceReply.say(say.CODE_SENT, say.CODE_PROMPT)

    async def _code(self, state: CallState, event: CallEvent) -> VoiceReply:
        if event.digits == CANCEL_KEY:
            return await self._skip_verification(state)
        code = event.digits or ""
        if not CODE.match(code):
            problem = say.KEYPAD_ONLY if event.speech else say.CODE_LENGTH
            return VoiceReply.say(problem, say.CODE_PROMPT)
        try:
            result = await self._check_code(state, code)
        except CoreBankingUnavailable as error:
            return await self._verification_unavailable(state, error)
        match result.outcome:
            case CodeCheck.VERIFIED:
                return await self._verified(state)
            case CodeCheck.WRONG:
                state.code_attempts_left = result.attempts_remaining
                await self._store.save(state)
                logger.info("voice.verify.wrong_code call=%s", state.call_sid)
                return VoiceReply.say(say.wrong_code(result.attempts_remaining), say.CODE_PROMPT)
            case CodeCheck.LOCKED:
                return await self._lock(state, say.VERIFY_LOCKED)
        state.step = Step.CUSTOMER_NUMBER
        await self._store.save(state)
        return VoiceReply.say(say.CODE_EXPIRED, say.CUSTOMER_NUMBER_PROMPT)

    async def _check_code(self, state: CallState, code: str) -> CodeResult:
        if state.challenge_id is None or state.challenge_customer_id is None:
            left = state.code_attempts_left - 1
            return CodeResult(CodeCheck.WRONG if left > 0 else CodeCheck.LOCKED, left)
        return await self._challenges.check_code(
            state.challenge_customer_id, state.challenge_id, code
        )

    async def _verified(self, state: CallState) -> VoiceReply:
        state.customer_id = state.challenge_customer_id
        state.step = Step.CONVERSATION
        state.challenge_id = state.challenge_customer_id = None
        question, state.pending_text = state.pending_text, None
        logger.info("voice.verify.succeeded call=%s", state.call_sid)
        if question:
            return await self._turns.ask(state, question, intro=[say.VERIFIED])
        await self._store.save(state)
        return VoiceReply.say(say.VERIFIED, say.WHAT_NEXT)

    async def _lock(self, state: CallState, message: str) -> VoiceReply:
        _back_to_conversation(state)
        state.verification_locked = True
        await self._store.save(state)
        logger.info("voice.verify.locked call=%s", state.call_sid)
        return VoiceReply.say(message)

    async def _skip_verification(self, state: CallState) -> VoiceReply:
        _back_to_conversation(state)
        await self._store.save(state)
        logger.info("voice.verify.skipped call=%s", state.call_sid)
        return VoiceReply.say(say.SKIPPED, say.WHAT_NEXT)

    async def _verification_unavailable(self, state: CallState, error: Exception) -> VoiceReply:
        _back_to_conversation(state)
        await self._store.save(state)
        logger.warning("voice.verify.unavailable call=%s error=%s", state.call_sid, error)
        return VoiceReply.say(say.VERIFY_UNAVAILABLE)

    @staticmethod
    def _prompt_for(step: Step) -> str:
        return {
            Step.CUSTOMER_NUMBER: say.CUSTOMER_NUMBER_PROMPT,
            Step.CODE: say.CODE_PROMPT,
        }.get(step, say.LISTENING)


def _back_to_conversation(state: CallState) -> None:
    state.step = Step.CONVERSATION
    state.pending_text = state.challenge_id = state.challenge_customer_id = None


def _chosen_option(options: list[dict[str, str]], event: CallEvent) -> str | None:
    """The payload of the button the caller picked by number or by saying its title."""
    digits = event.digits or ""
    if OPTION_KEYS.fullmatch(digits) and 1 <= int(digits) <= len(options):
        return options[int(digits) - 1]["payload"]
    spoken = _plain(event.speech or "")
    for option in options:
        if spoken and spoken == _plain(option["title"]):
            return option["payload"]
    return None


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())
