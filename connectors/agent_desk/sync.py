"""Customer messages while the bot is paused: copied from Rasa's tracker into the tickets.

Every ``DESK_SYNC_INTERVAL_SECONDS`` the desk reads the tracker of each open live
ticket and stores the ``user`` events newer than the ticket's persisted cursor
(``TicketStore.record_customer_messages``), so a restart neither loses nor repeats one.
"""

from __future__ import annotations

import asyncio
import logging

from connectors.agent_desk.rasa import RasaClient, RasaUnavailable, customer_messages
from connectors.handoff import Ticket, TicketStore, sync_cursor

logger = logging.getLogger(__name__)


async def sync_ticket(store: TicketStore, rasa: RasaClient, ticket: Ticket) -> int:
    """Store the ticket's new customer messages; how many were stored."""
    tracker = await rasa.tracker(ticket.conversation_id)
    found = customer_messages(tracker, after=sync_cursor(ticket))
    if not found:
        return 0
    return len(await store.record_customer_messages(ticket.id, found))


async def sync_once(store: TicketStore, rasa: RasaClient) -> int:
    """One pass over every open live ticket; Rasa being down skips the pass."""
    stored = 0
    for ticket in await store.open_tickets():
        if ticket.kind != "live":
            continue
        try:
            stored += await sync_ticket(store, rasa, ticket)
        except RasaUnavailable:
            return stored  # logged by the client; the next pass catches up
    return stored


async def run_sync(store: TicketStore, rasa: RasaClient, interval: float) -> None:
    """Sync forever (until cancelled); an unexpected error is logged and the loop goes on."""
    logger.info("desk.sync.started interval=%s", interval)
    while True:
        try:
            await sync_once(store, rasa)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the loop must survive one bad pass
            logger.error("desk.sync.failed error=%s", type(exc).__name__)
        await asyncio.sleep(interval)
