"""The web widget in a real browser (Debian's Chromium driven by Playwright) against the
real stack: core banking, action server and Rasa with the ``bank_web`` channel.

Screenshots go to test-artifacts/browser/; the session summary lists them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from babel.numbers import format_currency
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

from scripts.build_widget import ROOT, ensure_built

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
REPLY_TIMEOUT_MS = 30_000
LOCALES = {"en": "en_US", "es": "es_ES"}

_saved_screenshots: list[Path] = []


def money(value: dict, language: str) -> str:
    return format_currency(Decimal(value["amount"]), value["currency"], locale=LOCALES[language])


class DemoPage:
    """The demo bank page and its chat widget, as a customer sees and uses them."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.launcher = page.locator(".bc-launcher")
        self.panel = page.get_by_role("dialog")
        self.log = page.get_by_role("log")
        self.input = page.get_by_label("Message", exact=True)
        self.alert = self.panel.get_by_role("alert")

    def goto(self, query: str = "") -> DemoPage:
        self.page.goto(f"{self.url}{query}")
        expect(self.launcher).to_be_visible()
        return self

    def sign_in(self, customer_id: str) -> DemoPage:
        self.page.get_by_label("Demo customer").select_option(customer_id)
        self.page.get_by_role("button", name="Sign in", exact=True).click()
        expect(self.page.locator("#signed-in")).to_be_visible()
        return self

    def open_chat(self, signed_in: bool = True) -> DemoPage:
        if not self.panel.is_visible():
            self.launcher.click()
        expect(self.panel).to_be_visible()
        return self.wait_for_session(signed_in)

    def wait_for_session(self, signed_in: bool = True) -> DemoPage:
        """Connected, and the server's session_confirm (with the transcript) has arrived."""
        identity = re.compile("^Signed in") if signed_in else re.compile("^Guest$")
        expect(self.panel.locator(".bc-identity")).to_have_text(identity)
        expect(self.panel.locator(".bc-status")).to_have_text("Online")
        return self

    def bot_messages(self) -> Locator:
        """The assistant's message bubbles (without the "Assistant:" screen-reader prefix)."""
        return self.log.locator(".bc-from-bot .bc-bubble")

    def customer_messages(self) -> Locator:
        return self.log.locator(".bc-from-customer .bc-bubble")

    def say(self, text: str) -> str:
        """Type `text`, press Enter and return the text of the bot's replies to it."""
        before = self.bot_messages().count()
        self.input.fill(text)
        self.input.press("Enter")
        return self.wait_for_replies(before)

    def wait_for_replies(self, before: int) -> str:
        self.page.wait_for_function(
            """([before]) => {
                const log = document.querySelector('.bc-log');
                const typing = document.querySelector('.bc-typing');
                const bubbles = log.querySelectorAll('.bc-from-bot .bc-bubble');
                return bubbles.length > before && typing.hidden;
            }""",
            arg=[before],
            timeout=REPLY_TIMEOUT_MS,
        )
        replies = self.bot_messages().all_inner_texts()[before:]
        return "\n".join(replies)

    def money_shown(self) -> list[str]:
        return self.log.locator(".money").all_inner_texts()


def pytest_configure(config: pytest.Config) -> None:
    # Also registered in pyproject.toml; repeating it keeps this package self-contained.
    config.addinivalue_line("markers", "browser: drives the web widget in a real browser")


@pytest.fixture(scope="session")
def widget_dist() -> Path:
    return ensure_built()


@pytest.fixture(scope="session")
def demo_url(widget_dist: Path, stack_config) -> str:
    """The demo page of the running stack (after checking the channel is there)."""
    base = f"{stack_config.rasa_url}/webhooks/bank_web"
    health = httpx.get(f"{base}/", timeout=10)
    assert health.status_code == 200, f"the bank_web channel is not open: {health.status_code}"
    return f"{base}/demo"


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def contexts(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[list[BrowserContext]]:
    """Every browser context a test opens; a failing test leaves a screenshot of each page."""
    opened: list[BrowserContext] = []
    yield opened
    report = getattr(request.node, "rep_call", None)
    for index, context in enumerate(opened):
        if report is not None and report.failed:
            for page in context.pages:
                screenshot(page, f"FAILED-{request.node.name}-{index}")
        context.close()


@pytest.fixture
def open_demo(
    chromium: Browser, contexts: list[BrowserContext], demo_url: str
) -> Callable[..., DemoPage]:
    """Opens the demo page in a fresh browser profile (its own storage), desktop-sized
    unless a viewport is given. Returns a ``DemoPage``."""

    def open_page(viewport: ViewportSize | None = None, query: str = "") -> DemoPage:
        context = chromium.new_context(viewport=viewport or DESKTOP)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return DemoPage(context.new_page(), demo_url).goto(query)

    return open_page


@pytest.fixture
def customer_accounts(core_api: httpx.Client) -> Callable[..., list[dict]]:
    """A customer's accounts as core banking has them (the figures the widget must show)."""

    def accounts(customer_id: str, **params: str) -> list[dict]:
        response = core_api.get(f"/v1/customers/{customer_id}/accounts", params=params)
        response.raise_for_status()
        return response.json()["accounts"]

    return accounts


@pytest.fixture
def shown_money(core_api: httpx.Client) -> Callable[[str, dict], str]:
    """An amount as the assistant shows it to the customer (``$4,612.40``, ``4.612,40 US$``)."""

    def shown(customer_id: str, value: dict) -> str:
        language = core_api.get(f"/v1/customers/{customer_id}").json()["language"]
        return money(value, language)

    return shown


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path))
    _saved_screenshots.append(path)
    print(f"screenshot: {path}")
    return path


@pytest.fixture
def save_screenshot() -> Callable[[Page, str], Path]:
    return screenshot


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


def pytest_terminal_summary(terminalreporter) -> None:
    if _saved_screenshots:
        terminalreporter.section("browser screenshots")
        for path in _saved_screenshots:
            terminalreporter.write_line(str(path.relative_to(ROOT)))
