"""A parent on a phone (375 px wide): from the start page to the portal, Sam's attendance
presence first, where he stands, the school's protocol and whom to contact — by keyboard
too, and without the page ever getting wider than the phone.

The screenshots of these pages at phone width go to ``docs/screens/portal-*.png``.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from aanwezig.portal.models import PortalSettings
from aanwezig.protocol.tests.test_duo_reports_command import (
    SICK,
    UNEXCUSED,
    Entry,
    late,
    register_day,
)
from aanwezig.schools.calendar import Calendar
from aanwezig.schools.models import ExternalPartner, PartnerKind, Term
from aanwezig.testing import factories as f
from conftest import TODAY
from tests.browser.helpers import ROOT, login, screenshot

SCREENS = ROOT / "docs" / "screens"
PHONE = {"width": 375, "height": 812}
SCHOOL_MORNING = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def school_morning():
    with time_machine.travel(SCHOOL_MORNING, tick=True):
        yield


def sams_autumn(world) -> None:
    """Sam's registers since 1 September: there almost always; sick on one day, late twice,
    and two lessons without a valid reason last Monday. His school has a mentor, a phone
    number, desk hours, a leerplichtambtenaar and a youth doctor."""
    sam = world.child_a.pk
    special: dict[dt.date, list[Entry | None]] = {
        dt.date(2026, 10, 6): [SICK] * 4,
        dt.date(2026, 10, 20): [late(5), None, None, None],
        dt.date(2026, 11, 3): [None, late(10), None, None],
        dt.date(2026, 11, 16): [UNEXCUSED, UNEXCUSED, None, None],
    }
    days = Calendar(world.school_a, dt.date(2026, 9, 1), TODAY - dt.timedelta(days=1))
    for day in days.school_days():
        register_day(world, day, {sam: special.get(day, [None] * 4)})
    Term.objects.create(school=world.school_a, school_year=world.year_a, name="Periode 1",
                        start_date=dt.date(2026, 8, 17), end_date=dt.date(2026, 11, 27))
    f.add_mentor(world.a1, world.mentor_a)
    world.mentor_a.email = "m.mentor@testcollege.example"
    world.mentor_a.save()
    world.school_a.phone, world.school_a.email = "+31301234567", "verzuim@testcollege.example"
    world.school_a.save()
    PortalSettings.objects.create(school=world.school_a,
                                  desk_hours="maandag t/m vrijdag 8.00–16.30 uur")
    for kind, name, organisation, phone in (
            (PartnerKind.LEERPLICHT, "Lotje de Leeuw", "Gemeente Utrecht", "+31302860000"),
            (PartnerKind.YOUTH_DOCTOR, "Dokter Jansma", "GGD regio Utrecht", "+31306305400")):
        partner = ExternalPartner.objects.create(board=world.board, kind=kind, name=name,
                                                 organisation=organisation, phone=phone)
        partner.schools.add(world.school_a)


def fits_the_phone(page: Page) -> None:
    """Nothing makes the page wider than the phone (no sideways scrolling)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


@pytest.mark.browser
def test_parent_reads_sams_attendance_standing_protocol_and_contacts_on_a_phone(
    live_server, world, page, school_morning
):
    sams_autumn(world)
    sam = world.child_a
    page.set_viewport_size(PHONE)
    login(page, live_server, world.parent_user.username)

    # 1. From the start page to the portal: Sam with one calm line of presence.
    page.locator(f'a[href="{reverse("portal_home")}"]').last.click()
    page.wait_for_url(f"**{reverse('portal_home')}")
    card = page.locator(f"#child-{sam.pk}").locator("xpath=ancestor::article")
    expect(card.locator(".pp-presence strong")).to_have_text(re.compile(r"^9\d%$"))
    fits_the_phone(page)
    screenshot(page, SCREENS / "portal-home.png")

    # 2. Sam's page: presence first, this week per day, the hours in words, the calendar.
    child_path = reverse("portal_child", args=[sam.pk])
    card.locator(f'a[href="{child_path}"]').first.click()
    page.wait_for_url(f"**{child_path}")
    presence = page.locator(".portal-presence .pp-presence")
    expect(presence).to_contain_text("Sam")
    expect(presence.locator("strong")).to_have_text(re.compile(r"^9\d%$"))
    week = page.locator(".portal-week .my-lesson")
    expect(week).to_have_count(5)
    expect(week.nth(0)).to_contain_text("Ongeoorloofd afwezig")
    expect(page.locator(".portal-hours")).to_contain_text("2")
    expect(page.locator(".portal-absences")).to_contain_text("Ziek")
    expect(page.locator(".portal-months table")).to_have_count(4)  # August to November
    expect(page.locator(".portal-months td.cal-today")).to_have_count(1)
    fits_the_phone(page)
    screenshot(page, SCREENS / "portal-child.png")

    # 3. By keyboard to "where do we stand": the next step on the hours ladder is at 6.
    standing_path = reverse("portal_standing", args=[sam.pk])
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == standing_path:
            break
    else:
        pytest.fail("the link to 'where do we stand' cannot be reached by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{standing_path}")
    expect(page.locator("#ladder-unexcused_hours")).to_be_visible()
    expect(page.locator("article", has=page.locator("#ladder-unexcused_hours"))
           .locator(".pp-next")).to_contain_text("6 uur ongeoorloofd in 4 weken")
    fits_the_phone(page)

    # 4. The school's protocol in plain language: every step when, and the parents' text.
    protocol_path = reverse("portal_protocol", args=[sam.pk])
    page.locator(f'.portal-child-nav a[href="{protocol_path}"]').click()
    page.wait_for_url(f"**{protocol_path}")
    expect(page.locator("#stap-hours-6 .pp-text")).to_contain_text("belt de mentor u")
    expect(page.locator("#stap-duo-16")).to_be_visible()
    fits_the_phone(page)
    # The whole protocol is long: its first screens are enough to show how it reads.
    page.screenshot(path=str(SCREENS / "portal-protocol.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": PHONE["width"], "height": 1800})

    # 5. Contacts: the mentor, the desk with a phone number to tap, leerplicht, jeugdarts.
    contacts_path = reverse("portal_contacts", args=[sam.pk])
    page.locator(f'.portal-child-nav a[href="{contacts_path}"]').click()
    page.wait_for_url(f"**{contacts_path}")
    expect(page.locator("main")).to_contain_text("Mira Mentor")
    expect(page.locator('a[href="tel:+31301234567"]')).to_be_visible()
    expect(page.locator('a[href="tel:+31302860000"]')).to_contain_text("030")
    expect(page.locator("main")).to_contain_text("Dokter Jansma")
    expect(page.locator("main")).to_contain_text("maandag t/m vrijdag 8.00–16.30 uur")
    fits_the_phone(page)
    screenshot(page, SCREENS / "portal-contacts.png")

    # 6. Another family's child is the same 404 as a child that does not exist.
    response = page.goto(live_server.url + reverse("portal_child", args=[world.classmate_a.pk]))
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("Noor")
