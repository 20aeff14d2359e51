"""The administrator reads the protocol, lowers a threshold, previews who the changed step
would reach today, saves it and finds version 2 in the history; a teacher then sees where
Sam stands."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from aanwezig.protocol.models import ProtocolVersion
from aanwezig.protocol.tests.test_protocol_pages import hours
from conftest import TODAY
from tests.browser.helpers import ROOT, login, screenshot

SCREENS = ROOT / "var" / "screens"
SCHOOL_MORNING = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def school_morning():
    with time_machine.travel(SCHOOL_MORNING, tick=True):
        yield


@pytest.mark.browser
def test_administrator_changes_a_threshold_previews_and_saves_version_2(
    live_server, world, page, browser, school_morning
):
    # Sam missed 6 lessons without a valid reason on Monday and Tuesday, Noor 5.
    hours(world, {world.child_a.pk: (4, 2), world.classmate_a.pk: (4, 1)})
    school = world.school_a.pk
    login(page, live_server, world.admin_a.username)

    # 1. From the school page to the protocol as a document.
    page.goto(live_server.url + reverse("school", args=[school]))
    page.locator(f'a[href="{reverse("protocol", args=[school])}"]').click()
    page.wait_for_url(f"**{reverse('protocol', args=[school])}")
    expect(page.locator("#stap-hours-6")).to_contain_text("6 uur ongeoorloofd in 4 weken")
    expect(page.locator("#stap-hours-6 .pp-text")).to_contain_text("belt de mentor u")
    screenshot(page, SCREENS / "protocol-document.png")
    page.emulate_media(media="print")
    screenshot(page, SCREENS / "protocol-document-print.png")
    page.emulate_media(media="screen")

    # 2. To the list of steps, and the step "6 hours in 4 weeks".
    page.locator(f'a[href="{reverse("protocol_steps", args=[school])}"]').first.click()
    page.wait_for_url(f"**{reverse('protocol_steps', args=[school])}")
    screenshot(page, SCREENS / "protocol-steps.png")
    step_path = reverse("protocol_step", args=[school, "hours-6"])
    page.locator(f'a[href="{step_path}"]').first.click()
    page.wait_for_url(f"**{step_path}")
    expect(page.locator('input[name="when-hours"]')).to_have_value("6")

    # 3. Lower the threshold to 5 and preview: Noor now counts too; nothing is saved.
    page.locator('input[name="when-hours"]').fill("5")
    page.locator('button[name="actie"][value="voorbeeld"]').click()
    preview = page.locator(".pp-preview")
    expect(preview.locator(".pp-count strong")).to_have_text("2")
    expect(preview).to_contain_text("Sam Jansen")
    expect(preview).to_contain_text("Noor Bakker")
    expect(page.locator('input[name="when-hours"]')).to_have_value("5")
    assert ProtocolVersion.objects.filter(school=world.school_a).count() == 1
    screenshot(page, SCREENS / "protocol-step-preview.png")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, SCREENS / "protocol-step-phone.png")
    page.set_viewport_size({"width": 1280, "height": 800})

    # 4. Save with a note: version 2, back on the list with a confirmation.
    page.locator('input[name="note"]').fill("De mentor belt al bij 5 uur")
    page.locator('button[name="actie"][value="opslaan"]').click()
    page.wait_for_url(f"**{reverse('protocol_steps', args=[school])}")
    expect(page.locator(".message-success")).to_contain_text("2")

    # 5. The history shows version 2: the note, who, and what changed.
    page.goto(live_server.url + reverse("protocol_history", args=[school]))
    version_2 = page.locator("#versie-2")
    expect(version_2).to_contain_text("De mentor belt al bij 5 uur")
    expect(version_2).to_contain_text("Bert Beheer")
    expect(version_2).to_contain_text("6 → 5")
    expect(page.locator("#versie-1")).to_have_count(1)
    screenshot(page, SCREENS / "protocol-history.png")

    # 6. The teacher opens where Sam stands: presence first, then the next steps.
    teacher = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    teacher_page = teacher.new_page()
    login(teacher_page, live_server, world.teacher_a.username)
    teacher_page.goto(live_server.url + reverse("student", args=[school, world.child_a.pk]))
    standing_path = reverse("student_standing", args=[school, world.child_a.pk])
    teacher_page.locator(f'a[href="{standing_path}"]').click()
    teacher_page.wait_for_url(f"**{standing_path}")
    expect(teacher_page.locator(".pp-presence")).to_contain_text("25%")
    expect(teacher_page.locator("#ladder-unexcused_hours")).to_have_count(1)
    screenshot(teacher_page, SCREENS / "protocol-standing.png")
    teacher_page.set_viewport_size({"width": 360, "height": 800})
    screenshot(teacher_page, SCREENS / "protocol-standing-phone.png")
    teacher.close()


@pytest.mark.browser
def test_administrator_switches_a_step_off_with_the_suggested_note(
    live_server, world, page, school_morning
):
    school = world.school_a.pk
    login(page, live_server, world.admin_a.username)
    page.goto(live_server.url + reverse("protocol_steps", args=[school]))
    change_path = reverse("protocol_step_change", args=[school, "late-3", "uit"])
    page.locator(f'a[href="{change_path}"]').click()
    page.wait_for_url(f"**{change_path}")
    expect(page.locator('input[name="note"]')).to_have_value(re.compile("3 keer te laat"))
    screenshot(page, SCREENS / "protocol-change.png")
    page.locator("form.pp-form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('protocol_steps', args=[school])}")
    row = page.locator("table.pp-steps tbody tr", has_text="3 keer te laat").first
    expect(row.locator(".tag")).to_have_count(1)

    page.goto(live_server.url + reverse("protocol", args=[school]))
    expect(page.locator("#stap-late-3")).to_have_count(0)
    expect(page.locator("#stap-late-6")).to_have_count(1)

    page.goto(live_server.url + reverse("protocol_step_new", args=[school]))
    screenshot(page, SCREENS / "protocol-new-step.png")
    page.locator("select[name=voorwaarde]").select_option("times_late")
    page.locator("form.pp-add button[type=submit]").click()
    expect(page.locator('input[name="when-times"]')).to_have_count(1)
    screenshot(page, SCREENS / "protocol-new-step-form.png")
