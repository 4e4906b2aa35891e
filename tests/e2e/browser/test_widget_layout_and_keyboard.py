"""The widget for every customer: a phone-sized screen, keyboard-only use, and what a
visitor types shown as text, never run as HTML."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.stack, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_open_chat_fills_the_screen(open_demo, save_screenshot):
    demo = open_demo(viewport=PHONE).sign_in("CUST-0004").open_chat()

    box = demo.panel.bounding_box()
    assert box is not None
    assert (box["x"], box["y"]) == (0, 0)
    assert (box["width"], box["height"]) == (PHONE["width"], PHONE["height"])
    expect(demo.launcher).to_be_hidden()  # the panel covers the page; its close button stays
    expect(demo.panel.get_by_role("button", name="Close chat")).to_be_in_viewport()
    expect(demo.input).to_be_in_viewport()

    demo.say("how much is in my savings")
    save_screenshot(demo.page, "phone-390x844-chat")


def test_desktop_panel_is_380px_wide_at_the_bottom_right(open_demo):
    demo = open_demo().open_chat(signed_in=False)

    box = demo.panel.bounding_box()
    viewport = demo.page.viewport_size
    assert box is not None and viewport is not None
    assert box["width"] == 380
    assert box["x"] + box["width"] > viewport["width"] - 40
    assert box["y"] + box["height"] < viewport["height"]


def test_keyboard_only_open_with_enter_send_with_enter_close_with_escape(open_demo):
    demo = open_demo()
    page = demo.page

    for _ in range(15):  # Tab through the page until the chat launcher has focus
        page.keyboard.press("Tab")
        if demo.launcher.evaluate("element => element === document.activeElement"):
            break
    expect(demo.launcher).to_be_focused()
    outline = demo.launcher.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline not in ("", "none"), "the focused launcher shows a focus ring"

    page.keyboard.press("Enter")
    expect(demo.panel).to_be_visible()
    expect(demo.input).to_be_focused()
    demo.wait_for_session(signed_in=False)

    before = demo.bot_messages().count()
    page.keyboard.type("what are your opening hours")
    page.keyboard.press("Enter")
    expect(demo.customer_messages().last).to_have_text("what are your opening hours")
    assert demo.wait_for_replies(before).strip()

    page.keyboard.press("Escape")
    expect(demo.panel).to_be_hidden()
    expect(demo.launcher).to_be_focused()
    expect(demo.launcher).to_have_attribute("aria-expanded", "false")


def test_what_a_visitor_types_is_shown_as_text_not_run_as_html(open_demo):
    demo = open_demo().open_chat(signed_in=False)
    attack = '<img src="x" onerror="window.__widgetXss = 1">[click](javascript:alert(1))'

    demo.say(attack)

    expect(demo.customer_messages().last).to_have_text(attack)
    assert demo.log.locator("img").count() == 0
    assert demo.log.locator("a[href^='javascript']").count() == 0
    assert demo.page.evaluate("window.__widgetXss") is None
