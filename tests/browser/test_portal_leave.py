"""A leave request from submission to decision letter, on a phone (375 px).

Petra (Sam's mother) signs in by e-mail link, asks for leave for important circumstances (a
wedding, Mon 23 – Wed 25 Nov 2026); the school leader opens the request from the school
page and grants it; Sam's lessons on those days are locked in the register; Petra gets the
decision by e-mail, sees it in the portal and opens the decision letter (PDF).

Screenshots at phone width: ``docs/screens/portal-leave.png`` (the form) and
``docs/screens/portal-leave-decision.png`` (the decision).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.models import Mark
from aanwezig.leave.models import LeaveRequest, LeaveStatus
from aanwezig.schools.models import Role
from aanwezig.testing import factories as f
from conftest import TODAY
from tests.browser.helpers import ROOT, login, screenshot
from tests.browser.portal_helpers import login_by_link

SCREENS = ROOT / "docs" / "screens"
PHONE: ViewportSize = {"width": 375, "height": 812}
MORNING = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Europe/Amsterdam"))
WEDDING = (dt.date(2026, 11, 23), dt.date(2026, 11, 25))


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=True):
        yield


@pytest.fixture(autouse=True)
def _leave_files(settings, tmp_path):
    settings.LEAVE_FILES_DIR = tmp_path / "leave"


@pytest.fixture
def school_ready(world):
    """The school's absence reasons, its contact details, a school leader, Petra's e-mail and
    a lesson of Sam's group on the Monday of the wedding."""
    create_default_absence_reasons(world.school_a)
    world.school_a.address = "Schoolstraat 1\n3511 AB Utrecht"
    world.school_a.phone = "+31301234567"
    world.school_a.email = "info@testcollege.example"
    world.school_a.save()
    world.parent.email = "petra.jansen@example.test"
    world.parent.address = "Dorpsweg 12\n3512 CD Utrecht"
    world.parent.save()
    leader = f.make_staff(world.school_a, Role.SCHOOL_LEADER, username="directeur.a@example.test",
                          first_name="Dora", last_name="Directeur")
    lesson = f.make_lesson(world.a1, world.teacher_a, WEDDING[0], period=world.grid_a[0])
    return leader, lesson


@pytest.mark.browser
def test_a_leave_request_from_submission_to_decision_letter(live_server, world, school_ready,
                                                            inbox, page: Page, browser, morning):
    leader, lesson = school_ready
    sam = world.child_a
    page.set_viewport_size(PHONE)

    # 1. Petra signs in with the link from her e-mail and opens "Verlof": Sam's page.
    login_by_link(page, live_server.url, inbox, "petra.jansen@example.test")
    page.locator(".portal-nav").get_by_role("link", name="Verlof").click()
    page.wait_for_url(re.compile(re.escape(reverse("portal_leave", args=[sam.pk])) + "$"))
    expect(page.locator("h1")).to_contain_text("Verlof")

    # 2. She asks for leave for important circumstances: a wedding, three school days.
    page.get_by_label("Gewichtige omstandigheden (art. 14)").check()
    page.get_by_label("Eerste dag").fill(WEDDING[0].isoformat())
    page.get_by_label("Laatste dag").fill(WEDDING[1].isoformat())
    page.get_by_label("Waarom vraagt u verlof aan?").fill(
        "De bruiloft van mijn zus in Izmir. We vliegen op zondag 22 november.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, SCREENS / "portal-leave.png")
    page.get_by_role("button", name="Aanvraag versturen").click()
    leave = LeaveRequest.objects.get()
    page.wait_for_url(re.compile(re.escape(
        reverse("portal_leave_request", args=[sam.pk, leave.pk])) + "$"))
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("main .tag").first).to_contain_text("wacht op een besluit")
    assert (leave.status, leave.school_days, leave.requested_by) == (
        LeaveStatus.SUBMITTED, 3, world.parent)

    # 3. The school leader finds the request from the school page and grants it.
    staff_context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    staff = staff_context.new_page()
    try:
        login(staff, live_server, leader.username)
        staff.goto(live_server.url + reverse("school", args=[world.school_a.pk]))
        staff.get_by_role("link", name="Verlofaanvragen").click()
        staff.locator("table.leave-list").get_by_role("link", name="Sam Jansen").click()
        expect(staff.locator("dl.facts")).to_contain_text("De bruiloft van mijn zus")
        staff.get_by_label("Verlof toekennen").check()
        staff.get_by_label("Toelichting voor de ouder").fill("Een fijne bruiloft gewenst!")
        staff.get_by_role("button", name="Besluit opslaan").click()
        expect(staff.locator(".message-success")).to_be_visible()
        expect(staff.locator("main .tag").first).to_contain_text("toegekend")
    finally:
        staff_context.close()
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    mark = Mark.objects.get(student=sam, lesson=lesson)
    assert mark.report_id == leave.absence_report_id  # locked in the teacher's register

    # 4. Petra gets the decision by e-mail, with the way to object.
    decision = [m for m in inbox.messages
                if "petra.jansen@example.test" in m["To"]
                and "verlofaanvraag" in str(m["Subject"])]
    assert len(decision) == 1
    text = decision[0].get_body(("plain",)).get_content()
    assert "De directeur heeft het verlof toegekend." in text
    assert "binnen 6 weken" in text and "bezwaar" in text

    # 5. In the portal she sees the decision and opens the letter.
    page.reload()
    expect(page.locator("main .tag").first).to_contain_text("toegekend")
    expect(page.locator("main")).to_contain_text("Een fijne bruiloft gewenst!")
    letter = page.locator("main a", has_text="Open de brief met het besluit (pdf)")
    expect(letter).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, SCREENS / "portal-leave-decision.png")
    response = page.request.get(live_server.url + letter.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Sam Jansen" in pdf and "Een fijne bruiloft gewenst!" in pdf
    assert "bezwaar" in pdf and "6 weken" in pdf
