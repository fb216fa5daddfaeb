"""Browser tests: a live server, Debian's Chromium driven by Playwright, screenshots.

Playwright never downloads a browser here: it launches the Chromium the root
conftest finds (and skips, or fails in CI, when it is missing). Screenshots go to
e2e/artifacts/<name>-desktop.png and <name>-phone.png (ignored by git).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """Give one Chromium for the whole run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        pytest.skip("playwright is not installed")
    # Playwright's sync API runs an event loop in this thread; Django would refuse
    # the database calls the tests make between browser steps without this. It is
    # set only while the browser runs, so the other tests keep Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Console:
    """What the page said on the browser console: errors and CSP violations."""

    errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        """Return the errors that are Content Security Policy violations."""
        return [e for e in self.errors if "Content Security Policy" in e]

    def assert_clean(self, *, expected_statuses: tuple[int, ...] = ()) -> None:
        """Fail on any console error or CSP violation but the expected answers.

        A form sent back with its errors answers 400 (a hidden page 404), which
        Chromium logs as a failed resource: a test that wants them names them.
        """
        marks = tuple(
            f"the server responded with a status of {n}" for n in expected_statuses
        )
        assert [e for e in self.errors if not any(m in e for m in marks)] == []
        assert self.csp_violations() == []


def no_sideways_scroll(page: Any) -> None:
    """Assert that the page fits a phone's width (390 px) without scrolling sideways."""
    size = page.viewport_size or DESKTOP
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert width <= PHONE["width"]


@pytest.fixture
def fits_a_phone() -> Any:
    """Give the check that the page fits a phone's width."""
    return no_sideways_scroll


@pytest.fixture
def console() -> Console:
    """Collect the console errors of the page under test."""
    return Console()


@pytest.fixture
def page(browser: Any, live_server: Any, console: Console) -> Iterator[Any]:
    """Give a fresh browser tab (own cookies) pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=DESKTOP,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    # Chromium logs a refused inline script or style on the console; this makes sure
    # every violation is, whatever the directive (the init script itself is exempt).
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " console.error('Content Security Policy violation: ' + e.violatedDirective"
        " + ' ' + (e.blockedURI || 'inline')); });"
    )
    tab = context.new_page()
    tab.on(
        "console",
        lambda message: (
            console.errors.append(message.text) if message.type == "error" else None
        ),
    )
    tab.on("pageerror", lambda error: console.errors.append(str(error)))
    yield tab
    context.close()


@pytest.fixture
def shot() -> Any:
    """Give a function that saves the page at desktop and at phone width."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page: Any, name: str) -> tuple[Path, Path]:
        desktop = ARTIFACTS / f"{name}-desktop.png"
        phone = ARTIFACTS / f"{name}-phone.png"
        size = page.viewport_size or DESKTOP
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(desktop), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(phone), full_page=True)
        page.set_viewport_size(size)
        return desktop, phone

    return save


@pytest.fixture
def sign_in() -> Any:
    """Give a function that signs in through the login page, as a person would."""

    def go(page: Any, username: str, password: str) -> None:
        # Leave the previous page first: its polling (the to-do counts) answers a
        # cleared session by sending the page to the login page itself, and that
        # navigation could abort ours (net::ERR_ABORTED under load).
        page.goto("about:blank")
        try:
            page.goto("/accounts/login/")
        except PlaywrightError as error:
            if "ERR_ABORTED" not in str(error):
                raise
            page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/")

    return go


@pytest.fixture
def default_flows(transactional_db: Any) -> None:
    """Put back the default flows the data migrations made (a flush removes them)."""
    from zhiban.documents.defaults import ensure_default_flow as ensure_document_flow
    from zhiban.documents.defaults import ensure_templates
    from zhiban.documents.models import DraftTemplate
    from zhiban.seals.defaults import ensure_default_flow as ensure_seal_flow
    from zhiban.supervision.defaults import ensure_extension_flow
    from zhiban.vehicles.defaults import ensure_default_flow as ensure_vehicle_flow
    from zhiban.workflow.defaults import ensure_general_flows
    from zhiban.workflow.models import FlowDefinition, FlowVersion

    ensure_seal_flow(FlowDefinition, FlowVersion)
    ensure_vehicle_flow(FlowDefinition, FlowVersion)
    ensure_general_flows(FlowDefinition, FlowVersion)
    ensure_document_flow(FlowDefinition, FlowVersion)
    ensure_extension_flow(FlowDefinition, FlowVersion)
    ensure_templates(DraftTemplate)
