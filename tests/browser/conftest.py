"""Real-browser tests: Debian's Chromium (/usr/bin/chromium) driven by the Python `playwright`
package against Django's live server. Never `playwright install`: the browser is the system's.

Without Chromium these tests fail with the fix in the message (they never skip silently: CI and
`make test` must notice). Screenshots go to the test's tmp dir, and to $SCREENSHOTS too when
set (`SCREENSHOTS=docs/screenshots make test` refreshes the README's pictures).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "Uji-verfak-2024"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need Debian's Chromium "
            "(apt-get install -y chromium), or CHROMIUM=/path/to/chromium.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "The Python package playwright is missing: pip install -r requirements-dev.txt",
            pytrace=False,
        )
    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are
    # still plain synchronous code.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def shot(tmp_path):
    """shot(page, "name"): a full-page PNG in tmp_path (and in $SCREENSHOTS when set)."""
    target = os.environ.get("SCREENSHOTS")

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(target) / path.name)
        return path

    return take


@pytest.fixture
def open_as(browser, live_server):
    """open_as("pps_a", viewport): a new browser context logged in through the login page."""
    contexts = []

    def login(username: str, viewport: dict = PHONE):
        context = browser.new_context(
            viewport=viewport,
            is_mobile=viewport is PHONE,
            has_touch=viewport is PHONE,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
        )
        contexts.append(context)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(live_server.url + "/masuk/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        return context, page

    yield login
    for context in contexts:
        context.close()
    _server_idle_wait()


def _server_idle_wait(timeout: float = 15.0) -> None:
    """Closing a browser does not stop a request the live server is still answering (a page's
    polling, say). The test's teardown then empties every table with TRUNCATE, which waits for
    that request's locks while the request waits for the truncated tables: a deadlock. Wait
    until no other session of the test database is inside a query."""
    import time

    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state NOT IN ('idle')"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)


def wait_until(page, expression: str, timeout: float = 15.0) -> None:
    """Wait for a JavaScript expression to be true. page.wait_for_function compiles its
    predicate with eval inside the page, which the Content-Security-Policy forbids (rightly);
    this evaluates it from outside, as page.evaluate does, every 100 ms."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}")
        page.wait_for_timeout(100)


def pytest_terminal_summary(terminalreporter):
    """axe-core's findings of the run (tests/browser/axe.py): a line per page checked."""
    from tests.browser.axe import axe_summary

    lines = axe_summary()
    if lines:
        terminalreporter.section("axe-core: violations by impact, per page")
        for line in lines:
            terminalreporter.write_line(line)
