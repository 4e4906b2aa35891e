"""Application tracking: the pure reply builders, and ActionTrackApplication over the
real client with a fake core behind ``httpx.MockTransport``.

Real rasa-sdk Tracker and CollectingDispatcher. (The same flows against the real
core_mock app: test_applications_integration.py.)
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import applications
from actions.applications import (
    ActionTrackApplication,
    TrackingRequest,
    application_title,
    compose_reply,
    format_day,
    headline,
    matching_applications,
    normalise_product,
    status_text,
    track_application_payload,
)
from actions.clients.core_banking import CoreBankingClient
from actions.clients.models import Application, Customer
from tests.actions.action_factories import API_KEY, customer_payload, money

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"
CLEARED = [SlotSet("application_reference", None), SlotSet("application_type", None)]


# -- factories ----------------------------------------------------------------------------


def timeline_entry(status: str, note: str | None, occurred_at: str, stage: str = "Stage") -> dict:
    return {"status": status, "stage": stage, "note": note, "occurred_at": occurred_at}


def application_payload(
    reference: str = "APP-100001",
    *,
    customer_id: str = "CUST-0001",
    product: str = "personal_loan",
    amount: str | None = "15000.00",
    status: str = "documents_required",
    stage: str = "Waiting for documents",
    next_step: str = "Upload the missing documents in online banking or bring them to a branch.",
    missing: tuple[str, ...] = ("last 3 months of payslips",),
    decision: str | None = "2026-12-02",
    submitted_at: str = "2026-11-18T09:30:00+00:00",
    timeline: list[dict] | None = None,
) -> dict[str, Any]:
    steps = timeline or [
        timeline_entry("submitted", "Applied online", submitted_at),
        timeline_entry("documents_required", "Income needs to be verified", "2026-11-24T16:05:00Z"),
    ]
    return {
        "reference": reference,
        "customer_id": customer_id,
        "product": product,
        "amount_requested": money(amount) if amount else None,
        "status": status,
        "current_stage": stage,
        "next_step": next_step,
        "missing_documents": list(missing),
        "expected_decision_date": decision,
        "submitted_at": submitted_at,
        "updated_at": steps[-1]["occurred_at"],
        "timeline": steps,
    }


def approved_card(customer_id: str = "CUST-0003") -> dict[str, Any]:
    return application_payload(
        "APP-100003",
        customer_id=customer_id,
        product="credit_card",
        amount=None,
        status="approved",
        stage="Approved",
        next_step="Your card is on its way and should arrive within 7 to 10 days.",
        missing=(),
        decision=None,
        submitted_at="2026-11-10T08:00:00Z",
        timeline=[
            timeline_entry("submitted", "Applied online", "2026-11-10T08:00:00Z"),
            timeline_entry("approved", "Approved", "2026-11-14T11:00:00Z", stage="Approved"),
        ],
    )


def declined_loan(customer_id: str = "CUST-0003") -> dict[str, Any]:
    return application_payload(
        "APP-100004",
        customer_id=customer_id,
        amount="8000.00",
        status="declined",
        stage="Decision made",
        next_step="We have sent you a letter explaining the decision.",
        missing=(),
        decision=None,
        submitted_at="2026-11-12T08:00:00Z",
        timeline=[
            timeline_entry("submitted", "Applied online", "2026-11-12T08:00:00Z"),
            timeline_entry(
                "declined", "Declined: credit utilisation too high", "2026-11-16T10:00Z"
            ),
        ],
    )


def in_review_mortgage() -> dict[str, Any]:
    return application_payload(
        "APP-100002",
        customer_id="CUST-0002",
        product="mortgage",
        amount="385000.00",
        status="in_review",
        stage="Valuation and underwriting",
        next_step="We are valuing the property and reviewing your application.",
        missing=(),
        decision="2026-12-11",
        timeline=[timeline_entry("in_review", "Property valuation booked", "2026-11-20T09:00Z")],
    )


def app(payload: dict[str, Any] | None = None, **overrides: Any) -> Application:
    return Application.parse_obj(payload or application_payload(**overrides))


ALICE = Customer.parse_obj(customer_payload("CUST-0001"))
BRUNO = Customer.parse_obj(customer_payload("CUST-0002", language="es"))


# -- a fake core for the application routes --------------------------------------------------


class FakeApplicationsCore:
    """In-memory core banking answering the customer and application read routes."""

    def __init__(self) -> None:
        self.customers: dict[str, dict[str, Any]] = {}
        self.applications: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[httpx.Request] = []
        self.failure: httpx.Response | None = None
        self.delay_seconds = 0.0

    def add_customer(self, customer: dict[str, Any], apps: list[dict[str, Any]]) -> None:
        self.customers[customer["id"]] = copy.deepcopy(customer)
        self.applications[customer["id"]] = copy.deepcopy(apps)

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        await asyncio.sleep(self.delay_seconds)
        if request.headers.get("X-API-Key") != API_KEY:
            return _error(401, "unauthorized")
        if self.failure is not None:
            return self.failure
        match request.url.path.strip("/").split("/"):
            case ["v1", "customers", cid] if cid in self.customers:
                return httpx.Response(200, json=self.customers[cid])
            case ["v1", "customers", cid, "applications"] if cid in self.customers:
                return httpx.Response(200, json={"applications": self.applications[cid]})
            case ["v1", "customers", cid, "applications", ref] if cid in self.customers:
                for found in self.applications[cid]:
                    if found["reference"] == ref:
                        return httpx.Response(200, json=found)
                return _error(404, "application_not_found")
        return _error(404, "customer_not_found")


def _error(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": "no"}})


@pytest.fixture
def core() -> FakeApplicationsCore:
    """The four demo customers' situations: Alice one loan, Bruno (es) a mortgage,
    Chen an approved card and a declined loan, Dana nothing."""
    fake = FakeApplicationsCore()
    fake.add_customer(customer_payload("CUST-0001"), [application_payload()])
    fake.add_customer(customer_payload("CUST-0002", language="es"), [in_review_mortgage()])
    fake.add_customer(customer_payload("CUST-0003"), [approved_card(), declined_loan()])
    fake.add_customer(customer_payload("CUST-0004"), [])
    return fake


@pytest.fixture
async def action(core, settings):
    client = CoreBankingClient.from_settings(settings, transport=httpx.MockTransport(core.handler))
    yield ActionTrackApplication(client=client, settings=settings)
    await client.aclose()


@pytest.fixture
def track(make_tracker):
    """A tracker after a track_application message, with the slots Rasa would have set."""

    def build(sender_id: str = "CUST-0001", *, product=None, reference=None, **kwargs):
        entities = {}
        if product:
            entities["application_type"] = product
        if reference:
            entities["application_reference"] = reference
        slots = {"application_type": product, "application_reference": reference}
        return make_tracker(
            sender_id=sender_id,
            intent="track_application",
            entities=entities,
            slots=slots,
            text="where is my application",
            **kwargs,
        )

    return build


async def ask(action, tracker) -> tuple[dict, list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    return message, events


# -- pure functions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("personal_loan", "personal_loan"),
        ("Personal Loan", "personal_loan"),
        ("credit-card", "credit_card"),
        ("mortgage", "mortgage"),
        ("savings", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_product(value, expected) -> None:
    assert normalise_product(value) == expected


def test_matching_applications_filters_by_product_newest_first() -> None:
    older = app(reference="APP-100010", submitted_at="2026-01-01T00:00:00Z")
    newer = app(reference="APP-100011", submitted_at="2026-06-01T00:00:00Z")
    card = app(approved_card())
    assert matching_applications([older, card, newer], "personal_loan") == [newer, older]
    assert matching_applications([older, card, newer], None) == [card, newer, older]
    assert matching_applications([older], "mortgage") == []


def test_status_text_for_documents_required() -> None:
    assert status_text(app()) == (
        "Your personal loan application APP-100001 for $15,000.00 is waiting for documents "
        "from you.\n"
        "Latest update (November 24, 2026): Income needs to be verified.\n"
        "We still need from you: last 3 months of payslips.\n"
        "Next step: Upload the missing documents in online banking or bring them to a branch.\n"
        "We expect to make a decision by December 2, 2026."
    )


def test_status_text_for_a_decided_card_has_no_amount_or_decision_date() -> None:
    text = status_text(app(approved_card()))
    assert text.splitlines() == [
        "Your credit card application APP-100003 has been approved.",
        "Latest update (November 14, 2026): Approved.",
        "Next step: Your card is on its way and should arrive within 7 to 10 days.",
    ]


def test_several_missing_documents_are_listed_in_words() -> None:
    text = status_text(app(missing=("photo ID", "proof of address", "payslips")))
    assert "We still need from you: photo ID, proof of address, and payslips." in text


def test_stage_is_added_only_when_it_says_something_new() -> None:
    assert headline(app(in_review_mortgage())) == (
        "Your mortgage application APP-100002 for $385,000.00 is being reviewed "
        "(stage: valuation and underwriting)."
    )
    assert "(stage" not in headline(app(approved_card()))


def test_spanish_customer_gets_dates_and_money_in_their_locale() -> None:
    text = status_text(app(in_review_mortgage()), "es_ES")
    assert "385.000,00\xa0US$" in text
    assert "Latest update (20 de noviembre de 2026): Property valuation booked." in text
    assert text.endswith("We expect to make a decision by 11 de diciembre de 2026.")


def test_latest_update_uses_the_newest_event_and_its_utc_day() -> None:
    late_evening_in_new_york = datetime(2026, 3, 1, 22, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert format_day(late_evening_in_new_york) == "March 2, 2026"
    shuffled = application_payload(
        timeline=[
            timeline_entry("in_review", "Newest", "2026-05-03T00:00:00Z"),
            timeline_entry("submitted", "Oldest", "2026-05-01T00:00:00Z"),
        ]
    )
    assert "Latest update (May 3, 2026): Newest." in status_text(app(shuffled))


def test_status_without_timeline_or_next_step_still_reads_well() -> None:
    bare = application_payload(timeline=[timeline_entry("submitted", None, "2026-05-01T09:00Z")])
    bare.update(timeline=[], next_step="", missing_documents=[], expected_decision_date=None)
    bare.update(status="submitted", current_stage="Application received")
    assert status_text(app(bare)) == (
        "Your personal loan application APP-100001 for $15,000.00 has been received and is "
        "waiting to be reviewed (stage: application received)."
    )


def test_buttons_name_each_application_and_send_its_reference() -> None:
    [card, loan] = [app(approved_card()), app(declined_loan())]
    assert application_title(card) == "Credit card APP-100003 (approved)"
    assert application_title(app()) == "Personal loan APP-100001 (documents needed)"
    payload = track_application_payload(loan.reference)
    assert payload == '/track_application{"application_reference":"APP-100004"}'
    assert json.loads(payload.removeprefix("/track_application")) == {
        "application_reference": "APP-100004"
    }


def test_compose_reply_chooses_none_which_answer_or_not_found() -> None:
    chens = [app(approved_card()), app(declined_loan())]
    none = compose_reply(TrackingRequest("CUST-0003", product="mortgage"), ALICE, chens)
    assert (none.response, none.variables) == (
        "utter_applications_none",
        {"application_label": "mortgage application"},
    )
    which = compose_reply(TrackingRequest("CUST-0003"), ALICE, chens)
    assert which.response == "utter_which_application"
    assert which.variables == {"application_label": "application"}
    assert [b["title"] for b in which.buttons] == [
        "Personal loan APP-100004 (declined)",  # submitted later: listed first
        "Credit card APP-100003 (approved)",
    ]
    answer = compose_reply(TrackingRequest("CUST-0003", product="credit_card"), ALICE, chens)
    assert answer.text and answer.text.startswith("Your credit card application APP-100003")
    wrong = compose_reply(TrackingRequest("CUST-0003", reference="APP-100009"), ALICE, chens)
    assert wrong.response == "utter_application_not_found"


# -- the action -------------------------------------------------------------------------------


def test_action_name() -> None:
    assert ActionTrackApplication().name() == "action_track_application"


async def test_named_product_gets_that_application(action, track) -> None:
    message, events = await ask(action, track("CUST-0003", product="personal_loan"))
    assert message["text"].startswith(
        "Your personal loan application APP-100004 for $8,000.00 was declined"
    )
    assert (
        "Latest update (November 16, 2026): Declined: credit utilisation too high."
        in (message["text"])
    )
    assert events == CLEARED


async def test_card_words_copied_into_the_slot_name_the_card(action, make_tracker) -> None:
    """ "any news on my credit card application": the entity is account_type; Rasa's slot
    mapping copies it into application_type."""
    tracker = make_tracker(
        sender_id="CUST-0003",
        intent="track_application",
        entities={"account_type": "credit_card"},
        slots={"account_type": "credit_card", "application_type": "credit_card"},
    )
    message, _ = await ask(action, tracker)
    assert message["text"].startswith("Your credit card application APP-100003 has been approved")


async def test_nothing_named_and_one_application_answers_it(action, track) -> None:
    message, events = await ask(action, track("CUST-0001"))
    assert "APP-100001" in message["text"]
    assert "We still need from you: last 3 months of payslips." in message["text"]
    assert "We expect to make a decision by December 2, 2026." in message["text"]
    assert events == CLEARED


async def test_several_ask_which_then_the_button_answers(action, core, track) -> None:
    message, events = await ask(action, track("CUST-0003"))
    assert message["response"] == "utter_which_application"
    assert message["application_label"] == "application"
    assert message["text"] is None
    assert [b["payload"] for b in message["buttons"]] == [
        '/track_application{"application_reference":"APP-100004"}',
        '/track_application{"application_reference":"APP-100003"}',
    ]
    assert events == CLEARED

    message, events = await ask(action, track("CUST-0003", reference="APP-100003"))
    assert message["text"].startswith("Your credit card application APP-100003 has been approved")
    assert core.requests[-1].url.path.endswith("/applications/APP-100003")
    assert events == CLEARED


async def test_several_of_the_named_product_ask_which(action, core, track) -> None:
    core.applications["CUST-0001"].append(
        application_payload("APP-100042", status="submitted", submitted_at="2026-10-01T00:00Z")
    )
    message, _ = await ask(action, track("CUST-0001", product="personal_loan"))
    assert message["response"] == "utter_which_application"
    assert message["application_label"] == "personal loan application"
    assert len(message["buttons"]) == 2


async def test_lower_case_reference_is_found(action, track) -> None:
    message, _ = await ask(action, track("CUST-0001", reference="app-100001"))
    assert message["text"].startswith("Your personal loan application APP-100001")


async def test_reference_wins_over_a_named_product(action, track) -> None:
    message, _ = await ask(action, track("CUST-0003", product="mortgage", reference="APP-100004"))
    assert "APP-100004" in message["text"]


@pytest.mark.parametrize(
    ("product", "label"),
    [(None, "application"), ("mortgage", "mortgage application")],
)
async def test_no_matching_application_offers_to_apply(action, track, product, label) -> None:
    sender = "CUST-0004" if product is None else "CUST-0001"
    message, events = await ask(action, track(sender, product=product))
    assert message["response"] == "utter_applications_none"
    assert message["application_label"] == label
    assert events == CLEARED


async def test_someone_elses_reference_reads_exactly_like_a_missing_one(action, track) -> None:
    foreign, _ = await ask(action, track("CUST-0001", reference="APP-100003"))  # Chen's
    missing, _ = await ask(action, track("CUST-0001", reference="APP-999999"))
    assert foreign == missing
    assert foreign["response"] == "utter_application_not_found"
    assert foreign["text"] is None and foreign["buttons"] == []
    assert "credit" not in json.dumps(foreign) and "approved" not in json.dumps(foreign)


@pytest.mark.parametrize("reference", ["../CUST-0002", "APP-12", "APP-1000011", "CUST-0002"])
async def test_malformed_reference_never_reaches_core(action, core, track, reference) -> None:
    message, events = await ask(action, track("CUST-0001", reference=reference))
    assert message["response"] == "utter_application_not_found"
    assert core.requests == []
    assert events == CLEARED


async def test_unidentified_user_gets_no_data(action, core, track) -> None:
    message, events = await ask(action, track("anonymous", product="mortgage"))
    assert message["response"] == "utter_applications_unauthenticated"
    assert core.requests == []
    assert events == CLEARED


async def test_customer_unknown_to_core_is_unauthenticated(action, track) -> None:
    message, _ = await ask(action, track("CUST-9999", reference="APP-100001"))
    assert message["response"] == "utter_applications_unauthenticated"


async def test_metadata_identity_wins(action, track) -> None:
    message, _ = await ask(action, track("CUST-0001", metadata={"customer_id": "CUST-0002"}))
    assert "APP-100002" in message["text"]


async def test_spanish_customer_is_answered_without_breaking(action, track) -> None:
    message, _ = await ask(action, track("CUST-0002", product="mortgage"))
    assert "385.000,00\xa0US$" in message["text"]
    assert "11 de diciembre de 2026" in message["text"]


@pytest.mark.parametrize("status", [503, 500, 401, 422])
async def test_core_failures_apologise(action, core, track, status) -> None:
    core.failure = httpx.Response(status, json={"error": {"code": "x", "message": "y"}})
    message, events = await ask(action, track("CUST-0001"))
    assert message["response"] == "utter_core_banking_unavailable"
    assert events == CLEARED


async def test_slow_core_apologises_within_the_deadline(action, core, track, settings) -> None:
    core.delay_seconds = 5
    loop = asyncio.get_running_loop()
    started = loop.time()
    message, _ = await ask(action, track("CUST-0001", reference="APP-100001"))
    assert message["response"] == "utter_core_banking_unavailable"
    assert loop.time() - started < settings.core_banking_deadline_seconds + 0.5


async def test_logs_name_events_and_ids_only(action, track, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="actions")
    await ask(action, track("CUST-0001"))
    await ask(action, track("CUST-0003"))
    await ask(action, track("CUST-0001", reference="APP-100003"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "applications.answered customer=CUST-0001 product=- applications=1 " in logged
    assert "reference=APP-100001 status=documents_required" in logged
    assert "applications.which_application customer=CUST-0003 product=- applications=2" in logged
    assert "applications.not_found customer=CUST-0001" in logged
    for secret in ("15,000", "15000", "payslips", "Income", "Declined:", "APP-100003"):
        assert secret not in logged


# -- the domain and rules the action relies on ------------------------------------------------

DISPATCHED = {
    applications.UTTER_UNAUTHENTICATED: set(),
    applications.UTTER_NOT_FOUND: set(),
    applications.UTTER_NONE: {"application_label"},
    applications.UTTER_WHICH: {"application_label"},
    applications.UTTER_UNAVAILABLE: set(),
}


def _bot_yaml(folder: str) -> list[dict]:
    return [yaml.safe_load(p.read_text()) or {} for p in sorted((BOT_DIR / folder).glob("*.yml"))]


@pytest.mark.parametrize("name", sorted(DISPATCHED))
def test_dispatched_responses_exist_with_only_variables_the_action_fills(name: str) -> None:
    responses: dict[str, list[dict]] = {}
    for domain in _bot_yaml("domain"):
        responses.update(domain.get("responses") or {})
    assert responses.get(name), f"{name} is dispatched but not in bot/domain"
    for variant in responses[name]:
        used = set(re.findall(r"{(\w+)}", variant.get("text", "")))
        assert used <= DISPATCHED[name], f"{name} uses {used - DISPATCHED[name]}"


def test_domain_declares_the_action_and_the_offer_to_apply_leads_somewhere() -> None:
    [domain] = [d for d in _bot_yaml("domain") if "track_application" in (d.get("intents") or [])]
    assert "action_track_application" in domain["actions"]
    assert "utter_track_application_interim" not in domain["responses"]
    [button] = domain["responses"][applications.UTTER_NONE][0]["buttons"]
    rules = [rule for doc in _bot_yaml("rules") for rule in doc.get("rules") or []]
    steps = [rule["steps"] for rule in rules]
    assert [
        {"intent": button["payload"].lstrip("/")},
        {"action": "utter_faq_apply_for_product"},
    ] in (steps)
    assert [{"intent": "track_application"}, {"action": "action_track_application"}] in steps


def test_as_of_dates_are_plain_dates() -> None:
    assert format_day(date(2026, 12, 2), "es_ES") == "2 de diciembre de 2026"
