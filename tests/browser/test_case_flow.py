"""A case from signal to closing evaluation: the protocol opens Sam's case with a task for the
attendance officer; the officer opens it from the start page, logs a conversation, makes an
agreement, reviews it, completes the task and closes the case with an evaluation."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from aanwezig.protocol import cases
from aanwezig.protocol.models import Case, Task
from aanwezig.protocol.tests.test_cases_fixtures import make_firing, register_lessons
from aanwezig.schools.models import Role
from conftest import TODAY
from tests.browser.helpers import ROOT, login, screenshot

SCREENS = ROOT / "var" / "screens"
#: The conversation's first line, in Dutch once the catalogue has it (English until then).
ATTENDANCE_LINE = re.compile(r"Sam (was er 70% van de lessen|was there for 70% of the lessons)")
SIX_HOURS = re.compile(r"6 (lesuren|lesson hours)")
SCHOOL_MORNING = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Europe/Amsterdam"))


def shot(page, name: str) -> Path:
    return screenshot(page, SCREENS / f"case-flow-{name}.png")


@pytest.fixture
def school_morning():
    with time_machine.travel(SCHOOL_MORNING, tick=True):
        yield


@pytest.mark.browser
def test_a_case_from_signal_to_closing_evaluation(live_server, world, page, school_morning):
    sam = world.child_a
    for day in (11, 12, 13):
        register_lessons(world, dt.date(2026, 11, day), {sam.pk: [None] * 4})
    register_lessons(world, dt.date(2026, 11, 16), {sam.pk: ["absent", "absent", None, None]})
    register_lessons(world, dt.date(2026, 11, 17), {sam.pk: ["absent"] * 4})
    # The protocol: a signal opens the case and gives the attendance officer a task.
    case = cases.open_or_escalate_case(sam, title="6 uur ongeoorloofd in 4 weken",
                                       role=Role.ATTENDANCE_OFFICER)
    firing = make_firing(sam, case=case, explanation="Sam: 6 lesuren ongeoorloofd in 4 schoolweken")
    task = cases.create_task(world.school_a, kind="plan_conversation",
                             role=Role.ATTENDANCE_OFFICER, title="Plan een gesprek met Sam en ouders",
                             case=case, firing=firing, due_on=TODAY - dt.timedelta(days=1))
    case_path = reverse("case", args=[world.school_a.pk, case.pk])

    # 1. The officer sees the overdue task on the start page and opens the case from it.
    login(page, live_server, world.officer_a.username)
    tasks = page.locator(".start-tasks")
    item = tasks.locator(f"#task-{task.pk}")
    expect(item).to_contain_text("Plan een gesprek met Sam en ouders")
    expect(item).to_contain_text("⚠")
    expect(item).to_have_class(re.compile(r"task-overdue"))
    shot(page, "1-start")
    item.locator(f'a[href="{case_path}"]').click()
    page.wait_for_url(f"**{case_path}")
    expect(page.locator("h1")).to_contain_text("Sam Jansen")
    expect(page.locator("#timeline")).to_contain_text("6 lesuren ongeoorloofd in 4 schoolweken")
    expect(page.locator("#figures-title + ul")).to_contain_text("70%")  # 14 of 20 lessons
    shot(page, "2-case")

    # 2. A conversation: it starts with attendance, the three views side by side.
    page.locator("#conversations summary").click()
    form = page.locator("form.conversation-form")
    expect(form).to_contain_text(ATTENDANCE_LINE)
    form.locator("#talk-participants").fill("Sam, moeder, verzuimcoördinator")
    form.locator("#talk-school_view").fill("We missen Sam op maandag en dinsdag.")
    form.locator("#talk-parents_view").fill("Sam slaapt slecht sinds de verhuizing.")
    form.locator("#talk-student_view").fill("Ik wil wel, maar kom mijn bed niet uit.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{case_path}#conversations")
    talk = page.locator("article.conversation").first
    expect(talk).to_contain_text(ATTENDANCE_LINE)
    expect(talk).to_contain_text(SIX_HOURS)
    expect(talk).to_contain_text("Sam slaapt slecht sinds de verhuizing.")
    expect(talk).to_contain_text("Ik wil wel, maar kom mijn bed niet uit.")
    shot(page, "3-conversation")

    # 3. An agreement with a review date, reviewed the same day (htmx swaps the list).
    page.locator("#agreements > details summary").click()
    form = page.locator("form.agreement-form")
    form.locator("#agreement-text").fill("Sam zet twee wekkers en is om 8.30 uur in de klas.")
    form.locator("#agreement-party").select_option("student")
    form.locator("#agreement-review_on").fill(TODAY.isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{case_path}#agreements")
    agreement = page.locator("li.agreement")
    expect(agreement).to_have_attribute("data-status", "open")
    expect(agreement).to_contain_text("Sam zet twee wekkers")
    shot(page, "4-agreement")
    agreement.locator("input[value=kept]").check()
    agreement.locator("input[type=text]").fill("Deze week elke dag op tijd.")
    agreement.locator("button[type=submit]").click()
    expect(page.locator("li.agreement")).to_have_attribute("data-status", "kept")
    expect(page.locator("li.agreement")).to_contain_text("Deze week elke dag op tijd.")
    shot(page, "5-reviewed")

    # 4. The task is done.
    page.goto(live_server.url + case_path)
    item = page.locator(f"#task-{task.pk}")
    item.locator("input[name=note]").fill("Gesprek gevoerd op 18 november.")
    item.locator("button[type=submit]").first.click()
    page.wait_for_url(f"**{case_path}#tasks")
    expect(page.locator(f"#task-{task.pk}")).to_contain_text("✓")
    expect(page.locator(f"#task-{task.pk} form")).to_have_count(0)
    assert Task.objects.get(pk=task.pk).done_note == "Gesprek gevoerd op 18 november."

    # 5. Closing with an evaluation; the parents' look-back is kept too.
    page.locator(f'a[href="{reverse("case_close", args=[world.school_a.pk, case.pk])}"]').click()
    form = page.locator("form.close-form")
    form.locator("#close-outcome").select_option("improved")
    form.locator("#close-evaluation").fill("Twee wekkers en een vaste afspraak werkten.")
    form.locator("#close-evaluation_parents").fill("Fijn dat er naar Sam werd geluisterd.")
    shot(page, "6-close-form")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{case_path}")
    evaluation = page.locator(".case-evaluation")
    expect(evaluation).to_contain_text("Twee wekkers en een vaste afspraak werkten.")
    expect(evaluation).to_contain_text("Fijn dat er naar Sam werd geluisterd.")
    expect(page.locator("form.note-form, form.conversation-form, form.agreement-form")
           ).to_have_count(0)
    expect(page.locator("#timeline tbody tr").first).to_have_class("timeline-closed")
    shot(page, "7-closed")
    assert Case.objects.get(pk=case.pk).status == "closed"


@pytest.mark.browser
def test_the_case_list_and_the_partners_page_on_a_phone(live_server, world, page, browser,
                                                       school_morning):
    """At 375 px the case list marks an overdue review in words, and the leerplichtambtenaar
    the case is shared with sees the agreement but not the conversation."""
    from aanwezig.protocol.models import Agreement
    from aanwezig.protocol.tests.test_cases_fixtures import make_partner

    case = cases.open_or_escalate_case(world.child_a, title="Vaak afwezig op maandag",
                                       role=Role.ATTENDANCE_OFFICER)
    cases.add_conversation(case, held_on=TODAY, kind="mol", participants="Sam en vader",
                           parents_view="ALLEEN-VOOR-SCHOOL", actor=world.officer_a)
    cases.add_agreement(case, text="Sam belt zelf af als hij ziek is", party="student",
                        review_on=TODAY, actor=world.officer_a)
    Agreement.objects.update(review_on=TODAY - dt.timedelta(days=2))
    lpa = make_partner(world)
    cases.involve_partner(case, partner=lpa, reason="16 uur in 4 weken", actor=world.officer_a)

    page.set_viewport_size({"width": 375, "height": 800})
    login(page, live_server, world.officer_a.username)
    page.goto(live_server.url + reverse("cases", args=[world.school_a.pk]))
    row = page.locator(f"#case-{case.pk}")
    expect(row).to_contain_text("Sam Jansen")
    expect(row).to_contain_text("⚠")
    shot(page, "8-list-phone")
    page.goto(live_server.url + reverse("tasks", args=[world.school_a.pk]) + "?filter=open")
    expect(page.locator("h1")).to_be_visible()
    shot(page, "8b-tasks-phone")

    partner = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport={"width": 375, "height": 800})
    partner_page = partner.new_page()
    login(partner_page, live_server, lpa.user.username)
    shared = partner_page.locator(f'a[href="{reverse("partner_case", args=[case.pk])}"]').first
    shared.click()
    expect(partner_page.locator("h1")).to_contain_text("Sam Jansen")
    expect(partner_page.locator("main")).to_contain_text("Sam belt zelf af als hij ziek is")
    expect(partner_page.locator("main")).not_to_contain_text("ALLEEN-VOOR-SCHOOL")
    shot(partner_page, "9-partner-phone")
    partner.close()
