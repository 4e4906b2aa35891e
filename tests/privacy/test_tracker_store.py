"""MaskingTrackerStore around Rasa's real SQL tracker store (SQLite file): what is stored
is masked, the contact form still gets its values on the next turn, and they are gone
from the vault once the form ends."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from privacy.masking import SLOT_MASK
from privacy.policy import PolicyError
from privacy.tracker_store import MaskingTrackerStore

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "ali.new.9911@example.org"
FORM = "contact_details_form"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


def masking_store(domain: Domain, db: Path, event_broker=None) -> TrackerStore:
    """Built the way Rasa builds it from endpoints.yml."""
    config = EndpointConfig.from_dict(
        {
            "type": "privacy.tracker_store.MaskingTrackerStore",
            "policy": str(ROOT / "bot" / "privacy.yml"),
            "store": {"type": "SQL", "dialect": "sqlite", "db": str(db)},
        }
    )
    return TrackerStore.create(config, domain=domain, event_broker=event_broker)


def in_form_with_email(domain: Domain, sender: str = "web-privacy-test") -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, domain.slots)
    entity = {"entity": "email", "start": 0, "end": len(EMAIL), "value": EMAIL}
    for event in (
        ActionExecuted("action_listen"),
        UserUttered("change my email", {"name": "update_contact_details", "confidence": 1.0}),
        ActionExecuted(FORM),
        ActiveLoop(FORM),
        SlotSet("requested_slot", "contact_email"),
        ActionExecuted("action_listen"),
        UserUttered(EMAIL, {"name": "inform", "confidence": 1.0}, [entity]),
        SlotSet("contact_email", EMAIL),
        SlotSet("contact_change_summary", "your email address to a***@example.org"),
        BotUttered(f"We'll send a code; your new address {EMAIL} gets a notice."),
    ):
        tracker.update(event)
    return tracker


def stored_rows(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        return "\n".join(row[0] for row in connection.execute("SELECT data FROM events"))


async def test_stored_events_are_masked_and_the_form_gets_its_value_back(domain, tmp_path):
    db = tmp_path / "tracker.sqlite3"
    store = masking_store(domain, db)
    assert isinstance(store, MaskingTrackerStore)
    await store.save(in_form_with_email(domain))

    stored = stored_rows(db)
    assert EMAIL not in stored
    assert "[email]" in stored and SLOT_MASK in stored and "[entity]" in stored

    next_turn = await store.retrieve("web-privacy-test")
    assert next_turn.active_loop_name == FORM
    assert next_turn.get_slot("contact_email") == EMAIL  # what the form validates and commits
    as_api_sees_it = await store.retrieve_full_tracker("web-privacy-test")
    assert as_api_sees_it.get_slot("contact_email") == SLOT_MASK


async def test_the_vault_forgets_the_value_when_the_form_ends(domain, tmp_path):
    db = tmp_path / "tracker.sqlite3"
    store = masking_store(domain, db)
    tracker = in_form_with_email(domain)
    await store.save(tracker)
    turn = await store.retrieve(tracker.sender_id)
    form_ended = (ActiveLoop(None), SlotSet("contact_email", None), ActionExecuted("action_listen"))
    for event in form_ended:
        turn.update(event)
    await store.save(turn)

    with sqlite3.connect(db) as connection:
        vault = connection.execute("SELECT count(*) FROM privacy_inflight_slots").fetchone()[0]
    assert vault == 0
    assert (await store.retrieve(tracker.sender_id)).get_slot("contact_email") is None
    assert EMAIL not in stored_rows(db)


async def test_a_value_left_by_an_abandoned_session_stays_masked(domain, tmp_path):
    """The form ended without clearing its slots: the stored mask is all that is left."""
    db = tmp_path / "tracker.sqlite3"
    store = masking_store(domain, db)
    tracker = in_form_with_email(domain)
    await store.save(tracker)
    turn = await store.retrieve(tracker.sender_id)
    turn.update(ActiveLoop(None))
    await store.save(turn)
    assert (await store.retrieve(tracker.sender_id)).get_slot("contact_email") == SLOT_MASK


async def test_stored_text_keeps_what_is_not_personal(domain, tmp_path):
    db = tmp_path / "tracker.sqlite3"
    store = masking_store(domain, db)
    tracker = DialogueStateTracker("visitor-1", domain.slots)
    tracker.update(UserUttered("where is APP-100001 at?", {"name": "track_application"}))
    tracker.update(UserUttered("483920", {"name": "inform"}))
    await store.save(tracker)
    texts = [json.loads(row).get("text") for row in stored_rows(db).splitlines()]
    assert texts == ["where is APP-100001 at?", "[code]"]


def test_the_wrapped_store_must_be_configured(domain):
    with pytest.raises(PolicyError, match="store:"):
        MaskingTrackerStore(domain=domain, policy=str(ROOT / "bot" / "privacy.yml"))


async def test_a_later_turn_masks_what_it_added_and_only_that(domain, tmp_path, monkeypatch):
    """Loaded events were masked when stored; the new ones (and the vault's SlotSets that
    put the form's value back) are masked on save, so nothing personal is written."""
    import privacy.tracker_store as module

    db = tmp_path / "tracker.sqlite3"
    store = masking_store(domain, db)
    await store.save(in_form_with_email(domain))
    turn = await store.retrieve("web-privacy-test")
    loaded = len(turn.events)
    phone = "+1 415 555 0199"
    turn.update(ActionExecuted("action_listen"))
    turn.update(UserUttered(f"and my phone is {phone}", {"name": "inform", "confidence": 1.0}))
    turn.update(SlotSet("contact_phone", phone))

    masked_types: list[str] = []
    real_mask_event = module.mask_event
    monkeypatch.setattr(
        module,
        "mask_event",
        lambda data, policy: masked_types.append(data["event"]) or real_mask_event(data, policy),
    )
    await store.save(turn)

    unmasked = [e for e in turn.events if not getattr(e, module.STORED_MASKED, False)]
    assert masked_types == [e.type_name for e in unmasked]  # the vault's SlotSets, the turn's
    assert masked_types[-3:] == ["action", "user", "slot"]
    assert len(unmasked) == len(turn.events) - loaded + 2 < len(turn.events)
    stored = stored_rows(db)
    assert EMAIL not in stored and "555" not in stored
    assert stored.count("[phone]") >= 1


async def test_a_turn_whose_vault_was_empty_does_not_clear_it_again(domain, tmp_path):
    store = masking_store(domain, tmp_path / "tracker.sqlite3")
    clears: list[str] = []
    real_clear = store.vault.clear
    store.vault.clear = lambda sender: clears.append(sender) or real_clear(sender)

    tracker = in_form_with_email(domain)
    await store.save(tracker)  # the form's value goes to the vault
    turn = await store.retrieve(tracker.sender_id)  # ... and comes back
    for event in (ActiveLoop(None), SlotSet("contact_email", None)):
        turn.update(event)
    await store.save(turn)
    assert clears == [tracker.sender_id]  # the form ended: the vault is emptied

    turn = await store.retrieve(tracker.sender_id)  # nothing there now
    turn.update(ActionExecuted("action_listen"))
    await store.save(turn)
    assert clears == [tracker.sender_id]  # not cleared a second time
