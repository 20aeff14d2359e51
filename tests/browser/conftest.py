"""Fixtures for browser tests: Debian's headless Chromium driven by Playwright.

Mark every test here with ``@pytest.mark.browser``; ``make test-browser`` runs
exactly those (``-m browser``) and the other runs leave them out. Tests use
pytest-django's ``live_server`` (which makes the test transactional) and the
personas of the root ``conftest.py``; ``tests.browser.helpers`` has ``login``
and ``screenshot``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.helpers import CHROMIUM_ARGS, SCREENSHOT_DIR, chromium_path, screenshot

TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch one headless Chromium for the whole session."""
    executable = chromium_path()
    if executable is None:
        message = "Chromium not found: install Debian's 'chromium' package (make test-browser does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop running in this thread, and Django
    # refuses database access from a thread with a running loop unless this is set.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """Give each test a fresh browser context (no cookies) and one page in it.

    When the test fails, a screenshot is saved under ``var/screenshots/``.
    """
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    yield new_page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        try:
            path = screenshot(new_page, SCREENSHOT_DIR / f"failed-{name}.png")
            print(f"screenshot of the failed test: {path}")
        except Exception as exc:  # a failed screenshot must not hide the test's own failure
            print(f"could not take a screenshot: {exc}")
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    # Keep each phase's report on the item so that the ``page`` fixture sees a failure.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
