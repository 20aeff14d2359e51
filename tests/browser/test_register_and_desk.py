"""A teacher takes a register in one request; the attendance desk calls home and the register
then shows the student as sick and locked."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from aanwezig.attendance.defaults import create_default_absence_reasons
from conftest import TODAY
from tests.browser.helpers import login, screenshot

SCHOOL_MORNING = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def school_morning():
    """Wednesday 18 November at ten, with the clock running (the lesson of 10:30 is today)."""
    with time_machine.travel(SCHOOL_MORNING, tick=True):
        yield


@pytest.mark.browser
def test_teacher_registers_an_absence_and_the_desk_reports_the_student_sick(
    live_server, world, page, browser, school_morning
):
    create_default_absence_reasons(world.school_a)
    sam = world.child_a
    lesson_path = reverse("lesson", args=[world.school_a.pk, world.lesson_a.pk])

    # 1. The teacher opens "My lessons today" and the lesson.
    login(page, live_server, world.teacher_a.username)
    today_section = page.locator(".start-teacher")
    expect(today_section).to_contain_text("Mijn lessen vandaag")
    today_section.locator(f'a[href="{lesson_path}"]').first.click()
    page.wait_for_url(f"**{lesson_path}")
    expect(page.locator(f"#s-{sam.pk}-present")).to_be_checked()

    # 2. One tap marks Sam absent; saving is one request and confirms, presence first.
    page.locator(f'label[for="s-{sam.pk}-absent"]').click()
    posts: list[dict[str, str]] = []
    page.on("request", lambda r: posts.append(r.headers) if r.method == "POST" else None)
    page.locator(".register-save button[type=submit]").click()
    confirmation = page.locator("#register .message-success")
    expect(confirmation).to_contain_text("Opgeslagen om")
    expect(confirmation).to_contain_text("1 aanwezig, 1 afwezig")
    assert len(posts) == 1 and posts[0].get("hx-request") == "true"
    screenshot(page, "register-saved.png")

    # 3. The attendance officer sees Sam as absent without a known reason ...
    officer = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    desk_page = officer.new_page()
    login(desk_page, live_server, world.officer_a.username)
    desk_page.goto(live_server.url + reverse("desk", args=[world.school_a.pk]))
    card = desk_page.locator(f"#call-{sam.pk}")
    expect(card).to_contain_text("Sam Jansen")
    expect(card.locator('a[href^="tel:"]')).to_have_count(1)

    # 4. ... phones, reaches the parent who says Sam is sick, and Sam moves to "Ziek".
    card.locator("select[name=reason_code]").select_option("ziek")
    card.locator('button[value="reached"]').click()
    expect(desk_page.locator(f"#call-{sam.pk}")).to_have_count(0)
    expect(desk_page.locator("section[aria-labelledby=desk-sick]")).to_contain_text("Sam Jansen")
    screenshot(desk_page, "desk-after-call.png")

    # 5. The register now shows Sam as sick and locked.
    desk_page.goto(live_server.url + lesson_path)
    row = desk_page.locator(f"#student-{sam.pk}")
    expect(row).to_have_class(re.compile(r"register-locked"))
    expect(row).to_contain_text("Ziek")
    expect(row.locator("input[type=radio]")).to_have_count(0)
    officer.close()
