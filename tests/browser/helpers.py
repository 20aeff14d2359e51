"""Helpers for browser tests: ``from tests.browser.helpers import login, screenshot``."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from django.urls import reverse
from playwright.sync_api import Page

from aanwezig.testing.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Return Debian's Chromium (or ``$CHROMIUM``); Playwright's own browsers are never used."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def screenshot(page: Page, path: str | os.PathLike[str]) -> Path:
    """Save a full-page PNG of ``page`` at ``path`` (folders are created) and return the path.

    A bare file name goes to ``var/screenshots/``.
    """
    target = Path(path)
    if not target.is_absolute() and target.parent == Path():
        target = SCREENSHOT_DIR / target
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target


def login(page: Page, live_server: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form and wait until the start page has loaded."""
    page.goto(live_server.url + reverse("login"))
    form = page.locator("form", has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit], input[type=submit], button:not([type])").first.click()
    start = re.escape(live_server.url + reverse("start"))
    page.wait_for_url(re.compile(start + r"(\?.*)?$"))
