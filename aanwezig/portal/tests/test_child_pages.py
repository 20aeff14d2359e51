"""The portal's child pages: presence first, this week per day or per lesson, what absences
were registered as, the protocol hours in words, where the child stands, the school's
protocol in plain language, and whom to contact.

Calendar help: TODAY is Wed 18 Nov 2026. Group 1A (Sam Jansen, Noor Bakker) of Het
Testcollege gets four registered lessons on a registered day (``register_day``). The pages
are read in English (the language cookie), so that the tests do not depend on the Dutch
catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.models import AbsenceReport
from aanwezig.audit.models import AuditEvent
from aanwezig.portal.models import ParentsSee, PortalSettings
from aanwezig.protocol.tests.test_duo_reports_command import (
    SICK,
    UNEXCUSED,
    Entry,
    register_day,
)
from aanwezig.schools.models import ExternalPartner, PartnerKind, Role
from aanwezig.testing import factories as f
from conftest import TODAY

D = dt.date
MON, TUE, THU_BEFORE = D(2026, 11, 16), D(2026, 11, 17), D(2026, 11, 12)
NO_REASON: Entry = ("absent", None, None)
PORTAL_PAGES = ("portal_child", "portal_standing", "portal_protocol", "portal_contacts")


@pytest.fixture(autouse=True)
def _on_today():
    """On ``TODAY`` at ten; what is built outside a request reads in English (pages follow the
    request's own language)."""
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False), \
            translation.override("en"):
        yield


def sams_week(world, days: Mapping[dt.date, Sequence[Entry | None]] | None = None) -> None:
    """Sam: all present on Thu 12 Nov, 2 lessons unexcused on Monday, sick all Tuesday."""
    days = days or {THU_BEFORE: [None] * 4, MON: [UNEXCUSED, UNEXCUSED, None, None],
                    TUE: [SICK] * 4}
    for day, entries in days.items():
        register_day(world, day, {world.child_a.pk: list(entries)})


