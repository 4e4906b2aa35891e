"""Application tracking: ``action_track_application``.

"Where is my loan application?" The action finds out who is asking and which
application they mean (a reference, a product, or neither), fetches it from core
banking and hands everything to pure functions that choose and word the reply.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from babel.dates import format_date
from babel.lists import format_list
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.core_banking import CoreBankingClient, shared_core_banking_client
from actions.clients.customer_calls import UnknownCustomer, with_customer
from actions.clients.errors import CoreBankingError, NotFound
from actions.clients.models import Application, Customer, TimelineEntry
from actions.identity import customer_id_for
from actions.money import DEFAULT_LOCALE, format_money, locale_for
from actions.settings import Settings, get_settings

logger = logging.getLogger(__name__)

REFERENCE_PATTERN = re.compile(r"APP-\d{6}")
PRODUCT_LABELS = {
    "personal_loan": "personal loan",
    "credit_card": "credit card",
    "mortgage": "mortgage",
}
# "Your mortgage application APP-100002 ..." + one of these.
STATUS_PHRASES = {
    "submitted": "has been received and is waiting to be reviewed",
    "in_review": "is being reviewed",
    "documents_required": "is waiting for documents from you",
    "approved": "has been approved",
    "declined": "was declined",
    "withdrawn": "was withdrawn",
    "completed": "is complete",
}
STATUS_WORDS = {"in_review": "in review", "documents_required": "documents needed"}
# The replies are English for now; lists of (English) document names follow the text.
TEXT_LOCALE = "en"

UTTER_UNAUTHENTICATED = "utter_applications_unauthenticated"
UTTER_NOT_FOUND = "utter_application_not_found"
UTTER_NONE = "utter_applications_none"
UTTER_WHICH = "utter_which_application"
UTTER_UNAVAILABLE = "utter_core_banking_unavailable"
CLEARED_SLOTS = ("application_reference", "application_type")


@dataclass(frozen=True)
class TrackingRequest:
    customer_id: str | None
    product: str | None = None
    reference: str | None = None  # upper-cased as given; may be malformed


@dataclass(frozen=True)
class Reply:
    """What to say: a domain response (with template variables) or text built here."""

    log_event: str
    response: str | None = None
    text: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    application_count: int = 0  # for the log line
    log_detail: str = ""


# -- reading the request from the tracker --------------------------------------------


def tracking_request_from(tracker: Tracker, settings: Settings) -> TrackingRequest:
    return TrackingRequest(
        customer_id=customer_id_for(tracker, settings),
        product=normalise_product(_named(tracker, "application_type")),
        reference=_upper(_named(tracker, "application_reference")),
    )


def _named(tracker: Tracker, name: str) -> Any:
    """The entity in this message, else the slot (filled by Rasa's slot mappings)."""
    return next(tracker.get_latest_entity_values(name), None) or tracker.get_slot(name)


def normalise_product(value: Any) -> str | None:
    """``"Personal Loan"`` → ``personal_loan``; anything that is not a product → None."""
    if not isinstance(value, str):
        return None
    product = re.sub(r"[\s\-]+", "_", value.strip().lower())
    return product if product in PRODUCT_LABELS else None


def _upper(value: Any) -> str | None:
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


# -- pure reply builders -------------------------------------------------------------


def product_label(product: str) -> str:
    return PRODUCT_LABELS.get(product, product.replace("_", " "))


def application_label(product: str | None) -> str:
    """``"mortgage application"``, or just ``"application"`` when no product was named."""
    return f"{product_label(product)} application" if product else "application"


def matching_applications(
    applications: Sequence[Application], product: str | None
) -> list[Application]:
    """Applications of the asked product (all if none), newest first."""
    shown = [a for a in applications if product is None or a.product == product]
    shown.sort(key=lambda a: a.reference)
    shown.sort(key=lambda a: _utc(a.submitted_at), reverse=True)
    return shown


def track_application_payload(reference: str) -> str:
    entities = json.dumps({"application_reference": reference}, separators=(",", ":"))
    return f"/track_application{entities}"


def application_title(application: Application) -> str:
    status = STATUS_WORDS.get(application.status, application.status.replace("_", " "))
    label = product_label(application.product).capitalize()
    return f"{label} {application.reference} ({status})"


def which_application_buttons(applications: Sequence[Application]) -> list[dict[str, str]]:
    return [
        {"title": application_title(a), "payload": track_application_payload(a.reference)}
        for a in applications
    ]


def latest_event(application: Application) -> TimelineEntry | None:
    if not application.timeline:
        return None
    return max(application.timeline, key=lambda entry: _utc(entry.occurred_at))


def format_day(moment: date | datetime, locale: str = DEFAULT_LOCALE) -> str:
    """A calendar day in the customer's locale: ``March 12, 2026`` / ``12 de marzo de 2026``."""
    day = _utc(moment).date() if isinstance(moment, datetime) else moment
    return format_date(day, format="long", locale=locale)


def headline(application: Application, locale: str = DEFAULT_LOCALE) -> str:
    amount = application.amount_requested
    amount_text = f" for {format_money(amount, locale)}" if amount else ""
    status = STATUS_PHRASES.get(application.status, f"is {application.status.replace('_', ' ')}")
    stage = (application.current_stage or "").strip()
    stage_text = f" (stage: {stage.lower()})" if stage and stage.lower() not in status else ""
    return (
        f"Your {application_label(application.product)} {application.reference}"
        f"{amount_text} {status}{stage_text}."
    )


def status_text(application: Application, locale: str = DEFAULT_LOCALE) -> str:
    """Where it stands, what happened last and when, what is still needed, when we decide."""
    lines = [headline(application, locale)]
    last = latest_event(application)
    if last is not None:
        what = last.note or last.stage or last.status.replace("_", " ")
        lines.append(f"Latest update ({format_day(last.occurred_at, locale)}): {_sentence(what)}")
    if application.missing_documents:
        documents = format_list(list(application.missing_documents), locale=TEXT_LOCALE)
        lines.append(f"We still need from you: {documents}.")
    if application.next_step:
        lines.append(f"Next step: {_sentence(application.next_step)}")
    if application.expected_decision_date:
        day = format_day(application.expected_decision_date, locale)
        lines.append(f"We expect to make a decision by {day}.")
    return "\n".join(lines)


def compose_reply(
    request: TrackingRequest, customer: Customer, applications: Sequence[Application]
) -> Reply:
    """Decide the answer from what core banking returned for this request."""
    if request.reference:
        shown = [a for a in applications if a.reference == request.reference]
        if not shown:
            return not_found_reply()
    else:
        shown = matching_applications(applications, request.product)
    if not shown:
        return Reply(
            log_event="applications.none",
            response=UTTER_NONE,
            variables={"application_label": application_label(request.product)},
        )
    if len(shown) > 1:
        return Reply(
            log_event="applications.which_application",
            response=UTTER_WHICH,
            buttons=which_application_buttons(shown),
            variables={"application_label": application_label(request.product)},
            application_count=len(shown),
        )
    [application] = shown
    return Reply(
        log_event="applications.answered",
        text=status_text(application, locale_for(customer.language)),
        application_count=1,
        log_detail=f"reference={application.reference} status={application.status}",
    )


def not_found_reply(log_event: str = "applications.not_found") -> Reply:
    """Unknown, malformed or someone else's reference: one answer, nothing revealed."""
    return Reply(log_event=log_event, response=UTTER_NOT_FOUND)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _utc(moment: datetime) -> datetime:
    """Core banking sends UTC; a naive time is taken as UTC too."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


# -- the action ------------------------------------------------------------------------


class ActionTrackApplication(Action):
    """Answers "where is my application" for a named product, a reference, or neither."""

    def __init__(
        self,
        client: CoreBankingClient | None = None,
        settings: Settings | None = None,
    ) -> None:
        self._client = client
        self._settings = settings

    def name(self) -> str:
        return "action_track_application"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        request = tracking_request_from(tracker, self._settings or get_settings())
        reply = await self._reply_for(request)
        _log(reply, request)
        dispatcher.utter_message(
            text=reply.text, response=reply.response, buttons=reply.buttons, **reply.variables
        )
        return [SlotSet(slot, None) for slot in CLEARED_SLOTS]

    async def _reply_for(self, request: TrackingRequest) -> Reply:
        if request.customer_id is None:
            return Reply(log_event="applications.unauthenticated", response=UTTER_UNAUTHENTICATED)
        if request.reference and not REFERENCE_PATTERN.fullmatch(request.reference):
            return not_found_reply("applications.reference_malformed")
        try:
            customer, applications = await self._fetch(request.customer_id, request.reference)
        except UnknownCustomer:
            return Reply(log_event="applications.customer_unknown", response=UTTER_UNAUTHENTICATED)
        except NotFound:
            return not_found_reply()
        except CoreBankingError as exc:
            return Reply(
                log_event="applications.core_unavailable",
                response=UTTER_UNAVAILABLE,
                log_detail=f"error={type(exc).__name__}",
            )
        return compose_reply(request, customer, applications)

    async def _fetch(
        self, customer_id: str, reference: str | None
    ) -> tuple[Customer, list[Application]]:
        """Customer (for the locale) and applications, fetched concurrently: one deadline."""
        client = self._client or shared_core_banking_client()
        if reference:
            customer, found = await with_customer(
                client, customer_id, client.get_application(customer_id, reference)
            )
            return customer, [found]
        return await with_customer(client, customer_id, client.list_applications(customer_id))


def _log(reply: Reply, request: TrackingRequest) -> None:
    """Event name and ids only: never amounts, documents, notes or message text."""
    details = [f"customer={request.customer_id or '-'}", f"product={request.product or '-'}"]
    if reply.application_count:
        details.append(f"applications={reply.application_count}")
    if reply.log_detail:
        details.append(reply.log_detail)
    level = logging.WARNING if reply.response == UTTER_UNAVAILABLE else logging.INFO
    logger.log(level, "%s %s", reply.log_event, " ".join(details))
