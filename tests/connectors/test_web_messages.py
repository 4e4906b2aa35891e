"""The web channel's wire format: ids, client metadata, messages, transcripts."""

from __future__ import annotations

import pytest

from connectors.web_messages import (
    MessageInvalid,
    bot_message,
    client_metadata,
    customer_conversation_id,
    message_text,
    transcript,
    visitor_conversation_id,
)


def test_one_conversation_per_customer_that_does_not_spell_out_the_id() -> None:
    assert customer_conversation_id("CUST-0001") == customer_conversation_id("CUST-0001")
    assert customer_conversation_id("CUST-0001") != customer_conversation_id("CUST-0002")
    assert "CUST" not in customer_conversation_id("CUST-0001")


@pytest.mark.parametrize(
    "claimed", [None, "", "CUST-0001", "web-abc", "visitor-123", "visitor-../../etc", 42]
)
def test_only_well_formed_visitor_ids_are_kept(claimed) -> None:
    fresh = visitor_conversation_id(claimed)
    assert fresh != claimed and fresh.startswith("visitor-")
    assert visitor_conversation_id(fresh) == fresh


def test_client_metadata_keeps_only_harmless_keys() -> None:
    kept = client_metadata(
        {
            "metadata": {
                "customer_id": "CUST-0002",
                "auth": "jwt",
                "locale": "es-ES",
                "client": "ios/4.2",
                "display_text": " Savings ",
            }
        }
    )
    assert kept == {"locale": "es-ES", "client": "ios/4.2", "display_text": "Savings"}
    assert client_metadata({"metadata": "customer_id=CUST-1"}) == {}


@pytest.mark.parametrize(
    "data", [{}, {"message": " "}, {"message": 3}, None, {"message": "x" * 2001}]
)
def test_unusable_messages_are_refused(data) -> None:
    with pytest.raises(MessageInvalid):
        message_text(data)


def test_bot_message_from_rasa_buttons_and_quick_replies() -> None:
    message = bot_message(
        {"text": "Which one?", "buttons": [{"title": "Savings", "payload": "/a"}, {"title": "x"}]}
    )
    assert message["sender"] == "bot" and message["buttons"] == [
        {"title": "Savings", "payload": "/a"}
    ]
    assert "image" not in message and "custom" not in message
    quick = bot_message({"text": "?", "quick_replies": [{"title": "Yes", "payload": "/affirm"}]})
    assert quick["buttons"] == [{"title": "Yes", "payload": "/affirm"}]


def test_transcript_from_tracker_events_in_order_and_limited() -> None:
    events = [
        {"event": "action", "name": "action_listen", "timestamp": 1.0},
        {"event": "user", "text": "balance", "timestamp": 2.0, "metadata": {}},
        {
            "event": "bot",
            "text": "Which?",
            "timestamp": 3.0,
            "data": {"buttons": [{"title": "Savings", "payload": "/select"}]},
        },
        {
            "event": "user",
            "text": "/select",
            "timestamp": 4.0,
            "metadata": {"display_text": "Savings"},
        },
        {"event": "slot", "name": "x", "value": 1, "timestamp": 5.0},
        {"event": "bot", "text": "$12.00", "timestamp": 6.0, "data": {}},
    ]
    messages = transcript(events)
    assert [(m["sender"], m["text"]) for m in messages] == [
        ("customer", "balance"),
        ("bot", "Which?"),
        ("customer", "Savings"),
        ("bot", "$12.00"),
    ]
    assert len({m["id"] for m in messages}) == 4
    assert [m["text"] for m in transcript(events, limit=2)] == ["Savings", "$12.00"]


def test_an_agent_reply_is_from_the_agent_by_name() -> None:
    message = bot_message({"text": "Hi, I'm Ava.", "custom": {"agent_name": "Ava"}})
    assert (message["sender"], message["agent_name"]) == ("agent", "Ava")
    assert "custom" not in message
    note = bot_message({"text": "You're back with the assistant.", "custom": {"handoff": "closed"}})
    assert note["sender"] == "bot" and "custom" not in note
    linked = bot_message(
        {"text": "Rates", "custom": {"link": "https://bank.example/rates", "x": 1}}
    )
    assert linked["link"] == "https://bank.example/rates" and linked["custom"] == {"x": 1}
