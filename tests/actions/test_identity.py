"""customer_id_for: channel metadata wins; the sender id only as a permitted fallback."""

from __future__ import annotations

import dataclasses

import pytest

from actions.identity import customer_id_for


def test_metadata_wins_over_sender_id(make_tracker, settings) -> None:
    tracker = make_tracker(sender_id="CUST-0002", metadata={"customer_id": "CUST-0001"})
    assert customer_id_for(tracker, settings) == "CUST-0001"


def test_metadata_is_used_when_fallback_is_disabled(make_tracker, settings) -> None:
    strict = dataclasses.replace(settings, identity_from_sender_id=False)
    tracker = make_tracker(sender_id="web-session-1", metadata={"customer_id": "CUST-0003"})
    assert customer_id_for(tracker, strict) == "CUST-0003"


def test_sender_id_used_when_it_looks_like_a_customer_id(make_tracker, settings) -> None:
    assert customer_id_for(make_tracker(sender_id="CUST-0004"), settings) == "CUST-0004"


def test_sender_id_ignored_when_the_setting_forbids_it(make_tracker, settings) -> None:
    strict = dataclasses.replace(settings, identity_from_sender_id=False)
    assert customer_id_for(make_tracker(sender_id="CUST-0004"), strict) is None


@pytest.mark.parametrize(
    "sender_id", ["default", "CUST-12", "xCUST-0001", "CUST-0001 ", "cust-0001", "CUST-0001\n"]
)
def test_sender_id_that_is_not_a_customer_id_is_ignored(make_tracker, settings, sender_id) -> None:
    assert customer_id_for(make_tracker(sender_id=sender_id), settings) is None


@pytest.mark.parametrize("claimed", ["", "   ", None, 42])
def test_unusable_metadata_falls_back_to_sender_id(make_tracker, settings, claimed) -> None:
    tracker = make_tracker(sender_id="CUST-0002", metadata={"customer_id": claimed})
    assert customer_id_for(tracker, settings) == "CUST-0002"


def test_metadata_found_in_the_event_log(make_tracker, settings) -> None:
    tracker = make_tracker(sender_id="web-1", metadata={"customer_id": "CUST-0003"})
    tracker.latest_message.pop("metadata")
    assert customer_id_for(tracker, settings) == "CUST-0003"


def test_only_the_latest_user_message_counts(make_tracker, settings) -> None:
    tracker = make_tracker(sender_id="web-1", metadata={})
    tracker.events.insert(0, {"event": "user", "metadata": {"customer_id": "CUST-0009"}})
    assert customer_id_for(tracker, settings) is None
