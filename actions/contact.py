"""Contact-details change, the form: ``validate_contact_details_form``.

Which field, the new value (validated in ``actions.contact_values``), a one-time code
that core banking sends to a contact already on file and verifies, then a read-back
to confirm. The change itself is made after the form (``actions.contact_commit``).
A terminal outcome (not signed in, locked, core banking down) ends the form early
through the ``contact_change_outcome`` slot. Logs carry event names and ids only.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions import contact_values as values
from actions.clients.core_banking import CoreBankingClient, shared_core_banking_client
from actions.clients.errors import CoreBankingError, Rejected
from actions.clients.models import ContactDetails, PostalAddress
from actions.identity import customer_id_for
from actions.settings import Settings, get_settings

logger = logging.getLogger(__name__)

OUTCOME = "contact_change_outcome"
CHALLENGE = "contact_challenge_id"
SENT_TO = "contact_code_sent_to"
SUMMARY = "contact_change_summary"
CODE = "contact_code"
CODE_VERIFIED = "verified"  # what the code slot holds once verified: never the code
ADDRESS_SLOTS = (
    "contact_address_line1",
    "contact_address_city",
    "contact_address_region",
    "contact_address_country",
    "contact_address_postcode",
)
VALUE_SLOTS = {
    "email": ("contact_email",),
    "phone": ("contact_phone",),
    "address": ADDRESS_SLOTS,
}
CONTACT_SLOTS = (
    "contact_field",
    "contact_email",
    "contact_phone",
    *ADDRESS_SLOTS,
    CODE,
    "contact_confirm",
    CHALLENGE,
    SENT_TO,
    SUMMARY,
    OUTCOME,
)
CODE_OUTCOMES = {"challenge_locked": "locked", "challenge_expired": "expired"}

Slots = dict[str, Any]


def change_summary(field: str, value: str | PostalAddress) -> str:
    """``"your email address to a***@example.com"``: the read-back, masked."""
    return f"your {values.FIELD_LABELS[field]} to {values.masked_value(field, value)}"


def address_from(tracker: Tracker, postcode: str) -> PostalAddress:
    get = tracker.get_slot
    return PostalAddress(
        line1=get("contact_address_line1"),
        city=get("contact_address_city"),
        region=get("contact_address_region"),
        postal_code=postcode,
        country=get("contact_address_country"),
    )


def is_unchanged(field: str, new: str | PostalAddress, contact: ContactDetails) -> bool:
    old = values.current_value(contact, field)
    if isinstance(new, PostalAddress) and isinstance(old, PostalAddress):
        return values.same_address(new, old)
    return new == old


class ValidateContactDetailsForm(FormValidationAction):
    def __init__(
        self, client: CoreBankingClient | None = None, settings: Settings | None = None
    ) -> None:
        self._client = client
        self._settings = settings

    def name(self) -> str:
        return "validate_contact_details_form"

    @property
    def client(self) -> CoreBankingClient:
        return self._client or shared_core_banking_client()

    def _customer(self, tracker: Tracker) -> str | None:
        return customer_id_for(tracker, self._settings or get_settings())

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        customer_id = self._customer(tracker)
        if customer_id is None:
            logger.info("contact.unauthenticated")
            return [SlotSet(OUTCOME, "unauthenticated"), SlotSet(REQUESTED_SLOT, None)]
        events = await super().run(dispatcher, tracker, domain)
        requested = next(
            (e["value"] for e in reversed(events) if e.get("name") == REQUESTED_SLOT), None
        )
        if requested == CODE and not tracker.get_slot(CHALLENGE):
            events.extend(await self._send_code(customer_id, tracker.get_slot("contact_field")))
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(OUTCOME):
            return []
        field = tracker.get_slot("contact_field")
        if field not in VALUE_SLOTS:  # a value given up front is validated, and names the field
            return ["contact_field", "contact_email", "contact_phone"]
        return ["contact_field", *VALUE_SLOTS[field], CODE, "contact_confirm"]

    async def _send_code(self, customer_id: str, field: str) -> list[EventType]:
        """Core banking sends the code to a contact on file (never the new value)."""
        channel = values.CODE_CHANNELS[field]
        try:
            challenge = await self.client.create_challenge(
                customer_id, purpose="contact_change", channel=channel
            )
        except CoreBankingError as exc:
            logger.warning(
                "contact.code_not_sent customer=%s error=%s", customer_id, type(exc).__name__
            )
            return [SlotSet(OUTCOME, "unavailable"), SlotSet(REQUESTED_SLOT, None)]
        logger.info(
            "contact.code_sent customer=%s challenge=%s channel=%s",
            customer_id,
            challenge.id,
            channel,
        )
        return [SlotSet(CHALLENGE, challenge.id), SlotSet(SENT_TO, challenge.sent_to)]

    # -- which field ---------------------------------------------------------------

    async def validate_contact_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        field = values.parse_field(value)
        if field is None:
            dispatcher.utter_message(response="utter_contact_field_invalid")
        return {"contact_field": field}

    # -- the new value -------------------------------------------------------------

    async def validate_contact_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        email = values.parse_email(value)
        if email is None:
            dispatcher.utter_message(response="utter_contact_email_invalid")
            return {"contact_email": None}
        return await self._checked_against_file(dispatcher, tracker, "email", email)

    async def validate_contact_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        contact = await self._contact_on_file(tracker)
        if contact is None:
            return {"contact_phone": None, OUTCOME: "unavailable"}
        phone = values.parse_phone(value, values.phone_region(contact))
        if phone is None:
            dispatcher.utter_message(response="utter_contact_phone_invalid")
            return {"contact_phone": None}
        return await self._checked_against_file(dispatcher, tracker, "phone", phone, contact)

    async def validate_contact_address_line1(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return self._address_part(dispatcher, "contact_address_line1", value, min_length=3)

    async def validate_contact_address_city(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return self._address_part(dispatcher, "contact_address_city", value)

    async def validate_contact_address_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return self._address_part(dispatcher, "contact_address_region", value)

    async def validate_contact_address_country(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        country = values.parse_country(value)
        if country is None:
            dispatcher.utter_message(response="utter_contact_country_invalid")
        return {"contact_address_country": country}

    async def validate_contact_address_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        postcode = values.parse_postcode(value, tracker.get_slot("contact_address_country"))
        if postcode is None:
            dispatcher.utter_message(response="utter_contact_postcode_invalid")
            return {"contact_address_postcode": None}
        address = address_from(tracker, postcode)
        return await self._checked_against_file(dispatcher, tracker, "address", address)

    def _address_part(
        self, dispatcher: CollectingDispatcher, slot: str, value: Any, min_length: int = 2
    ) -> Slots:
        part = values.parse_text_part(value, min_length=min_length)
        if part is None:
            dispatcher.utter_message(response="utter_contact_address_part_invalid")
        return {slot: part}

    async def _contact_on_file(self, tracker: Tracker) -> ContactDetails | None:
        customer_id = self._customer(tracker) or ""
        try:
            return await self.client.get_contact(customer_id)
        except CoreBankingError as exc:
            logger.warning(
                "contact.lookup_failed customer=%s error=%s", customer_id, type(exc).__name__
            )
            return None

    async def _checked_against_file(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        field: str,
        new: str | PostalAddress,
        contact: ContactDetails | None = None,
    ) -> Slots:
        """The value, unless it is what is already on file; sets the masked read-back."""
        slot = "contact_address_postcode" if field == "address" else VALUE_SLOTS[field][0]
        contact = contact or await self._contact_on_file(tracker)
        if contact is None:
            return {slot: None, OUTCOME: "unavailable"}
        if is_unchanged(field, new, contact):
            label = values.FIELD_LABELS[field]
            dispatcher.utter_message(response="utter_contact_value_unchanged", field_label=label)
            return {slot: None}
        stored = new.postal_code if isinstance(new, PostalAddress) else new
        slots = {slot: stored, SUMMARY: change_summary(field, new)}
        if not tracker.get_slot("contact_field"):
            slots["contact_field"] = field
        return slots

    # -- the one-time code ---------------------------------------------------------

    async def validate_contact_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        code = values.parse_code(value)
        challenge_id = tracker.get_slot(CHALLENGE)
        if code is None or not challenge_id:
            dispatcher.utter_message(response="utter_contact_code_format")
            return {CODE: None}
        customer_id = self._customer(tracker) or ""
        try:
            await self.client.verify_challenge(customer_id, challenge_id, code)
        except Rejected as exc:
            return self._code_refused(dispatcher, customer_id, challenge_id, exc)
        except CoreBankingError as exc:
            logger.warning(
                "contact.code_check_failed customer=%s challenge=%s error=%s",
                customer_id,
                challenge_id,
                type(exc).__name__,
            )
            outcome = "expired" if exc.status_code == 404 else "unavailable"
            return {CODE: None, OUTCOME: outcome}
        logger.info("contact.code_verified customer=%s challenge=%s", customer_id, challenge_id)
        return {CODE: CODE_VERIFIED}

    def _code_refused(
        self, dispatcher: CollectingDispatcher, customer_id: str, challenge_id: str, exc: Rejected
    ) -> Slots:
        logger.info(
            "contact.code_refused customer=%s challenge=%s reason=%s",
            customer_id,
            challenge_id,
            exc.code,
        )
        outcome = CODE_OUTCOMES.get(exc.code or "")
        if outcome is not None:
            return {CODE: None, OUTCOME: outcome}
        if exc.code == "wrong_code":
            dispatcher.utter_message(response="utter_contact_code_wrong")
        else:  # e.g. a 4-digit code where core banking sends 6: costs no attempt
            dispatcher.utter_message(response="utter_contact_code_format")
        return {CODE: None}

    async def validate_contact_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        return {"contact_confirm": value if isinstance(value, bool) else None}
