"""customer_id_for: identity metadata only from authenticated channels; the sender id
only as an explicitly permitted debugging fallback."""

from __future__ import annotations

import dataclasses

import pytest

from actions.identity import customer_id_for


@pytest.fixture
def strict(settings):
    return dataclasses.replace(settings, identity_from_sender_id=False)


def test_metadata_wins_over_sender_id(make_tracker, settings) -> None:
    tracker = make_tracker(sender_id="CUST-0002", metadata={"customer_id": "CUST-0001"})
    assert customer_id_for(tracker, settings) == "CUST-0001"


@pytest.mark.parametrize("channel", ["bank_web", "bank_voice"])
def test_metadata_from_an_authenticated_channel_is_the_customer(make_tracker, strict, channel):
    tracker = make_tracker(
        sender_id="web-abc", metadata={"customer_id": "CUST-0003"}, input_channel=channel
    )
    assert customer_id_for(tracker, strict) == "CUST-0003"


@pytest.mark.parametrize("channel", ["rest", "socketio", "cmdline", None, "", "Bank_Web"])
def test_metadata_a_client_could_write_itself_is_ignored(make_tracker, strict, channel) -> None:
    # Rasa's REST channel and the HTTP API pass client-chosen metadata straight through.
    tracker = make_tracker(
        sender_id="someone", metadata={"customer_id": "CUST-0003"}, input_channel=channel
    )
    assert customer_id_for(tracker, strict) is None


def test_sender_id_used_only_when_debug_fallback_is_on(make_tracker, settings, strict) -> None:
    assert (
        customer_id_for(make_tracker(sender_id="CUST-0004", metadata={}), settings) == "CUST-0004"
    )
    assert customer_id_for(make_tracker(sender_id="CUST-0004", metadata={}), strict) is None


def test_sender_id_fallback_is_off_by_default(make_tracker, monkeypatch) -> None:
    from actions.settings import Settings

    assert customer_id_for(make_tracker(sender_id="CUST-0004", metadata={}), Settings()) is None


@pytest.mark.parametrize(
    "sender_id", ["default", "CUST-12", "xCUST-0001", "CUST-0001 ", "cust-0001", "CUST-0001\n"]
)
def test_sender_id_that_is_not_a_customer_id_is_ignored(make_tracker, settings, sender_id) -> None:
    assert customer_id_for(make_tracker(sender_id=sender_id, metadata={}), settings) is None


@pytest.mark.parametrize("claimed", ["", "   ", None, 42, "CUST-1", "alice"])
def test_unusable_metadata_is_nobody(make_tracker, strict, claimed) -> None:
    tracker = make_tracker(sender_id="web-1", metadata={"customer_id": claimed})
    assert customer_id_for(tracker, strict) is None


def test_metadata_found_in_the_event_log(make_tracker, strict) -> None:
    tracker = make_tracker(sender_id="web-1", metadata={"customer_id": "CUST-0003"})
    tracker.latest_message.pop("metadata")
    assert customer_id_for(tracker, strict) == "CUST-0003"


def test_only_the_latest_user_message_counts(make_tracker, strict) -> None:
    tracker = make_tracker(sender_id="web-1", metadata={})
    tracker.events.insert(
        0,
        {"event": "user", "metadata": {"customer_id": "CUST-0009"}, "input_channel": "bank_web"},
    )
    assert customer_id_for(tracker, strict) is None
