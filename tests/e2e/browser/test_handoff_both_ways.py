"""Handoff both ways in real browsers: a signed-in customer asks for a person on the demo
page; an agent signs in to the desk in a second browser, sees the ticket with its reason
and context, claims it and replies; the customer sees the reply and answers; the agent
sees the answer and closes; the bot answers the customer again.

Prints how long the ticket took to appear in the desk's queue after the customer's message.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from connectors.agent_desk.sessions import CSRF_HEADER

pytestmark = [pytest.mark.stack, pytest.mark.browser]

CUSTOMER = "CUST-0004"  # Dana Okafor: one checking account; no other test hands her over
DESK_TIMEOUT_MS = 20_000


class DeskPage:
    """The agent desk as an agent sees and uses it."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.queue = page.get_by_role("navigation", name="Queue")
        self.chat = page.get_by_role("log")
        self.context_panel = page.get_by_role("complementary", name="Context")

    def sign_in(self, agent_id: str, password: str) -> DeskPage:
        self.page.goto(self.url)
        self.page.get_by_label("Agent name").fill(agent_id)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_text("Signed in as")).to_be_visible()
        return self

    def ticket_ids(self) -> set[str]:
        return set(
            self.queue.locator("[data-ticket-id]").evaluate_all(
                "buttons => buttons.map(b => b.dataset.ticketId)"
            )
        )

    def wait_for_new_ticket(self, known: set[str]) -> str:
        handle = self.page.wait_for_function(
            """(known) => {
                const ids = [...document.querySelectorAll('#queue [data-ticket-id]')]
                    .map((b) => b.dataset.ticketId);
                return ids.find((id) => !known.includes(id)) || false;
            }""",
            arg=sorted(known),
            timeout=DESK_TIMEOUT_MS,
            polling=50,
        )
        return str(handle.json_value())

    def ticket_button(self, ticket_id: str) -> Locator:
        return self.queue.locator(f'[data-ticket-id="{ticket_id}"]')


@pytest.fixture
def open_desk(chromium, contexts: list[BrowserContext], stack_config):
    def open_page() -> DeskPage:
        context = chromium.new_context(viewport={"width": 1280, "height": 800})
        context.set_default_timeout(15_000)
        contexts.append(context)
        desk = DeskPage(context.new_page(), f"{stack_config.desk_url}/")
        return desk.sign_in("ava", stack_config.desk_demo_agent_password)

    return open_page


@pytest.fixture
def no_open_ticket(stack_config, conversation_id):
    """Close a ticket an earlier test may have left open for the customer's conversation."""
    conversation = conversation_id(CUSTOMER)
    service = {"Authorization": f"Bearer {stack_config.handoff_service_token}"}
    found = httpx.get(
        f"{stack_config.desk_url}/api/tickets/open",
        params={"conversation_id": conversation},
        headers=service,
        timeout=10,
    )
    if found.status_code == 200:
        with httpx.Client(
            base_url=stack_config.desk_url, headers={CSRF_HEADER: "1"}, timeout=10
        ) as sam:
            sam.post(
                "/desk/api/session",
                json={"agent_id": "sam", "password": stack_config.desk_demo_agent_password},
            )
            ticket_id = found.json()["ticket"]["id"]
            sam.post(f"/desk/api/tickets/{ticket_id}/claim")
            closed = sam.post(f"/desk/api/tickets/{ticket_id}/close", json={"outcome": "no_reply"})
            assert closed.status_code == 200, closed.text
    return conversation


def test_customer_and_agent_talk_through_the_desk_and_the_bot_takes_over_again(
    open_demo, open_desk, no_open_ticket, customer_accounts, shown_money, save_screenshot
):
    desk = open_desk()
    customer = open_demo().sign_in(CUSTOMER).open_chat()
    known = desk.ticket_ids()

    # The customer asks for a person; the ticket shows up in the agent's queue.
    before = customer.bot_messages().count()
    customer.input.fill("I want to talk to a person")
    sent_at = time.monotonic()
    customer.input.press("Enter")
    ticket_id = desk.wait_for_new_ticket(known)
    in_queue = time.monotonic() - sent_at
    print(
        f"\nhandoff: ticket in the desk's queue {in_queue * 1000:.0f} ms "
        "after the customer's 'talk to a person'"
    )
    handover = customer.wait_for_replies(before)
    assert re.search(r"person|agent|colleague", handover, re.IGNORECASE), handover
    save_screenshot(customer.page, "handoff-1-customer-asks")

    button = desk.ticket_button(ticket_id)
    expect(button).to_contain_text("Asked for a person")
    expect(button).to_contain_text("Live chat")
    button.click()
    heading = desk.page.get_by_role("heading", name=f"Ticket #{ticket_id}: Asked for a person")
    expect(heading).to_be_visible()
    expect(desk.context_panel).to_contain_text("Dana Okafor")
    expect(desk.context_panel).to_contain_text("I want to talk to a person")
    expect(desk.context_panel).to_contain_text("request_human")
    save_screenshot(desk.page, "handoff-2-desk-ticket")

    # The agent claims and replies; the reply reaches the customer's widget.
    desk.page.get_by_role("button", name="Claim").click()
    expect(desk.page.locator("#ticket-status")).to_have_text("claimed by you")
    reply = "Hi Dana, this is Ava from the bank. How can I help?"
    desk.page.get_by_label("Reply to the customer").fill(reply)
    desk.page.get_by_role("button", name="Send").click()
    expect(desk.chat.locator(".from-agent").last).to_contain_text(reply)
    agent_bubble = customer.log.locator(".bc-from-agent .bc-bubble")
    expect(agent_bubble.last).to_have_text(reply, timeout=DESK_TIMEOUT_MS)
    expect(customer.log.locator(".bc-agent-name").last).to_contain_text("Ava")
    save_screenshot(customer.page, "handoff-3-customer-sees-agent")

    # The customer answers; the agent sees it.
    answer = "I'd like to raise my card limit please"
    customer.input.fill(answer)
    customer.input.press("Enter")
    expect(desk.chat.locator(".from-customer").last).to_contain_text(
        answer, timeout=DESK_TIMEOUT_MS
    )
    save_screenshot(desk.page, "handoff-4-desk-sees-customer")

    # The agent closes; the bot is back.
    desk.page.get_by_role("button", name="Close…").click()
    dialog = desk.page.get_by_role("dialog", name="Close the ticket")
    dialog.get_by_label("resolved by agent").check()
    dialog.get_by_label("Note for the record (optional)").fill("explained how to request it")
    dialog.get_by_role("button", name="Close ticket").click()
    expect(desk.page.locator("#ticket-status")).to_contain_text("Closed: resolved by agent")
    expect(desk.ticket_button(ticket_id)).to_have_count(0)
    back = customer.bot_messages().filter(has_text="You're back with the assistant")
    expect(back.last).to_be_visible(timeout=DESK_TIMEOUT_MS)
    save_screenshot(desk.page, "handoff-5-desk-closed")

    balance = customer.say("what's my balance")
    for account in customer_accounts(CUSTOMER):
        assert account["nickname"] in balance
        assert shown_money(CUSTOMER, account["available_balance"]) in customer.money_shown()
    save_screenshot(customer.page, "handoff-6-bot-answers-again")
