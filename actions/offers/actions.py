"""Offer actions: suggest one offer after a balance answer, explain it, take the answer.

- ``action_suggest_offer`` runs after ``action_check_balance``. Without consent to
  personalised offers it reads no core-banking data at all and records one
  ``suppressed``/``no_consent`` decision; otherwise it builds a ``CustomerSnapshot``
  from core banking, lets the engine decide, writes every decision (shown and
  suppressed, with reasons and the data fields used) to the profile store's audit log,
  and shows at most one offer with Yes / No / "Why am I seeing this?" buttons.
- ``action_explain_offer`` names the facts, the rule and the data used.
- ``action_respond_to_offer`` records ``accepted`` (affirm) or ``declined`` (deny).

Logs carry event names, customer ids and offer codes only.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABCMeta, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.core_banking import CoreBankingClient, shared_core_banking_client
from actions.clients.errors import CoreBankingError, CoreBankingUnavailable
from actions.identity import customer_id_for
from actions.offers import replies
from actions.offers.engine import ProfileContext, decide
from actions.offers.rules import RULES_BY_CODE, month_start
from actions.offers.snapshot import CustomerSnapshot, snapshot_from
from actions.settings import Settings, get_settings
from actions.stores.profile_store import ProfileStore, shared_profile_store

logger = logging.getLogger(__name__)

ACTIVE_OFFER = "active_offer"
CONSENT_GATE_CODE = "all_offers"
TRANSACTION_ACCOUNT_TYPES = ("checking", "credit_card")
HISTORY_MONTHS = 3
SNAPSHOT_BUDGET_SECONDS = 2.0

UTTER_EXPLANATION = "utter_offer_explanation"
UTTER_NO_ACTIVE_OFFER = "utter_offer_none_active"
UTTER_DECLINED = "utter_offer_declined"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class _OfferAction(Action, metaclass=ABCMeta):
    """Shared dependencies: core-banking client, profile store, settings and a clock.

    Abstract, so rasa-sdk's action registry skips it.
    """

    def __init__(
        self,
        client: CoreBankingClient | None = None,
        store: ProfileStore | None = None,
        settings: Settings | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._client = client
        self._store = store
        self._settings = settings
        self._clock = clock

    @abstractmethod
    def name(self) -> str: ...

    @property
    def store(self) -> ProfileStore:
        return self._store or shared_profile_store()

    def customer_id(self, tracker: Tracker) -> str | None:
        return customer_id_for(tracker, self._settings or get_settings())

    async def snapshot(self, customer_id: str, now: datetime) -> CustomerSnapshot:
        """Accounts, applications and 3 months of transactions, within one time budget
        (the balance answer waits for this action); too slow counts as unavailable."""
        try:
            return await asyncio.wait_for(
                self._read_snapshot(customer_id, now), timeout=SNAPSHOT_BUDGET_SECONDS
            )
        except asyncio.TimeoutError:
            raise CoreBankingUnavailable("offer data not read within budget") from None

    async def _read_snapshot(self, customer_id: str, now: datetime) -> CustomerSnapshot:
        client = self._client or shared_core_banking_client()
        accounts, applications = await _all(
            client.list_accounts(customer_id), client.list_applications(customer_id)
        )
        since = month_start(now, HISTORY_MONTHS)
        histories = await _all(
            *(
                client.list_transactions_since(customer_id, account.id, since)
                for account in accounts
                if account.type in TRANSACTION_ACCOUNT_TYPES and not account.is_closed
            )
        )
        transactions = [tx for history in histories for tx in history]
        return snapshot_from(customer_id, accounts, transactions, applications)


async def _all(*calls: Awaitable[Any]) -> list[Any]:
    """Run calls concurrently and wait for all of them; then raise the first failure."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def not_the_moment(tracker: Tracker) -> bool:
    """Inside a form (e.g. a contact-detail change) or right after a question."""
    return bool((tracker.active_loop or {}).get("name")) or asked_which_account(tracker)