def as_parent(client, user, language: str = "en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page(client, name: str, pk: int, status: int = 200):
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == status
    return response


# --- the child page: presence first ------------------------------------------------------------


def test_child_page_leads_with_presence_this_school_year(client, world):
    sams_week(world)
    response = page(as_parent(client, world.parent_user), "portal_child", world.child_a.pk)
    body = response.content.decode()
    # 12 registered lessons, 6 present (Thursday 4, Monday 2).
    assert "Sam was there for <strong>50%</strong> of the lessons this school year." in body
    assert body.index("50%") < body.index("This week")
    overview = response.context["overview"]
    assert (overview.year_count.lessons, overview.year_count.present) == (12, 6)
    assert (overview.week_count.lessons, overview.week_count.present) == (8, 2)


def test_child_page_shows_the_term_percentage_with_the_terms_name(client, world):
    from aanwezig.schools.models import Term

    # The world's school year has no terms: add one.
    Term.objects.create(school=world.school_a, school_year=world.year_a, name="Periode 2",
                        start_date=D(2026, 11, 16), end_date=D(2027, 1, 31))
    sams_week(world)
    body = page(as_parent(client, world.parent_user), "portal_child",
                world.child_a.pk).content.decode()
    assert "present this term (Periode 2)" in body
    # Only Monday and Tuesday fall in the term: 2 of 8 lessons.
    assert "<strong>25%</strong> present this term" in body


def test_per_day_by_default_one_word_per_day_and_no_lesson_times(client, world):
    sams_week(world)
    response = page(as_parent(client, world.parent_user), "portal_child", world.child_a.pk)
    overview = response.context["overview"]
    assert overview.parents_see == ParentsSee.DAY
    week = {day.day: day for day in overview.week}
    assert [d.weekday() for d in week] == [0, 1, 2, 3, 4]
    assert week[MON].state == "partly" and week[MON].reasons == [("Ongeoorloofd afwezig", 2)]
    assert week[TUE].state == "absent_excused" and week[TUE].reasons == [("Ziek", 4)]
    assert week[TODAY].state == "unregistered"  # today's lesson has no register yet
    assert week[D(2026, 11, 19)].state == "future"
    assert all(not day.lesson_lines for day in overview.week)
    body = response.content.decode()
    assert "partly present" in body and "08:30" not in body


def test_per_lesson_when_the_school_chooses_it(client, world):
    PortalSettings.objects.create(school=world.school_a, parents_see=ParentsSee.LESSON)
    sams_week(world)
    world.lesson_a.status = "cancelled"
    world.lesson_a.save()
    response = page(as_parent(client, world.parent_user), "portal_child", world.child_a.pk)
    overview = response.context["overview"]
    assert overview.per_lesson
    monday = next(day for day in overview.week if day.day == MON)
    assert [(line.start.strftime("%H:%M"), line.state, line.reason)
            for line in monday.lesson_lines] == [
        ("08:30", "absent_unexcused", "Ongeoorloofd afwezig"),
        ("09:20", "absent_unexcused", "Ongeoorloofd afwezig"),
        ("10:30", "present", ""), ("11:20", "present", "")]
    today = next(day for day in overview.week if day.day == TODAY)
    assert [line.state for line in today.lesson_lines] == ["cancelled"]
    body = response.content.decode()
    assert "08:30–09:20" in body and "lesson cancelled" in body


def test_the_student_portal_may_ask_for_per_lesson_whatever_the_school_says(world):
    from aanwezig.portal.queries import child_overview

    sams_week(world)
    overview = child_overview(world.child_a, TODAY, parents_see=ParentsSee.LESSON)
    assert overview.per_lesson
    assert len(next(d for d in overview.week if d.day == MON).lesson_lines) == 4


def test_absences_show_what_they_were_registered_as_newest_first(client, world):
    sams_week(world, {MON: [UNEXCUSED, NO_REASON, None, None], TUE: [SICK] * 4})
    response = page(as_parent(client, world.parent_user), "portal_child", world.child_a.pk)
    overview = response.context["overview"]
    assert [(a.day, a.reasons) for a in overview.absence_days] == [
        (TUE, [("Ziek", 4)]),
        (MON, [("Ongeoorloofd afwezig", 1), ("no reason given yet", 1)]),
    ]
    assert overview.by_reason == [("Ziek", 4), ("Ongeoorloofd afwezig", 1),
                                  ("no reason given yet", 1)]
    body = response.content.decode()
    assert "What absences were registered as" in body and "Ziek" in body
    # Who took the register is staff business, not shown to parents.
    assert "Dirk Docent" not in body


def test_a_child_without_absences_gets_a_warm_sentence(client, world):
    sams_week(world, {MON: [None] * 4, TUE: [None] * 4})
    body = page(as_parent(client, world.parent_user), "portal_child",
                world.child_a.pk).content.decode()
    assert "Sam has not missed a lesson this school year, and was never late." in body
    assert "This week Sam was at every lesson so far." in body


def test_a_running_sick_report_is_shown_by_its_reason_only(client, world):
    reasons = create_default_absence_reasons(world.school_a)
    AbsenceReport.objects.create(
        school=world.school_a, student=world.child_a, reason=reasons["ziek"], start_date=TODAY,
        expected_end=D(2026, 11, 20), source="guardian",
        created_at=dt.datetime(2026, 11, 18, 7, tzinfo=dt.UTC))
    response = page(as_parent(client, world.parent_user), "portal_child", world.child_a.pk)
    [report] = response.context["overview"].current_reports
    assert (report.label, report.start, report.expected_end) == ("Ziek", TODAY, D(2026, 11, 20))
    assert "expected back Friday 20 November" in response.content.decode()


# --- the hours that count towards the protocol, in words -------------------------------------


def test_protocol_hours_in_words_with_the_next_step(client, world):
    sams_week(world, {MON: [UNEXCUSED, UNEXCUSED, UNEXCUSED, None]})
    response = page(as_parent(client, world.parent_user), "portal_child", world.child_a.pk)
    hours = response.context["overview"].hours
    assert (hours.hours, hours.weeks, hours.threshold) == (3, 4, 6)
    assert hours.for_parent == ("In the last 4 school weeks: 3 lesson hours without a valid "
                                "reason. At 6 the mentor phones you.")
    assert hours.for_student.endswith("At 6 the mentor gets in touch.")
    assert hours.for_parent in response.content.decode()


def test_protocol_hours_after_the_first_step_name_the_next_one(world):
    from aanwezig.portal.queries import child_overview

    sams_week(world, {D(2026, 11, 13): [UNEXCUSED] * 4, MON: [UNEXCUSED] * 3 + [None]})
    hours = child_overview(world.child_a, TODAY).hours
    assert (hours.hours, hours.threshold) == (7, 9)
    assert hours.for_parent.endswith("At 9 we invite you and Sam for a conversation.")


def test_protocol_hours_when_nothing_was_missed(world):
    from aanwezig.portal.queries import child_overview

    sams_week(world, {MON: [None] * 4})
    hours = child_overview(world.child_a, TODAY).hours
    assert hours.for_parent == ("In the last 4 school weeks: no lesson hours without a valid "
                                "reason. At 6 the mentor phones you.")


def test_klokuren_school_speaks_of_clock_hours(world):
    from aanwezig.portal.queries import child_overview

    world.school_a.hour_unit = "klokuur"
    world.school_a.save()
    sams_week(world, {MON: [UNEXCUSED] * 2 + [None] * 2})
    assert "clock hours without a valid reason" in child_overview(world.child_a, TODAY) \
        .hours.for_parent


# --- where do we stand ----------------------------------------------------------------------------


def test_standing_shows_the_next_step_who_and_why(client, world):
    sams_week(world, {MON: [UNEXCUSED] * 3 + [None]})
    response = page(as_parent(client, world.parent_user), "portal_standing", world.child_a.pk)
    body = response.content.decode()
    ladder = next(lad for lad in response.context["standing"].ladders
                  if lad.trigger == "unexcused_hours")
    assert ladder.next_step.key == "hours-6"
    assert "Next step" in body and "6 uur ongeoorloofd in 4 weken" in body
    assert "the mentor phones you" in body  # the step's text for parents (English)
    assert "Sam was there for <strong>25%</strong>" in body  # presence first: 1 of 4


def test_standing_shows_steps_taken_this_school_year(client, world):
    from aanwezig.protocol.run import reevaluate

    sams_week(world, {D(2026, 11, 13): [UNEXCUSED] * 4, MON: [UNEXCUSED] * 3 + [None]})
    assert reevaluate(world.school_a, [world.child_a.pk], today=TODAY).fired
    client = as_parent(client, world.parent_user)
    body = page(client, "portal_standing", world.child_a.pk).content.decode()
    assert "Steps taken this school year" in body
    child = page(client, "portal_child", world.child_a.pk)
    assert child.context["overview"].steps_this_year >= 1
    assert "the school took 1 step of its absence protocol" in child.content.decode()


# --- the protocol in plain language -----------------------------------------------------------------


def test_protocol_page_shows_every_step_when_and_the_parents_text_not_staff_details(
        client, world):
    response = page(as_parent(client, world.parent_user), "portal_protocol", world.child_a.pk)
    body = response.content.decode()
    steps = [step for ladder in response.context["ladders"] for step in ladder.steps]
    assert {"hours-6", "duo-16", "late-3", "mazl-reports"} <= {s.key for s in steps}
    assert "6 uur ongeoorloofd in 4 weken" in body
    assert "6 hours of unexcused absence within 4 school weeks" in body  # the trigger's words
    assert "If your child misses 6 hours without a valid reason in 4 school weeks" in body
    # The staff's side (tasks, cases, cooldowns) is not for parents.
    for staff_only in ("a case is opened", "the case goes up a level", "not again within",
                       "What happens"):
        assert staff_only not in body


def test_protocol_page_leaves_out_switched_off_steps(client, world):
    from aanwezig.protocol.queries import current_version
    from aanwezig.protocol.services import save_protocol_version

    version = current_version(world.school_a)
    steps = [dict(step, active=step["key"] != "hours-9") for step in version.steps]
    save_protocol_version(world.school_a, steps, actor=None, note="test")
    body = page(as_parent(client, world.parent_user), "portal_protocol",
                world.child_a.pk).content.decode()
    assert "9 uur ongeoorloofd in 4 weken" not in body
    assert "6 uur ongeoorloofd in 4 weken" in body


# --- contacts -----------------------------------------------------------------------------------


def test_contacts_mentor_desk_partners_and_worries(client, world):
    f.add_mentor(world.a1, world.mentor_a)
    world.mentor_a.email = "m.mentor@testcollege.example"
    world.mentor_a.save()
    world.school_a.phone, world.school_a.email = "+31301234567", "verzuim@testcollege.example"
    world.school_a.save()
    PortalSettings.objects.create(school=world.school_a, desk_hours="ma–vr 8.00–16.30 uur")
    lpa = ExternalPartner.objects.create(board=world.board, kind=PartnerKind.LEERPLICHT,
                                         name="Lotje Leerplicht", organisation="Gemeente Test",
                                         phone="+31302345678", email="lpa@gemeente.example")
    lpa.schools.add(world.school_a)
    doctor = ExternalPartner.objects.create(board=world.board, kind=PartnerKind.YOUTH_DOCTOR,
                                            name="Dokter Jansma", organisation="GGD Test")
    doctor.schools.add(world.school_a)
    elsewhere = ExternalPartner.objects.create(board=world.board, kind=PartnerKind.LEERPLICHT,
                                               name="Andere Ambtenaar", organisation="Elders")
    elsewhere.schools.add(world.school_c)
    body = page(as_parent(client, world.parent_user), "portal_contacts",
                world.child_a.pk).content.decode()
    assert "Mira Mentor" in body and "mailto:m.mentor@testcollege.example" in body
    assert 'href="tel:+31301234567"' in body and "030 123 4567" in body
    assert "ma–vr 8.00–16.30 uur" in body
    assert "Lotje Leerplicht" in body and "Gemeente Test" in body and "tel:+31302345678" in body
    assert "Dokter Jansma" in body and "GGD Test" in body
    assert "Andere Ambtenaar" not in body
    assert "You are never alone with your worries." in body  # the default text


def test_contacts_show_the_schools_own_text_for_worries(client, world):
    PortalSettings.objects.create(school=world.school_a, worries="Bel eerst Karin van de zorg.")
    body = page(as_parent(client, world.parent_user), "portal_contacts",
                world.child_a.pk).content.decode()
    assert "Bel eerst Karin van de zorg." in body
    assert "You are never alone with your worries." not in body


def test_mentor_without_email_is_shown_by_name(client, world):
    f.add_mentor(world.a1, world.mentor_a)
    world.mentor_a.email = ""
    world.mentor_a.save()
    response = page(as_parent(client, world.parent_user), "portal_contacts", world.child_a.pk)
    assert [(p.name, p.email) for p in response.context["contacts"].mentors] == [
        ("Mira Mentor", "")]


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_another_familys_child_is_404(client, world, name):
    page(as_parent(client, world.parent_user), name, world.classmate_a.pk, status=404)


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_an_adult_child_without_consent_is_404_until_consent(client, world, name):
    client = as_parent(client, world.adult_parent_user)
    page(client, name, world.adult.pk, status=404)
    world.adult.guardian_links.update(adult_consent_view=True)
    assert "Yusuf" in page(client, name, world.adult.pk).content.decode()


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_staff_get_404_on_portal_child_pages(client, world, name):
    for user in (world.officer_a, world.admin_a, world.teacher_a):
        client.force_login(user)
        page(client, name, world.child_a.pk, status=404)


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_anonymous_goes_to_login(client, world, name):
    response = client.get(reverse(name, args=[world.child_a.pk]))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))


