"""An adult student withdraws consent in the portal; from that moment the parent sees nothing
and receives nothing.

Yusuf (19) first lets his mother Ayse see his attendance and be contacted. She sees him in
her portal. Yusuf switches both off on his consent page; Ayse's portal no longer lists him,
his page is the usual "not found", and an unexplained absence the next moment reaches Yusuf
only. Along the way the phone-width screenshots for docs/portal-student.md are taken.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, Response, ViewportSize, expect

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.services import MarkInput, record_register
from aanwezig.notifications.events import queue_unexplained_absences
from aanwezig.notifications.models import Message, RecipientKind, Reply
from aanwezig.portal.consent import ask_adult_consent
from aanwezig.roster.models import StudentGuardian
from aanwezig.testing import factories as f
from conftest import TODAY
from tests.browser.helpers import ROOT, login, screenshot

PHONE: ViewportSize = {"width": 375, "height": 812}
#: Where the screenshots go: ``var/screens/``, or ``docs/screens/`` (committed, shown in
#: docs/portal-student.md) with ``AANWEZIG_DOCS_SCREENS=1``.
DOCS = ROOT / ("docs" if os.environ.get("AANWEZIG_DOCS_SCREENS") else "var") / "screens"
AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """A phone-width screenshot; the long student page as its first screen only."""
    if full_page:
        screenshot(page, DOCS / name)
    else:
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / name))


def status(response: Response | None) -> int:
    assert response is not None
    return response.status


def phone_page(browser: Browser) -> Page:
    """A second person's browser: a fresh context at phone width, in Dutch."""
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport=PHONE)
    context.set_default_timeout(15_000)
    return context.new_page()


@pytest.mark.browser
def test_an_adult_student_withdraws_consent_and_the_parent_sees_and_receives_nothing(
        live_server, world, page, browser):
    link = StudentGuardian.objects.get(student=world.adult, guardian=world.adult_parent)
    link.adult_consent_view = link.adult_consent_contact = True
    link.save()
    create_default_absence_reasons(world.school_c)
    teacher = world.lesson_c.teacher
    for day in (TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)):
        record_register(f.make_lesson(world.c1, teacher, day, period=world.grid_c[2]),
                        actor=None, entries=[])  # Yusuf was there on Monday and Tuesday
    record_register(world.lesson_c, actor=None, entries=[])  # and in Wednesday's first lesson
    later = f.make_lesson(world.c1, teacher, TODAY, period=world.grid_c[3])
    ask_adult_consent(school=world.school_c)  # the question waits in Yusuf's inbox
    child_url = live_server.url + reverse("portal_child", args=[world.adult.pk])

    # Ayse, his mother, follows Yusuf in her portal.
    mother = phone_page(browser)
    login(mother, live_server, world.adult_parent_user.username)
    mother.goto(live_server.url + reverse("portal_home"))
    expect(mother.locator("main")).to_contain_text("Yusuf")
    assert status(mother.goto(child_url)) == 200

    # Yusuf (who reads the portal in English) opens it at phone width and chooses for his
    # mother.
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "en",
                               "url": live_server.url}])
    login(page, live_server, world.adult_user.username)
    page.goto(live_server.url + reverse("portal_student"))
    expect(page.locator("h1")).to_contain_text("Yusuf")
    shot(page, "portal-student.png", full_page=False)

    page.locator(".portal-banner a[role=button]").click()  # the banner until he chooses
    page.wait_for_url(re.compile(re.escape(reverse("portal_consent")) + "$"))
    view = page.locator(f"#id_view_{link.pk}")
    contact = page.locator(f"#id_contact_{link.pk}")
    expect(view).to_be_checked()
    expect(contact).to_be_checked()
    view.uncheck()
    contact.uncheck()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_be_visible()
    expect(view).not_to_be_checked()
    expect(contact).not_to_be_checked()
    shot(page, "portal-consent.png")

    link.refresh_from_db()
    assert not link.adult_consent_view and not link.adult_consent_contact
    assert link.consent_changed_via == "portal"

    # Ayse sees nothing: Yusuf is gone from her portal and his page is "not found".
    mother.goto(live_server.url + reverse("portal_home"))
    expect(mother.locator("main")).not_to_contain_text("Yusuf")
    assert status(mother.goto(child_url)) == 404
    expect(mother.locator("body")).not_to_contain_text("Yusuf")

    # ... and receives nothing: an unexplained absence right after reaches Yusuf only.
    record_register(later, actor=None,
                    entries=[MarkInput(student_id=world.adult.pk, status="absent")])
    noon = dt.datetime.combine(TODAY, dt.time(12, 0), tzinfo=AMS)
    assert queue_unexplained_absences(world.school_c, noon) >= 1
    assert not Message.objects.filter(guardian=world.adult_parent).exists()
    to_yusuf = Message.objects.filter(student=world.adult, recipient_kind=RecipientKind.STUDENT)
    assert to_yusuf.filter(event="unexplained_absence").count() == 1
    mother.goto(live_server.url + reverse("portal_inbox"))
    expect(mother.locator("main")).not_to_contain_text("Yusuf")
    mother.context.close()

    # Yusuf's inbox has the question from his birthday and the absence message.
    page.goto(live_server.url + reverse("portal_inbox"))
    expect(page.locator(".portal-inbox li")).to_have_count(2)
    shot(page, "portal-inbox.png")

    # He answers the school's question in the inbox; the school finds the reply with him.
    page.locator(".portal-inbox a").last.click()
    page.locator("#id_body").fill("Thanks, I have chosen. I will talk with my mother myself.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#antwoorden blockquote")).to_contain_text("I have chosen")
    shot(page, "portal-message.png")
    assert Reply.objects.get().student == world.adult

    # The portal in Arabic, right to left, chosen with the portal's language list.
    page.goto(live_server.url + reverse("portal_student"))
    page.select_option("#portal-language", "ar")
    page.locator(".portal-language button").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    shot(page, "portal-student-ar.png", full_page=False)



