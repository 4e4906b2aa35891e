"""A customer signs in on the demo page and chats: balances, a reload, signing out,
a second device, quick-reply buttons."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.stack, pytest.mark.browser]


def test_signed_in_customer_sees_their_balance_keeps_it_after_a_reload_until_sign_out(
    open_demo, customer_accounts, shown_money, save_screenshot
):
    accounts = customer_accounts("CUST-0001")
    demo = open_demo().sign_in("CUST-0001").open_chat()

    answer = demo.say("what's my balance")

    shown = demo.money_shown()
    for account in accounts:
        assert account["nickname"] in answer
        figure = shown_money("CUST-0001", account["available_balance"])
        assert figure in shown, f"{figure} is not among the amounts shown: {shown}"
    save_screenshot(demo.page, "balance-desktop")
    conversation = demo.log.locator(".bc-bubble").all_inner_texts()

    demo.page.reload()
    demo.open_chat()
    expect(demo.page.locator("#customer-name")).to_have_text("Alice Morgan")
    expect(demo.log.locator(".bc-bubble")).to_have_text(conversation)  # each message once

    demo.page.get_by_role("button", name="Sign out").click()
    assert demo.page.evaluate("sessionStorage.getItem('harbor-demo.token')") is None
    demo.open_chat(signed_in=False)
    expect(demo.log.locator(".money")).to_have_count(0)


def test_a_second_device_of_the_same_customer_sees_the_same_conversation(open_demo):
    laptop = open_demo().sign_in("CUST-0003").open_chat()
    phone = open_demo(viewport={"width": 390, "height": 844}).sign_in("CUST-0003").open_chat()

    before = phone.bot_messages().count()
    laptop.say("what are your opening hours")

    expect(phone.customer_messages().last).to_have_text("what are your opening hours")
    phone.wait_for_replies(before)
    assert phone.bot_messages().last.inner_text() == laptop.bot_messages().last.inner_text()


def test_quick_reply_button_picks_one_of_two_checking_accounts(
    open_demo, customer_accounts, shown_money
):
    checking = customer_accounts("CUST-0002", type="checking")
    assert len(checking) == 2, "the seed gives Bruno two checking accounts"
    demo = open_demo().sign_in("CUST-0002").open_chat()

    demo.say("how much is in my checking account")

    buttons = demo.log.locator(".bc-quick-reply")
    expect(buttons).to_have_count(2)
    chosen = checking[1]
    button = buttons.filter(has_text=re.compile(re.escape(chosen["nickname"]), re.IGNORECASE))
    title = button.inner_text()
    before = demo.bot_messages().count()
    button.click()

    expect(demo.customer_messages().last).to_have_text(title)
    answer = demo.wait_for_replies(before)
    assert chosen["nickname"] in answer
    assert shown_money("CUST-0002", chosen["available_balance"]) in demo.money_shown()
    assert checking[0]["nickname"] not in answer
    expect(buttons.first).to_be_disabled()
