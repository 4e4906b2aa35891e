"""Contact-details change, after the form: commit once, or say why not.

``action_finish_contact_change`` runs when ``contact_details_form`` ends. It reads
the outcome the form left (not signed in, locked, expired, core banking down, "no"
at the read-back) or commits the confirmed change with an idempotency key derived
from the conversation, the challenge, the field and the value, so a retry is replayed
by core banking instead of applied twice. Core banking records the change in the
contact history and notifies the old and the new contact; the outcome is also
recorded in the profile store. ``action_cancel_contact_change`` and
``action_reset_contact_change`` clear the form's slots (cancel / topic switch).
"""

from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import contact_values as values
from actions.clients.core_banking import CoreBankingClient, shared_core_banking_client
from actions.clients.errors import CoreBankingUnavailable, Rejected
from actions.clients.models import PostalAddress
from actions.contact import CHALLENGE, CODE, CODE_VERIFIED, CONTACT_SLOTS, OUTCOME, address_from
from actions.identity import customer_id_for
from actions.settings import Settings, get_settings
from actions.stores.profile_store import ProfileStore, shared_profile_store

logger = logging.getLogger(__name__)

TOPIC = "update_contact_details"
HANDOFF_REASON = "contact_change_locked"
OUTCOME_REPLIES = {
    "unauthenticated": "utter_contact_sign_in",
    "unavailable": "utter_contact_change_unavailable",
    "locked": "utter_contact_change_locked",
    "expired": "utter_contact_code_expired",
    "declined": "utter_contact_change_not_confirmed",
    "failed": "utter_contact_change_failed",
    "unconfirmed": "utter_contact_change_unconfirmed",
    "changed": "utter_contact_change_done",
}
NOTICE_CHANNELS = {"email": "email address", "phone": "phone number", "address": "address"}


@dataclass(frozen=True)
class Finish:
    outcome: str
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def response(self) -> str:
        return OUTCOME_REPLIES[self.outcome]


def new_value_from(tracker: Tracker, field_name: str) -> str | PostalAddress | None:
    if field_name == "address":
        postcode = tracker.get_slot("contact_address_postcode")
        return address_from(tracker, postcode) if postcode else None
    slot = "contact_email" if field_name == "email" else "contact_phone"
    return tracker.get_slot(slot) or None


def reset_events() -> list[EventType]:
    return [SlotSet(slot, None) for slot in CONTACT_SLOTS]


async def audit(store: ProfileStore | None, customer_id: str | None, outcome: str) -> None:
    """Record the outcome; a profile-store failure must not hide the answer."""
    if not customer_id:
        return
    try:
        await (store or shared_profile_store()).record_interaction(customer_id, TOPIC, outcome)
    except Exception as exc:  # noqa: BLE001 - the audit must never break the reply
        logger.warning("contact.audit_failed customer=%s error=%s", customer_id, type(exc).__name__)


class _ContactAction(Action, metaclass=ABCMeta):
    """Shared wiring; abstract, so rasa-sdk's package scan does not register it."""

    @abstractmethod
    def name(self) -> str: ...

    def __init__(
        self,
        client: CoreBankingClient | None = None,
        settings: Settings | None = None,
        store: ProfileStore | None = None,
    ) -> None:
        self._client = client
        self._settings = settings
        self._store = store

    def _customer(self, tracker: Tracker) -> str | None:
        return customer_id_for(tracker, self._settings or get_settings())


class ActionFinishContactChange(_ContactAction):
    def name(self) -> str:
        return "action_finish_contact_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        customer_id = self._customer(tracker)
        finish = await self._finish(tracker, customer_id)
        logger.info(
            "contact.finished customer=%s field=%s outcome=%s",
            customer_id or "-",
            tracker.get_slot("contact_field") or "-",
            finish.outcome,
        )
        dispatcher.utter_message(response=finish.response, **finish.variables)
        if finish.outcome != "unauthenticated":
            await audit(self._store, customer_id, finish.outcome)
        events = reset_events()
        if finish.outcome == "locked":
            events += [
                SlotSet("handoff_reason", HANDOFF_REASON),
                FollowupAction("action_hand_over"),
            ]
        return events

    async def _finish(self, tracker: Tracker, customer_id: str | None) -> Finish:
        outcome = tracker.get_slot(OUTCOME)
        if customer_id is None or outcome == "unauthenticated":
            return Finish("unauthenticated")
        if outcome in OUTCOME_REPLIES:
            return Finish(outcome)
        if tracker.get_slot("contact_confirm") is False:
            return Finish("declined")
        field_name = tracker.get_slot("contact_field")
        value = new_value_from(tracker, field_name) if field_name in values.API_FIELDS else None
        challenge_id = tracker.get_slot(CHALLENGE)
        verified = tracker.get_slot(CODE) == CODE_VERIFIED
        if value is None or not challenge_id or not verified:
            return Finish("failed")  # the form cannot end like this; never commit half-known
        return await self._commit(tracker, customer_id, field_name, value, challenge_id)

    async def _commit(
        self,
        tracker: Tracker,
        customer_id: str,
        field_name: str,
        value: str | PostalAddress,
        challenge_id: str,
    ) -> Finish:
        key = values.idempotency_key(tracker.sender_id, challenge_id, field_name, value)
        client = self._client or shared_core_banking_client()
        try:
            await client.update_contact(
                customer_id,
                values.API_FIELDS[field_name],
                value,
                challenge_id=challenge_id,
                idempotency_key=key,
            )
        except Rejected as exc:
            logger.warning(
                "contact.change_refused customer=%s challenge=%s reason=%s",
                customer_id,
                challenge_id,
                exc.code,
            )
            return Finish("expired" if exc.code == "challenge_expired" else "failed")
        except CoreBankingUnavailable:
            return Finish("unconfirmed")  # it may have been applied: do not claim either way
        except Exception as exc:
            logger.warning(
                "contact.change_failed customer=%s error=%s", customer_id, type(exc).__name__
            )
            return Finish("failed")
        return Finish(
            "changed",
            {
                "field_label": values.FIELD_LABELS[field_name],
                "masked_value": values.masked_value(field_name, value),
                "notice_channel": NOTICE_CHANNELS[field_name],
            },
        )


class ActionCancelContactChange(_ContactAction):
    """The customer said "cancel" or "stop" inside the form: nothing is changed."""

    def name(self) -> str:
        return "action_cancel_contact_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        customer_id = self._customer(tracker)
        logger.info("contact.cancelled customer=%s", customer_id or "-")
        dispatcher.utter_message(response="utter_contact_change_cancelled")
        await audit(self._store, customer_id, "cancelled")
        return reset_events()


class ActionResetContactChange(_ContactAction):
    """The customer switched topic inside the form: forget the half-filled change."""

    def name(self) -> str:
        return "action_reset_contact_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        customer_id = self._customer(tracker)
        logger.info("contact.abandoned customer=%s", customer_id or "-")
        await audit(self._store, customer_id, "abandoned")
        return reset_events()
