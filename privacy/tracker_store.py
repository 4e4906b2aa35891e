"""``MaskingTrackerStore``: Rasa's tracker store, wrapped, so that personal data is
masked in what is stored and in what goes to the event broker.

bot/endpoints.yml::

    tracker_store:
      type: privacy.tracker_store.MaskingTrackerStore
      policy: bot/privacy.yml          # optional; this is the default
      store:                           # the real store: any Rasa tracker store config
        type: SQL
        dialect: sqlite
        db: var/rasa_tracker.sqlite3

On ``save`` the tracker's events are masked by the policy (``privacy.masking``) and the
masked tracker is handed to the wrapped store, which stores it and streams the new
(masked) events to the configured event broker. Slots that an active form still needs
(``keep_during_form``) go to the in-flight vault (``privacy.vault``) and are put back
as ``SlotSet`` events when the tracker is loaded for the next turn (stored masked in
their turn); once the form ends the vault row is deleted, and the stored events never
held the values.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from privacy.masking import SLOT_MASK, mask_event
from privacy.policy import DEFAULT_POLICY_FILE, PolicyError, PrivacyPolicy, load_policy
from privacy.vault import Kept, MemoryVault, SQLVault, Vault

logger = logging.getLogger(__name__)

# Set on the events ``retrieve`` hands out: they come from the store, masked. Only events
# without it (what a turn added, the vault's SlotSets) are masked on ``save``.
STORED_MASKED = "_privacy_stored_masked"
VAULT_EMPTY_REMEMBERED = 10_000
VAULT_EMPTY_TRUSTED_SECONDS = 30.0  # a turn's retrieve and save; then the vault is asked again


class MaskingTrackerStore(TrackerStore):
    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        store: dict[str, Any] | None = None,
        policy: str | None = None,
        *,
        inner: TrackerStore | None = None,
        privacy_policy: PrivacyPolicy | None = None,
        vault: Vault | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker)
        self.policy = privacy_policy or load_policy(policy or DEFAULT_POLICY_FILE)
        if inner is None:
            if not isinstance(store, dict) or not store.get("type"):
                raise PolicyError(
                    "tracker_store: MaskingTrackerStore needs `store:` with the wrapped "
                    "tracker store's settings (e.g. type: SQL)"
                )
            inner = create_tracker_store(EndpointConfig.from_dict(store), domain, event_broker)
        self.inner = inner
        self.vault = vault or _vault_for(inner)
        self._vault_empty: OrderedDict[str, float] = OrderedDict()
        logger.info("privacy.tracker_store.ready wrapped=%s", type(inner).__name__)

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        self._domain = domain or Domain.empty()
        if hasattr(self, "inner"):
            self.inner.domain = domain

    def masked(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """A copy of ``tracker`` whose events carry no personal data.

        Events loaded from the wrapped store were masked when they were stored, so only
        what the turn added is masked again: a save costs the new events, not the whole
        conversation.
        """
        events = [
            event if getattr(event, STORED_MASKED, False) else self._masked_event(event)
            for event in tracker.events
        ]
        return DialogueStateTracker.from_events(
            tracker.sender_id,
            events,
            self.domain.slots,
            max_event_history=tracker._max_event_history,
        )

    def _masked_event(self, event: Event) -> Event:
        data = event.as_dict()
        masked = mask_event(data, self.policy)
        if masked == data:
            return event
        restored = Event.from_parameters(masked)
        if restored is None:  # never the unmasked event instead
            raise PolicyError(f"masked {event.type_name!r} event cannot be restored")
        return restored

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._keep_inflight(tracker)
        await self.inner.save(self.masked(tracker))

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        await self.inner.stream_events(self.masked(tracker))

    def _keep_inflight(self, tracker: DialogueStateTracker) -> None:
        form = tracker.active_loop_name
        kept = {
            slot: tracker.get_slot(slot)
            for slot in self.policy.kept_slots(form)
            if tracker.get_slot(slot) not in (None, SLOT_MASK)
        }
        if form and kept:
            self.vault.put(tracker.sender_id, Kept(form, kept))
            self._vault_empty.pop(tracker.sender_id, None)
        elif not self._vault_known_empty(tracker.sender_id):
            self.vault.clear(tracker.sender_id)
            self._remember_vault_empty(tracker.sender_id)

    def _remember_vault_empty(self, sender_id: str) -> None:
        """The vault holds nothing for ``sender_id``: read or cleared by this process just
        now, in the turn that holds the conversation's lock (only a save of the same
        conversation puts values there). The turn's save then spares a DELETE."""
        self._vault_empty[sender_id] = time.monotonic()
        self._vault_empty.move_to_end(sender_id)
        while len(self._vault_empty) > VAULT_EMPTY_REMEMBERED:
            self._vault_empty.popitem(last=False)

    def _vault_known_empty(self, sender_id: str) -> bool:
        seen = self._vault_empty.get(sender_id)
        return seen is not None and time.monotonic() - seen < VAULT_EMPTY_TRUSTED_SECONDS

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session, with the values an active form still needs put back."""
        tracker = await self.inner.retrieve(sender_id)
        if tracker is None:
            return None
        for event in tracker.events:  # as stored: masked already
            setattr(event, STORED_MASKED, True)
        kept = self.vault.get(sender_id)
        if kept is None:
            self._remember_vault_empty(sender_id)
        else:
            self._vault_empty.pop(sender_id, None)
        if kept is not None and tracker.active_loop_name == kept.form:
            # As events, so that copies Rasa replays (the form's own) have them too. They
            # sit before the next user message: forms validate only what follows it.
            for slot, value in kept.slots.items():
                if tracker.get_slot(slot) == SLOT_MASK:
                    tracker.update(SlotSet(slot, value))
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Every session, as stored (masked): what the HTTP API and exports see."""
        return await self.inner.retrieve_full_tracker(conversation_id)

    async def exists(self, conversation_id: str) -> bool:
        return await self.inner.exists(conversation_id)

    async def keys(self) -> Iterable[str]:
        return await self.inner.keys()


def _vault_for(inner: TrackerStore) -> Vault:
    if isinstance(inner, SQLTrackerStore):
        return SQLVault(inner.engine)
    return MemoryVault()
