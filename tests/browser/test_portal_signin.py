"""A parent signs in by e-mail link on a phone (375 px): asks for a link, reads the e-mail
from a local SMTP server, follows the link and lands on the portal; then sets the portal's
language in Preferences. A used link shows the friendly page with a button for a new one.

Screenshots of the sign-in pages and the preferences at phone width go to
``docs/screens/portal-signin*.png`` and ``docs/screens/portal-preferences.png``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from aanwezig.notifications.models import Message, MessageStatus
from conftest import TODAY
from tests.browser.helpers import ROOT, screenshot
from tests.browser.portal_helpers import follow_link, login_by_link, wait_for_link

SCREENS = ROOT / "docs" / "screens"
PHONE = {"width": 375, "height": 812}
SCHOOL_MORNING = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def school_morning():
    with time_machine.travel(SCHOOL_MORNING, tick=True):
        yield


@pytest.fixture
def petra(world):
    world.parent.email = "petra.jansen@example.test"
    world.parent.save()
    return world.parent


def _shot(page: Page, name: str) -> None:
    """Save a screenshot at phone width for the docs (``docs/screens/``)."""
    screenshot(page, SCREENS / name)


@pytest.mark.browser
def test_a_parent_signs_in_by_e_mail_link_and_lands_on_the_portal(
        live_server, world, petra, inbox, page, school_morning):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("portal_signin"))
    expect(page.locator("h1")).to_be_visible()
    _shot(page, "portal-signin.png")

    link = login_by_link(page, live_server.url, inbox, "petra.jansen@example.test")

    assert urlparse(page.url).path == reverse("portal_home")
    expect(page.locator("body")).to_contain_text("Petra Jansen")
    expect(page.locator("main")).to_contain_text("Sam")
    message = Message.objects.get(event="portal_login")
    assert message.status == MessageStatus.SENT and message.guardian == petra
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Preferences: choose English by keyboard, save; the portal speaks English.
    page.goto(live_server.url + reverse("portal_preferences"))
    _shot(page, "portal-preferences.png")
    english = page.locator("input[name=language][value=en]")
    english.focus()
    page.keyboard.press("Space")
    expect(english).to_be_checked()
    page.locator("main form").first.locator("button[type=submit]").press("Enter")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("input[name=language][value=en]")).to_be_checked()
    petra.refresh_from_db()
    assert petra.language == "en"

    # The used link does not sign anybody in again; the page offers a new one.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.locator("h1")).to_be_visible()
    assert page.locator("main form").count() == 0
    expect(page.locator(f"main a[href='{reverse('portal_signin')}']")).to_be_visible()
    _shot(page, "portal-signin-link-used.png")


@pytest.mark.browser
def test_the_sign_in_pages_work_on_a_phone_and_by_keyboard(live_server, world, petra, inbox, page,
                                                          school_morning):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("login"))
    page.locator(f"a[href='{reverse('portal_signin')}']").click()
    field = page.locator("input[name=email]")
    expect(field).to_be_visible()
    # The label names the field, so a screen reader says what to fill in.
    assert page.locator(f"label[for='{field.get_attribute('id')}']").count() == 1
    field.focus()
    page.keyboard.type("petra.jansen@example.test")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('portal_signin_sent')}")
    _shot(page, "portal-signin-sent.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    link = wait_for_link(inbox, "petra.jansen@example.test")
    page.goto(live_server.url + urlparse(link).path)
    _shot(page, "portal-signin-link.png")
    follow_link(page, live_server.url, link)
    assert urlparse(page.url).path == reverse("portal_home")