def test_every_child_page_is_audited_as_a_read(client, world):
    client = as_parent(client, world.parent_user)
    for name in PORTAL_PAGES:
        page(client, name, world.child_a.pk)
    reads = AuditEvent.objects.filter(action="read", student=world.child_a,
                                      actor=world.parent_user)
    assert sorted(reads.values_list("object_type", flat=True)) == [
        "parent_contacts", "parent_protocol", "parent_standing", "parent_view"]


def test_the_old_child_address_moves_on_to_the_portal(client, world):
    client = as_parent(client, world.parent_user)
    response = client.get(reverse("child", args=[world.child_a.pk]))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("portal_child", args=[world.child_a.pk])
    assert client.get(reverse("child", args=[world.classmate_a.pk])).status_code == 404


def test_a_child_at_another_school_of_the_board_has_that_schools_contacts(client, world):
    other = f.make_student(world.school_c, world.c1, given_name="Mees", last_name="Jansen")
    f.link_guardian(other, world.parent)
    world.school_c.phone = "+31309999999"
    world.school_c.save()
    body = page(as_parent(client, world.parent_user), "portal_contacts",
                other.pk).content.decode()
    assert "Test mbo" in body and "tel:+31309999999" in body


# --- query counts ----------------------------------------------------------------------------------


