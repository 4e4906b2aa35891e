"""Text written for screens, turned into something a phone can say. Pure functions.

``speech_for_text`` removes markup, links and emoji, speaks money and dates the way a
person would ("$4,612.40" → "4,612 dollars and 40 cents", "2026-11-28" → "November 28"),
reads masked account numbers as "ending in 1 2 3 4", and splits lines into sentences.
The result is a list of segments; ``render_plain`` makes plain text of them and the
TwiML builder (``voice_twiml``) SSML tags when the voice supports them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Words:
    text: str


@dataclass(frozen=True)
class SayAs:
    """Words the voice must read in a given way (SSML ``<say-as interpret-as=...>``)."""

    text: str
    interpret_as: str  # "digits" or "spell-out"


@dataclass(frozen=True)
class Pause:
    milliseconds: int


Segment = Words | SayAs | Pause
SENTENCE_PAUSE_MS = 300

_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "US$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
}
_MONTHS = (
    "January February March April May June July August September October November December"
).split()

_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)]+)\)")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_LINE_MARK = re.compile(r"^\s*(?:#{1,6}\s+|[-*•]\s+|\d+[.)]\s+|>\s*)", re.MULTILINE)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\u200d\ufe0f\u2b50\u2b06\u2934\u2935]+"
)
_MONEY = re.compile(
    r"(?P<sign>[-−])?(?P<symbol>US\$|\$|€|£)\s?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d{2}))?\b"
)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b")
_LONG_DATE = re.compile(rf"\b({'|'.join(_MONTHS)}) (\d{{1,2}}), (\d{{4}})\b")
_PERCENT = re.compile(r"(\d)\s?%")
_MASK = re.compile(r"(?:[•*]{2,}|[xX]{3,}|…)\s?(?=\d{2,4}\b)")
_MASKED = re.compile(r"•{2,}(\d{2,4})\b")
_REFERENCE = re.compile(r"\b([A-Z]{2,5}-\d{3,10})\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def speech_for_text(text: str, today: date) -> list[Segment]:
    """One bot message as segments: sentences, with pauses between them."""
    segments: list[Segment] = []
    for sentence in _sentences(spoken_words(text, today)):
        if segments:
            segments.append(Pause(SENTENCE_PAUSE_MS))
        segments.extend(_identifiers(sentence))
    return segments


def spoken_words(text: str, today: date) -> str:
    """Markup, links and emoji out; money, dates, percentages and symbols in words."""
    text = _LINK.sub(r"\1", text)
    text = _URL.sub("our website", text)
    text = _MASK.sub("••••", text)
    text = _LINE_MARK.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _EMOJI.sub("", text)
    text = _MONEY.sub(_money_words, text)
    text = _ISO_DATE.sub(lambda m: _date_words(m.group(1), m.group(2), m.group(3), today), text)
    text = _LONG_DATE.sub(lambda m: _long_date_words(m, today), text)
    text = _PERCENT.sub(r"\1 percent", text)
    return text.replace("&", " and ")


def money_words(sign: str, symbol: str, whole: str, cents: str | None) -> str:
    """``("", "$", "4,612", "40")`` → ``4,612 dollars and 40 cents``."""
    one, many, one_minor, many_minor = _CURRENCIES[symbol]
    minor = int(cents or 0)
    parts = []
    if int(whole.replace(",", "")) or not minor:
        parts.append(f"{whole} {one if whole == '1' else many}")
    if minor:
        parts.append(f"{minor} {one_minor if minor == 1 else many_minor}")
    return ("minus " if sign else "") + " and ".join(parts)


def date_words(day: date, today: date) -> str:
    """``2026-11-28`` → ``November 28`` this year, ``November 28, 2027`` another year."""
    words = f"{_MONTHS[day.month - 1]} {day.day}"
    return words if day.year == today.year else f"{words}, {day.year}"


def options_prompt(titles: Sequence[str], today: date) -> list[Segment]:
    """Buttons become "Say Savings, or press 1." sentences."""
    segments: list[Segment] = []
    for number, title in enumerate(titles, start=1):
        if segments:
            segments.append(Pause(SENTENCE_PAUSE_MS))
        spoken = spoken_words(title, today).strip().rstrip(".")
        segments.extend(_identifiers(f"Say {spoken}, or press {number}."))
    return segments


def render_plain(segments: Sequence[Segment]) -> str:
    """Segments as plain text for voices without SSML: digits spaced, pauses as spaces."""
    parts = []
    for segment in segments:
        if isinstance(segment, Words):
            parts.append(segment.text)
        elif isinstance(segment, SayAs):
            parts.append(" ".join(segment.text.replace("-", " ").replace(" ", "")))
        else:
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _money_words(match: re.Match[str]) -> str:
    return money_words(match["sign"] or "", match["symbol"], match["whole"], match["cents"])


def _date_words(year: str, month: str, day: str, today: date) -> str:
    try:
        return date_words(date(int(year), int(month), int(day)), today)
    except ValueError:
        return f"{year}-{month}-{day}"


def _long_date_words(match: re.Match[str], today: date) -> str:
    month = _MONTHS.index(match.group(1)) + 1
    return _date_words(match.group(3), str(month), match.group(2), today)


def _sentences(text: str) -> list[str]:
    """Lines and sentences, each ending in punctuation; semicolons split too, colons and
    brackets become commas."""
    sentences = []
    text = re.sub(r"(?<=[\w)]):[ \t]*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"(?<=[\w)]):[ \t]+", ", ", text)
    text = re.sub(r"\s*[()]\s*", ", ", text)  # "Latest update (November 20), ..."
    for line in text.splitlines():
        for part in re.split(r"(?<=\w);\s+", line.strip()):
            for sentence in _SENTENCE_END.split(part):
                sentence = re.sub(r"\s*,(\s*,)+", ",", re.sub(r"[ \t]+", " ", sentence))
                sentence = re.sub(r"\s+([,.!?])", r"\1", sentence).strip(" ,")
                if sentence:
                    ends = sentence[-1] in ".!?"
                    sentences.append(sentence if ends else sentence + ".")
    return sentences


def _identifiers(sentence: str) -> list[Segment]:
    """Masked numbers as "ending in <digits>", references spelled out, the rest as words."""
    segments: list[Segment] = []
    position = 0
    pattern = re.compile(f"{_MASKED.pattern}|{_REFERENCE.pattern}")
    for match in pattern.finditer(sentence):
        before = sentence[position : match.start()]
        if match.group(1):
            segments.append(Words(before + "ending in "))
            segments.append(SayAs(match.group(1), "digits"))
        else:
            segments.append(Words(before))
            segments.append(SayAs(match.group(2), "spell-out"))
        position = match.end()
    segments.append(Words(sentence[position:]))
    return [s for s in segments if not (isinstance(s, Words) and not s.text)]
