"""A logging filter that takes personal data out of every log record.

Installed by ``bot/logging.yml`` (Rasa server and action server:
``--logging-config-file bot/logging.yml``) or by ``install()`` for processes that
configure logging in code (the agent desk). It rewrites each record before any handler
formats it: the message with its arguments, string ``extra`` fields (Sanic's access
``request``), exception and stack text. Rasa's own DEBUG lines that quote what the
customer wrote ("Received user message '...'") lose the quote entirely; slot values of
the policy's personal slots are hidden wherever a line names the slot.

The filter is also installed as the log-record factory, so loggers whose handlers are
set up later (Sanic's, uvicorn's, coloredlogs' replacement of the console handler)
are covered too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from privacy.redact import redact

# Lines in which Rasa and rasa-sdk quote the customer's text.
MESSAGE_QUOTES = (
    re.compile(r"(?s)(Received user message )(['\"]).*?\2(?= with intent|$)"),
    re.compile(r"(?s)(user (?:input|message|utterance|text):? )(['\"]).*?\2"),
    re.compile(r"(?s)(UserUttered\(text: ).*?(?=, intent:)()"),
    # structlog's JSON (Rasa 3.6): "parse_data_text": "...", "text": "...", "message": "..."
    re.compile(r"""(?s)(['"](?:\w*_)?(?:text|message|utterance)['"]: )(['"]).*?(?<!\\)\2"""),
    # the rule policy's states: "user text: ... | previous action name: ..."
    re.compile(r"(user text: )()[^|\n]*?(?= \||\n|$)"),
)
# Attributes every LogRecord has: not ``extra`` fields, never rewritten.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def _drop_quote(found: re.Match[str]) -> str:
    quote = found.group(2) if found.lastindex and found.lastindex >= 2 else ""
    return f"{found.group(1)}{quote}[message]{quote}"


class Redactor:
    """``redact`` plus Rasa's message quotes and the named personal slots."""

    def __init__(self, slots: Iterable[str] = ()) -> None:
        names = sorted(set(slots))
        self._slot_values: re.Pattern[str] | None = None
        if names:
            alternatives = "|".join(re.escape(name) for name in names)
            self._slot_values = re.compile(
                # "\tcontact_email: x" inside JSON: a literal backslash-t before the name
                r"""((?:(?<=\\[tn])|\b)(?:""" + alternatives + r""")\b['"]?(?:, value)?[:=]\s*)"""
                r"""(['"]?)(?!None\b|null\b|\[)[^\n\\,)}'"]+\2"""
            )

    def __call__(self, text: str) -> str:
        for pattern in MESSAGE_QUOTES:
            text = pattern.sub(_drop_quote, text)
        if self._slot_values is not None:
            text = self._slot_values.sub(r"\1\2[slot]\2", text)
        return redact(text)


def policy_slots(policy_file: str | Path | None) -> list[str]:
    if not policy_file:
        return []
    from privacy.policy import load_policy

    return sorted(load_policy(policy_file).personal_slots)


class RedactingFilter(logging.Filter):
    """Rewrites the record in place; never drops it."""

    def __init__(self, name: str = "", policy: str | None = None) -> None:
        super().__init__(name)
        self.redactor = Redactor(policy_slots(policy))

    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record, self.redactor)
        return True


def scrub(record: logging.LogRecord, redactor: Callable[[str], str]) -> None:
    """Message, exception and stack text; string ``extra`` fields (set after creation,
    so the handler filter scrubs them again)."""
    if getattr(record, "_privacy_scrubbed", False):
        _scrub_extras(record, redactor)
        return
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string still must not leak
        message = f"{record.msg!s} {record.args!s}"
    clean = redactor(message)
    if clean != message:
        record.msg, args = _rewritten(record, redactor, clean)
        record.args = args
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redactor(record.exc_text)
    if record.stack_info:
        record.stack_info = redactor(record.stack_info)
    _scrub_extras(record, redactor)
    record._privacy_scrubbed = True


def _rewritten(
    record: logging.LogRecord, redactor: Callable[[str], str], clean: str
) -> tuple[str, tuple[object, ...] | None]:
    """Format and arguments redacted one by one where that hides everything (formatters
    such as uvicorn's access log read ``record.args``), else the redacted message."""
    if isinstance(record.args, tuple) and isinstance(record.msg, str):
        args = tuple(redactor(arg) if isinstance(arg, str) else arg for arg in record.args)
        template = redactor(record.msg)
        try:
            candidate = template % args
        except (TypeError, ValueError):
            return clean, None
        if redactor(candidate) == candidate:
            return template, args
    return clean, None


def _scrub_extras(record: logging.LogRecord, redactor: Callable[[str], str]) -> None:
    for key, value in list(record.__dict__.items()):
        if key not in _STANDARD and isinstance(value, str):
            setattr(record, key, redactor(value))


_installed: RedactingFilter | None = None


def install_record_factory(redacting: RedactingFilter) -> None:
    """Every record, from any logger, is scrubbed when it is created (idempotent)."""
    global _installed
    if _installed is not None:
        _installed.redactor = redacting.redactor
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _installed is not None:
            scrub(record, _installed.redactor)
        return record

    _installed = redacting
    logging.setLogRecordFactory(factory)


def redacting_filter(policy: str | None = None) -> RedactingFilter:
    """The ``()`` factory ``bot/logging.yml`` names: the handler filter, and the record
    factory installed on the way."""
    redacting = RedactingFilter(policy=policy)
    install_record_factory(redacting)
    return redacting


def install(policy: str | None = None) -> RedactingFilter:
    """For processes that configure logging in code: the filter on every handler of the
    root logger and the record factory. Call after ``logging.basicConfig``."""
    redacting = redacting_filter(policy)
    for handler in logging.getLogger().handlers:
        if redacting not in handler.filters:
            handler.addFilter(redacting)
    return redacting