def count_queries(client, name: str, pk: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client, name, pk)
    return len(queries)


@pytest.mark.parametrize("mode", [ParentsSee.DAY, ParentsSee.LESSON])
def test_child_page_queries_do_not_grow_with_absences_or_lessons(client, world, mode):
    PortalSettings.objects.create(school=world.school_a, parents_see=mode)
    client = as_parent(client, world.parent_user)
    sams_week(world, {MON: [UNEXCUSED, None, None, None]})
    page(client, "portal_child", world.child_a.pk)  # the protocol is made on first use
    few = count_queries(client, "portal_child", world.child_a.pk)
    sams_week(world, {D(2026, 11, day): [SICK, UNEXCUSED, NO_REASON, None]
                      for day in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13)} | {TUE: [SICK] * 4})
    assert count_queries(client, "portal_child", world.child_a.pk) == few


@pytest.mark.parametrize("name", ["portal_standing", "portal_protocol", "portal_contacts"])
def test_other_child_pages_queries_do_not_grow(client, world, name):
    client = as_parent(client, world.parent_user)
    page(client, name, world.child_a.pk)
    few = count_queries(client, name, world.child_a.pk)
    sams_week(world, {D(2026, 11, day): [UNEXCUSED, NO_REASON, None, None]
                      for day in (2, 3, 4, 5, 6)})
    for n in range(3):
        f.add_mentor(world.a1, f.make_staff(world.school_a, Role.MENTOR))
        partner = ExternalPartner.objects.create(board=world.board, kind=PartnerKind.LEERPLICHT,
                                                 name=f"LPA {n}", organisation="Gemeente")
        partner.schools.add(world.school_a)
    assert count_queries(client, name, world.child_a.pk) == few


def test_outside_the_school_year_the_page_says_so_calmly(client, world):
    with time_machine.travel(dt.datetime(2026, 7, 15, 10, 0), tick=False):
        response = page(as_parent(client, world.parent_user), "portal_child", world.child_a.pk)
    overview = response.context["overview"]
    assert not overview.has_school_year and overview.week == [] and overview.months == []
    body = response.content.decode()
    assert "There is no school year today, so there is nothing to show." in body
    assert "Lessons missed without a valid reason" not in body
