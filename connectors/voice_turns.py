"""Asking the bot within the webhook's time budget, and speaking what it said.

Each message to Rasa runs as its own task and leaves its answer in the call store under
(call, turn). The webhook waits up to ``response_budget_seconds`` for it; if it is not
there yet the caller hears "one moment" and Twilio is redirected to ``pending``, which
waits again, so a slow answer is spoken late rather than lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from connectors import voice_prompts as say
from connectors.voice_config import VoiceConfig
from connectors.voice_speech import Pause, Segment, Words, options_prompt, speech_for_text
from connectors.voice_state import BotAnswer, CallState, CallStateStore, Step
from connectors.voice_twiml import Next, Utterance, VoiceReply

logger = logging.getLogger(__name__)

CHANNEL_NAME = "bank_voice"
AUTH_METHOD = "voice_otp"
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class VoiceOutputChannel(CollectingOutputChannel):
    """Collects the bot's messages, keeping which response each came from."""

    @classmethod
    def name(cls) -> str:  # response variations with ``channel: bank_voice`` apply
        return CHANNEL_NAME

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(_tagged(self._message(recipient_id, text=text), kwargs))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        message = self._message(recipient_id, text=text, buttons=buttons)
        await self._persist_message(_tagged(message, kwargs))


def _tagged(message: dict[str, Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    if kwargs.get("utter_action"):
        message["utter_action"] = kwargs["utter_action"]
    return message


def sender_id_for(call_sid: str) -> str:
    """The conversation id: the call, never the caller's number (which proves nothing)."""
    return f"voice-{call_sid}"


def identity_metadata(state: CallState) -> dict[str, str] | None:
    if state.customer_id is None:
        return None
    return {"customer_id": state.customer_id, "auth": AUTH_METHOD}


class BotTurns:
    def __init__(
        self,
        config: VoiceConfig,
        store: CallStateStore,
        on_new_message: OnNewMessage,
        today: Callable[[], date],
        poll_seconds: float = 0.05,
    ) -> None:
        self._config = config
        self._store = store
        self._on_new_message = on_new_message
        self._today = today
        self._poll_seconds = poll_seconds
        self._running: set[asyncio.Task[None]] = set()

    async def ask(self, state: CallState, text: str, intro: Sequence[str] = ()) -> VoiceReply:
        """Send ``text`` to the bot as this caller and answer with what it says."""
        state.turn += 1
        state.holds = 0
        state.options = []
        await self._store.save(state)
        task = asyncio.create_task(
            self._run(state.call_sid, state.turn, text, identity_metadata(state))
        )
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await self.answer_or_hold(state, intro)

    async def answer_or_hold(self, state: CallState, intro: Sequence[str]) -> VoiceReply:
        answer = await self._wait_for_answer(state.call_sid, state.turn)
        current = await self._store.load(state.call_sid)
        if current is None:
            return VoiceReply(next=Next.NOTHING)
        if answer is not None:
            return await self._speak(current, answer, intro)
        current.holds += 1
        await self._store.save(current)
        logger.info("voice.turn.held call=%s turn=%d", current.call_sid, current.turn)
        if current.holds > self._config.max_holds:
            return VoiceReply.say(*intro, say.TOO_SLOW)
        hold = say.HOLD if current.holds == 1 else say.STILL_WORKING
        return VoiceReply(
            [[Words(text)] for text in (*intro, hold)],
            Next.HOLD,
            redirect_path=f"pending?turn={current.turn}",
        )

    async def _wait_for_answer(self, call_sid: str, turn: int) -> BotAnswer | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._config.response_budget_seconds
        while True:
            answer = await self._store.take_answer(call_sid, turn)
            if answer is not None or loop.time() >= deadline:
                return answer
            await asyncio.sleep(min(self._poll_seconds, max(0.0, deadline - loop.time())))

    async def _run(
        self, call_sid: str, turn: int, text: str, metadata: dict[str, str] | None
    ) -> None:
        collector = VoiceOutputChannel()
        message = UserMessage(
            text, collector, sender_id_for(call_sid), input_channel=CHANNEL_NAME, metadata=metadata
        )
        failed = False
        try:
            await self._on_new_message(message)
        except Exception as error:  # the caller hears an apology, the call goes on
            logger.error("voice.turn.failed call=%s error=%s", call_sid, type(error).__name__)
            failed = True
        if await self._store.load(call_sid) is None:
            return  # the caller hung up meanwhile
        await self._store.save_answer(call_sid, BotAnswer(turn, text, collector.messages, failed))

    async def _speak(self, state: CallState, answer: BotAnswer, intro: Sequence[str]) -> VoiceReply:
        utterances: list[Utterance] = [[Words(text)] for text in intro]
        if answer.failed:
            return VoiceReply([*utterances, [Words(say.BOT_FAILED)]])
        needs_sign_in = False
        for message in answer.messages:
            if message.get("utter_action") in self._config.sign_in_responses:
                needs_sign_in = True
                continue
            utterances.extend(self._utterances(message))
            if message.get("buttons"):
                state.options = _options(message["buttons"])
        if needs_sign_in and not state.verified:
            if state.verification_locked:
                utterances.append([Words(say.NO_ACCOUNT_DATA)])
            else:
                state.step = Step.CUSTOMER_NUMBER
                state.pending_text = answer.user_text
                utterances.append([Words(say.VERIFY_FIRST)])
        await self._store.save(state)
        return VoiceReply(utterances or [[Words(say.WHAT_NEXT)]])

    def _utterances(self, message: dict[str, Any]) -> list[Utterance]:
        today = self._today()
        found: list[Utterance] = []
        if isinstance(message.get("text"), str) and message["text"].strip():
            found.append(speech_for_text(message["text"], today))
        titles = [str(button.get("title", "")) for button in message.get("buttons") or []]
        if titles:
            segments: list[Segment] = [Pause(300)]
            found.append(segments + options_prompt(titles, today))
        return [utterance for utterance in found if utterance]


def _options(buttons: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in buttons
    ]
