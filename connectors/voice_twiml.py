"""What the call does next, as TwiML. Pure: a ``VoiceReply`` in, an XML string out.

Every turn that expects an answer ends in ``<Gather input="speech dtmf">`` (speech, or
keys finished with #); the caller can talk over the prompt. ``<Say>`` carries SSML
(``<say-as>``, ``<break>``) when the configured voice supports it, plain text otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from twilio.twiml.voice_response import Gather, Say, VoiceResponse

from connectors.voice_config import VoiceConfig
from connectors.voice_speech import Pause, SayAs, Segment, Words, render_plain

Utterance = Sequence[Segment]  # one <Say>


class Next(str, Enum):
    LISTEN = "listen"  # speak, then gather the caller's answer
    HANG_UP = "hang_up"  # speak, then end the call
    HOLD = "hold"  # speak, then come back to a URL (an answer still being prepared)
    NOTHING = "nothing"  # an empty <Response/> (the call is over)


@dataclass(frozen=True)
class VoiceReply:
    utterances: list[Utterance] = field(default_factory=list)
    next: Next = Next.LISTEN
    redirect_path: str = ""  # under the channel's base URL, for Next.HOLD

    @classmethod
    def say(cls, *texts: str, next: Next = Next.LISTEN) -> VoiceReply:
        return cls([[Words(text)] for text in texts], next)


def build_twiml(reply: VoiceReply, config: VoiceConfig, base_url: str) -> str:
    """The TwiML document for one reply; ``base_url`` is where the channel's routes are
    public (``https://bank.example/webhooks/bank_voice``)."""
    response = VoiceResponse()
    if reply.next is Next.NOTHING:
        return str(response)
    if reply.next is Next.LISTEN:
        gather = Gather(
            input="speech dtmf",
            action=f"{base_url}/webhook",
            method="POST",
            timeout=config.gather_timeout_seconds,
            speech_timeout=config.speech_timeout,
            speech_model=config.speech_model,
            language=config.language,
            finish_on_key="#",
            action_on_empty_result=True,
        )
        for utterance in reply.utterances:
            gather.append(build_say(utterance, config))
        response.append(gather)
        return str(response)
    for utterance in reply.utterances:
        response.append(build_say(utterance, config))
    if reply.next is Next.HANG_UP:
        response.hangup()
    else:
        response.redirect(f"{base_url}/{reply.redirect_path}", method="POST")
    return str(response)


def build_say(utterance: Utterance, config: VoiceConfig) -> Say:
    say = Say(voice=config.voice, language=config.language)
    if not config.ssml:
        say.value = render_plain(utterance)
        return say
    text = ""  # TwiML keeps one text run after each child: join runs before nesting
    for segment in utterance:
        if isinstance(segment, Words):
            text += segment.text
            continue
        if text:
            say.nest(text)
            text = ""
        if isinstance(segment, SayAs):
            say.say_as(segment.text, interpret_as=segment.interpret_as)
        elif isinstance(segment, Pause):
            say.break_(time=f"{segment.milliseconds}ms")
    if text:
        say.nest(text)
    return say