def asked_which_account(tracker: Tracker) -> bool:
    """The last bot message offered buttons (e.g. "which account?"): not the moment."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "bot":
            return bool((event.get("data") or {}).get("buttons"))
        if event.get("event") == "user":
            return False
    return False


def profile_context(
    tracker: Tracker, consented: bool, interactions: Any, history: Any
) -> ProfileContext:
    turns = tracker.get_slot("negative_turns")
    return ProfileContext(
        consented=consented,
        sentiment=tracker.get_slot("sentiment"),
        negative_turns=int(turns) if isinstance(turns, int | float) else 0,
        interactions=tuple(interactions),
        offer_history=tuple(history),
    )


class ActionSuggestOffer(_OfferAction):
    def name(self) -> str:
        return "action_suggest_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        customer_id = self.customer_id(tracker)
        if customer_id is None or not_the_moment(tracker):
            return []
        now = self._clock()
        store = self.store
        profile = await store.get_profile(customer_id)
        if not profile.consents.personalised_offers:
            await store.record_offer_decision(
                customer_id,
                CONSENT_GATE_CODE,
                "suppressed",
                reasons=["no_consent"],
                data_used=["consents.personalised_offers"],
                at=now,
            )
            logger.info("offers.suppressed.no_consent customer=%s", customer_id)
            return []
        try:
            snapshot = await self.snapshot(customer_id, now)
        except CoreBankingError as exc:
            logger.warning(
                "offers.core_unavailable customer=%s error=%s", customer_id, type(exc).__name__
            )
            return []
        interactions, history = await asyncio.gather(
            store.interaction_history(customer_id, limit=50),
            store.offer_history(customer_id, limit=200),
        )
        context = profile_context(tracker, True, interactions, history)
        outcome = decide(snapshot, context, now)
        await store.record_offer_decisions(
            customer_id,
            [(d.offer_code, d.decision, d.reasons, d.data_used) for d in outcome.decisions],
            at=now,
        )
        if outcome.shown is None:
            logger.info(
                "offers.none_shown customer=%s eligible=%d", customer_id, len(outcome.decisions)
            )
            return [SlotSet(ACTIVE_OFFER, None)]
        code = outcome.shown.offer_code
        logger.info("offers.shown customer=%s offer=%s", customer_id, code)
        if RULES_BY_CODE[code].kind == "nudge":
            await store.record_nudge(customer_id, code, "chat", at=now)
        dispatcher.utter_message(
            response=replies.offer_response(code),
            **replies.offer_variables(outcome.shown.evidence.terms),
        )
        return [SlotSet(ACTIVE_OFFER, code)]


class ActionExplainOffer(_OfferAction):
    def name(self) -> str:
        return "action_explain_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = tracker.get_slot(ACTIVE_OFFER)
        customer_id = self.customer_id(tracker)
        rule = RULES_BY_CODE.get(code) if isinstance(code, str) else None
        if rule is None or customer_id is None:
            dispatcher.utter_message(response=UTTER_NO_ACTIVE_OFFER)
            return []
        now = self._clock()
        history = await self.store.offer_history(customer_id, rule.code, limit=20)
        stored = next((d for d in history if d.decision == "shown"), None)
        try:
            evidence = rule.eligible(await self.snapshot(customer_id, now), now)
        except CoreBankingError:
            evidence = None
        data_used = stored.data_used if stored else (evidence.data_used if evidence else ())
        logger.info("offers.explained customer=%s offer=%s", customer_id, rule.code)
        dispatcher.utter_message(
            response=UTTER_EXPLANATION,
            explanation=replies.explanation_text(rule, evidence, data_used),
        )
        return []


class ActionRespondToOffer(_OfferAction):
    def name(self) -> str:
        return "action_respond_to_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = tracker.get_slot(ACTIVE_OFFER)
        customer_id = self.customer_id(tracker)
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if code not in RULES_BY_CODE or customer_id is None or intent not in ("affirm", "deny"):
            dispatcher.utter_message(response=UTTER_NO_ACTIVE_OFFER)
            return [SlotSet(ACTIVE_OFFER, None)]
        accepted = intent == "affirm"
        decision = "accepted" if accepted else "declined"
        await self.store.record_offer_decision(
            customer_id,
            code,
            decision,
            reasons=["customer_accepted" if accepted else "customer_declined"],
            at=self._clock(),
        )
        logger.info("offers.%s customer=%s offer=%s", decision, customer_id, code)
        response = replies.accepted_response(code) if accepted else UTTER_DECLINED
        dispatcher.utter_message(response=response)
        return [SlotSet(ACTIVE_OFFER, None)]
