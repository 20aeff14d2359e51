"""Helpers for browser tests of the portal: ``from tests.browser.portal_helpers import login_by_link``.

``login_by_link`` signs a parent or student in the way they really do it: ask for a link on
the sign-in page, read the e-mail from the loopback SMTP server of the root conftest's
``inbox`` fixture, open the link and press the button. Use it in a test that requests
``live_server`` and ``inbox`` (the fixture also makes tasks run at once, so the e-mail is
sent while the request is answered).
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlparse

from django.urls import reverse
from playwright.sync_api import Page

#: A portal link in an e-mail's plain text.
LINK = re.compile(r"https?://\S+/portaal/link/[\w-]+/")
#: How long to wait for the e-mail (it normally arrives before the page has loaded).
MAIL_TIMEOUT_S = 15.0


def _recipients(message: Any) -> set[str]:
    return {address.addr_spec.lower() for address in message["To"].addresses}


def _text(message: Any) -> str:
    body = message.get_body(("plain",))
    return str(body.get_content()) if body is not None else ""


def wait_for_link(inbox: Any, email: str, *, after: int = 0,
                  timeout: float = MAIL_TIMEOUT_S) -> str:
    """Return the portal link of the first e-mail to ``email`` that arrived after the first
    ``after`` messages of ``inbox``; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        for message in list(inbox.messages)[after:]:
            if email.lower() in _recipients(message):
                match = LINK.search(_text(message))
                if match:
                    return match.group(0)
        if time.monotonic() > deadline:
            raise AssertionError(f"no e-mail with a portal link to {email} arrived "
                                 f"({len(inbox.messages)} messages in the inbox)")
        time.sleep(0.05)


def follow_link(page: Page, live_server_url: str, link: str) -> None:
    """Open a link from an e-mail on the live server and press its sign-in button; wait until
    the page after signing in has loaded."""
    path = urlparse(link).path
    page.goto(live_server_url.rstrip("/") + path)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: urlparse(url).path != path)


def login_by_link(page: Page, live_server_url: str, inbox: Any, email: str) -> str:
    """Sign in as the parent or student with ``email`` by e-mail link; return the link.

    1. Ask for a link on ``/portaal/inloggen/`` and wait for the "check your e-mail" page.
    2. Read the new e-mail to ``email`` from ``inbox`` and take the link out of it.
    3. Open the link and press "sign in": the browser lands on the portal.
    """
    before = len(inbox.messages)
    page.goto(live_server_url.rstrip("/") + reverse("portal_signin"))
    page.locator("input[name=email]").fill(email)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(reverse("portal_signin_sent")) + r"$"))
    link = wait_for_link(inbox, email, after=before)
    follow_link(page, live_server_url, link)
    return link
