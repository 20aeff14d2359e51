"""A parent signs in by e-mail link on a phone (375 px), reports the child sick and sees the
confirmation; the teacher's register of that morning shows the child locked as sick, and
after the grace period no unexplained-absence message goes out for the child (while a
classmate who is simply absent does get one).

Screenshots at phone width: ``docs/screens/portal-report-sick.png`` (the form) and
``docs/screens/portal-report-done.png`` (the confirmation).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.models import AbsenceReport
from aanwezig.notifications.events import run_all
from aanwezig.notifications.models import Event, Message
from aanwezig.portal.reports import REPORT_CONFIRMATION
from aanwezig.testing import factories as f
from conftest import TODAY
from tests.browser.helpers import ROOT, login, screenshot
from tests.browser.portal_helpers import login_by_link

SCREENS = ROOT / "docs" / "screens"
PHONE: ViewportSize = {"width": 375, "height": 812}
AMS = ZoneInfo("Europe/Amsterdam")
BEFORE_SCHOOL = dt.datetime.combine(TODAY, dt.time(7, 45), tzinfo=AMS)


@pytest.fixture
def before_school():
    """Wednesday 18 November at a quarter to eight, the clock running."""
    with time_machine.travel(BEFORE_SCHOOL, tick=True):
        yield


@pytest.fixture
def family(world):
    """Sam's mother with her e-mail address, and a parent for his classmate Noor."""
    create_default_absence_reasons(world.school_a)
    world.parent.email = "petra.jansen@example.test"
    world.parent.save()
    noors_parent = f.make_guardian(world.board, given_name="Nina", last_name="Bakker",
                                   email="nina.bakker@example.test")
    f.link_guardian(world.classmate_a, noors_parent)
    return world.parent


@pytest.mark.browser
def test_a_parent_reports_sick_and_the_register_is_locked_without_a_message(
        live_server, world, family, inbox, page: Page, browser, before_school):
    sam = world.child_a
    first_lesson = f.make_lesson(world.a1, world.teacher_a, TODAY, period=world.grid_a[0])
    page.set_viewport_size(PHONE)

    # 1. Petra signs in with the link from her e-mail and goes to "report sick or away".
    login_by_link(page, live_server.url, inbox, "petra.jansen@example.test")
    page.locator(".portal-nav").get_by_role("link", name="Ziek of afwezig melden").click()
    card = page.locator(f"#kind-{sam.pk}")
    expect(card).to_contain_text("Sam Jansen")

    # 2. She reports Sam sick from today, expected back on Friday; no diagnosis is asked.
    card.get_by_role("button", name="Ziek melden").click()
    expect(page.locator("h1")).to_have_text("Ziek melden")
    expect(page.locator(".privacy-note")).to_contain_text("U hoeft niet te vertellen wat Sam heeft")
    expect(page.locator("#id_start_date")).to_have_value(TODAY.isoformat())
    page.get_by_label("Verwacht weer op school op").fill("2026-11-20")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.evaluate("document.activeElement.blur()")
    screenshot(page, SCREENS / "portal-report-sick.png")
    page.get_by_role("button", name="Naar de school sturen").click()

    # 3. The confirmation is shown ... and sent.
    banner = page.locator(".portal-banner")
    expect(banner).to_contain_text("Dank u wel. De school weet het nu.")
    expect(banner).to_contain_text("Sam is ziek gemeld.")
    expect(banner).to_contain_text("verwacht terug vrijdag 20 november")
    expect(page.locator("main")).to_contain_text("Petra Jansen (e-mail)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.wait_for_load_state("networkidle")
    screenshot(page, SCREENS / "portal-report-done.png")
    report = AbsenceReport.objects.get(student=sam)
    assert (report.source, report.guardian) == ("guardian", world.parent)
    confirmation = Message.objects.get(event=REPORT_CONFIRMATION, guardian=world.parent)
    assert confirmation.subject == "Ziekmelding van Sam ontvangen"

    # 4. At 08:30 the teacher's register shows Sam as sick and locked; Noor is absent.
    teacher = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    register = teacher.new_page()
    login(register, live_server, world.teacher_a.username)
    register.goto(live_server.url + reverse("lesson", args=[world.school_a.pk,
                                                            first_lesson.pk]))
    row = register.locator(f"#student-{sam.pk}")
    expect(row).to_have_class(re.compile(r"register-locked"))
    expect(row).to_contain_text("Ziek")
    expect(row.locator("input[type=radio]")).to_have_count(0)
    register.locator(f'label[for="s-{world.classmate_a.pk}-absent"]').click()
    register.locator(".register-save button[type=submit]").click()
    expect(register.locator("#register .message-success")).to_contain_text("Opgeslagen om")
    teacher.close()

    # 5. Long after the grace period, the notification run sends nothing about Sam, while
    #    Noor's parent hears that Noor was missed.
    run_all(world.school_a, dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=AMS))
    unexplained = Message.objects.filter(event=Event.UNEXPLAINED_ABSENCE)
    assert not unexplained.filter(student=sam).exists()
    assert unexplained.filter(student=world.classmate_a).exists()
