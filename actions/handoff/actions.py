"""``action_hand_over``: open a ticket with the full context, then pause the bot.

Rasa's own ``pause`` event stops the bot answering while an agent owns the
conversation; the desk sends ``resume`` when the agent closes the ticket. Outside
agent hours the desk makes it a callback request and the bot stays on. When the
desk cannot be reached the customer is told how else to reach a person, and
nothing is paused.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.core_banking import CoreBankingClient, shared_core_banking_client
from actions.fallback import likely_topic_labels
from actions.handoff import reasons
from actions.handoff.context import conversation_context, customer_summary, summary_line
from actions.handoff.desk_client import DeskClient, DeskTicket, DeskUnavailable
from actions.identity import customer_id_for
from actions.settings import Settings, get_settings

logger = logging.getLogger(__name__)


class ActionHandOver(Action):
    def __init__(
        self,
        client: CoreBankingClient | None = None,
        desk: DeskClient | None = None,
        settings: Settings | None = None,
    ) -> None:
        self._client = client
        self._desk = desk
        self._settings = settings

    def name(self) -> str:
        return "action_hand_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = self._settings or get_settings()
        ticket_request = await self._ticket_request(tracker, settings)
        desk = self._desk or DeskClient(settings)
        try:
            ticket = await desk.open_ticket(ticket_request)
        except DeskUnavailable:
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return [SlotSet("handoff_reason", None)]
        logger.info(
            "handoff.requested ticket_id=%s reason=%s mode=%s",
            ticket.ticket_id,
            ticket_request["reason"],
            ticket.mode,
        )
        return self._tell_customer(dispatcher, tracker, ticket)

    async def _ticket_request(self, tracker: Tracker, settings: Settings) -> dict[str, Any]:
        customer_id = customer_id_for(tracker, settings)
        reason = reasons.handoff_reason(tracker)
        context = conversation_context(tracker.events or [])
        if customer_id is not None:
            client = self._client or shared_core_banking_client()
            context["customer"] = await customer_summary(client, customer_id)
        context["summary"] = summary_line(reason, context["intents"])
        if reason == reasons.NOT_UNDERSTOOD:
            context["likely_topics"] = likely_topic_labels(tracker)
        negative = tracker.get_slot("sentiment") == "negative"
        intent = reasons.latest_intent(tracker)
        return {
            "conversation_id": tracker.sender_id,
            "channel": tracker.get_latest_input_channel() or "bank_web",
            "customer_id": customer_id,
            "reason": reason,
            "priority": reasons.priority(reason, intent, negative, customer_id is not None),
            "language": tracker.get_slot("language") or "en",
            "context": context,
        }

    @staticmethod
    def _tell_customer(
        dispatcher: CollectingDispatcher, tracker: Tracker, ticket: DeskTicket
    ) -> list[EventType]:
        events: list[EventType] = [
            SlotSet("handoff_reason", None),
            SlotSet("handoff_outcome", None),
        ]
        if tracker.active_loop.get("name"):
            events.insert(0, ActiveLoop(None))
        if ticket.mode == "callback":
            dispatcher.utter_message(response="utter_handoff_callback", ticket=ticket.ticket_id)
            return events
        if ticket.queue_position is not None and ticket.estimated_wait_minutes is not None:
            dispatcher.utter_message(
                response="utter_handoff_queued",
                position=ticket.queue_position,
                minutes=max(1, ticket.estimated_wait_minutes),
            )
        else:
            dispatcher.utter_message(response="utter_handoff_queued_no_estimate")
        return [*events, ConversationPaused()]
