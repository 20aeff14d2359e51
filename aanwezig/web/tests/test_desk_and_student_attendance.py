"""The attendance desk's day, the missing-registers overview, sick reports by the office and
the student's attendance page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aanwezig.attendance import services
from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.models import AbsenceReport, CallLog, Mark
from aanwezig.testing import factories as f
from conftest import TODAY


@pytest.fixture
def reasons(world):
    return create_default_absence_reasons(world.school_a)


def absent(world, *students, lesson=None):
    services.record_register(lesson or world.lesson_a, actor=world.teacher_a, entries=[
        services.MarkInput(s.pk, status="absent") for s in students])


def desk_url(world, **query):
    url = reverse("desk", args=[world.school_a.pk])
    return url + (f"?dag={query['dag']}" if "dag" in query else "")


def call_url(world, student):
    return reverse("desk_call", args=[world.school_a.pk, student.pk])


# --- the desk --------------------------------------------------------------------------------


def test_the_desk_lists_an_unexplained_absentee_with_a_tappable_phone(as_user, world, reasons):
    absent(world, world.child_a)
    response = as_user(world.officer_a).get(desk_url(world))
    assert response.status_code == 200
    desk = response.context["desk"]
    assert [u.student for u in desk.unexplained] == [world.child_a]
    body = response.content.decode()
    assert 'href="tel:+31612345678"' in body
    assert "Petra Jansen" in body


def test_a_reached_call_with_sick_moves_the_student_to_sick(as_user, world, reasons):
    absent(world, world.child_a)
    client = as_user(world.officer_a)
    response = client.post(call_url(world, world.child_a), {
        "day": TODAY.isoformat(), "outcome": "reached", "reason_code": "ziek",
        "guardian": world.parent.pk,
    }, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="desk"')
    desk = response.context["desk"]
    assert desk.unexplained == []
    assert [student for student, _report in desk.sick] == [world.child_a]
    call = CallLog.objects.get()
    assert (call.outcome, getattr(call.reason, "code", None), call.guardian) == ("reached", "ziek", world.parent)
    mark = Mark.objects.get(lesson=world.lesson_a, student=world.child_a)
    assert mark.report is not None and getattr(mark.reason, "code", None) == "ziek"


def test_a_call_without_javascript_redirects_back_to_the_desk(as_user, world, reasons):
    absent(world, world.child_a)
    response = as_user(world.officer_a).post(call_url(world, world.child_a), {
        "day": TODAY.isoformat(), "outcome": "not_reached", "guardian": world.parent.pk,
    })
    assert response.status_code == 302
    assert response.headers["Location"] == desk_url(world, dag=TODAY.isoformat())
    page = as_user(world.officer_a).get(desk_url(world))
    assert [u.student for u in page.context["desk"].unexplained] == [world.child_a]
    assert len(page.context["desk"].unexplained[0].calls) == 1


def test_an_adult_without_consent_shows_no_parent(as_user, world):
    reasons = create_default_absence_reasons(world.school_c)
    assert reasons
    officer_c = f.make_staff(world.school_c, "attendance_officer")
    services.record_register(world.lesson_c, actor=officer_c, entries=[
        services.MarkInput(world.adult.pk, status="absent")])
    response = as_user(officer_c).get(reverse("desk", args=[world.school_c.pk]))
    body = response.content.decode()
    assert "Ayse" not in body
    assert "18+: neem contact op met de student zelf" in body
    # The desk can record a reason the adult student gives themself.
    assert "Yusuf Demir (de student zelf)" in body
    assert 'name="reason_code"' in body


def test_the_desk_is_only_for_school_wide_roles(as_user, world, reasons):
    assert as_user(world.teacher_a).get(desk_url(world)).status_code == 404
    assert as_user(world.mentor_a).get(desk_url(world)).status_code == 404
    assert as_user(world.admin_a).get(desk_url(world)).status_code == 200


def test_the_desk_queries_do_not_grow_with_the_number_of_absentees(as_user, world, reasons):
    client = as_user(world.officer_a)
    absent(world, world.child_a)
    with CaptureQueriesContext(connection) as small:
        assert client.get(desk_url(world)).status_code == 200
    extra = [f.make_student(world.school_a, world.a1, given_name=f"Extra{i}") for i in range(12)]
    for student in extra:
        f.link_guardian(student, f.make_guardian(world.board))
    absent(world, world.child_a, *extra[:8])
    for student in extra[8:]:
        services.create_absence_report(student, reason_code="ziek", start_date=TODAY,
                                       actor=world.officer_a)
    with CaptureQueriesContext(connection) as large:
        assert client.get(desk_url(world)).status_code == 200
    assert len(large) <= len(small)


def test_missing_registers_lists_todays_lessons_per_teacher(as_user, world, reasons):
    response = as_user(world.officer_a).get(reverse("missing_registers", args=[world.school_a.pk]))
    assert response.status_code == 200
    teachers = [teacher for teacher, _lessons in response.context["missing"]]
    assert world.teacher_a in teachers
    assert len(response.context["by_day"]) >= 5


# --- sick reports by the office --------------------------------------------------------------


def test_the_office_reports_sick_and_better_without_a_diagnosis_field(as_user, world, reasons):
    client = as_user(world.officer_a)
    page = client.get(reverse("student", args=[world.school_a.pk, world.child_a.pk]))
    body = page.content.decode()
    assert "Noteer geen ziekte of klachten; alleen dát iemand ziek is." in body
    form_fields = set(page.context["sick_form"].fields)
    assert form_fields == {"start_date", "start_time", "expected_end"}

    response = client.post(reverse("sick_report", args=[world.school_a.pk, world.child_a.pk]),
                           {"start_date": TODAY.isoformat(), "expected_end": ""})
    assert response.status_code == 302
    report = AbsenceReport.objects.get()
    assert report.is_open and report.reason.code == "ziek"
    assert Mark.objects.get(lesson=world.lesson_a).report == report

    client.post(reverse("report_better", args=[world.school_a.pk, world.child_a.pk, report.pk]),
                {"end_date": TODAY.isoformat()})
    report.refresh_from_db()
    assert report.end_date == TODAY


def test_a_teacher_sees_no_sick_report_form(as_user, world, reasons):
    page = as_user(world.teacher_a).get(reverse("student", args=[world.school_a.pk,
                                                                 world.child_a.pk]))
    assert "sick_form" not in page.context
    assert as_user(world.teacher_a).post(
        reverse("sick_report", args=[world.school_a.pk, world.child_a.pk]),
        {"start_date": TODAY.isoformat()}).status_code == 404


# --- the student's attendance ----------------------------------------------------------------


def test_the_student_page_leads_with_presence_and_shows_the_year(as_user, world, reasons):
    absent(world, world.child_a)
    yesterday = f.make_lesson(world.a1, world.teacher_a, TODAY - dt.timedelta(days=1),
                              period=world.grid_a[1])
    services.record_register(yesterday, actor=world.teacher_a, entries=[])
    response = as_user(world.officer_a).get(reverse("student", args=[world.school_a.pk,
                                                                     world.child_a.pk]))
    assert response.status_code == 200
    attendance = response.context["attendance"]
    assert attendance.week.lessons == 2 and attendance.week.present == 1
    body = response.content.decode()
    assert "50%" in body
    assert body.index("50%") < body.index("Ouders en verzorgers")
    months = response.context["months"]
    assert months[0].first == dt.date(2026, 8, 1) and len(months) == 12
    assert 'class="year-calendar"' in body
    assert "afwezig zonder geldige reden" in body  # the legend says it in words


def test_the_student_page_queries_do_not_grow_with_history(as_user, world, reasons):
    client = as_user(world.officer_a)
    url = reverse("student", args=[world.school_a.pk, world.child_a.pk])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for days_back in range(1, 15):
        day = TODAY - dt.timedelta(days=days_back)
        if day.weekday() >= 5:
            continue
        lesson = f.make_lesson(world.a1, world.teacher_a, day, period=world.grid_a[0])
        services.record_register(lesson, actor=world.teacher_a, entries=[
            services.MarkInput(world.child_a.pk, status="absent" if days_back % 2 else "late",
                               minutes_late=None if days_back % 2 else 5)])
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) <= len(small)
