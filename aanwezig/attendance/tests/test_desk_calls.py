"""The attendance desk: unexplained absence, phone calls, and what a call changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aanwezig.attendance.models import AbsenceReport, CallLog, Mark
from aanwezig.attendance.queries import desk_day
from aanwezig.attendance.services import MarkInput, create_absence_report, log_call, record_register
from aanwezig.attendance.tests.conftest import code
from aanwezig.testing import factories as f
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_a_call_with_a_reason_turns_the_days_marks_into_ziek_from_the_guardian(world, reasons):
    record_register(world.lesson_a, actor=world.teacher_a,
                    entries=[MarkInput(world.child_a.pk, "absent")])
    call = log_call(world.child_a, day=TODAY, outcome="reached", guardian=world.parent,
                    reason_code="ziek", actor=world.officer_a)
    assert (call.phone, code(call), call.called_by) == (
        "+31612345678", "ziek", world.officer_a)
    report = AbsenceReport.objects.get(student=world.child_a)
    assert (report.source, report.guardian, report.created_by, report.end_date) == (
        "guardian", world.parent, world.officer_a, None)
    mark = Mark.objects.get(student=world.child_a)
    assert (code(mark), mark.report, mark.reported_by) == ("ziek", report, world.parent)


def test_a_call_with_another_reason_covers_that_day_only(world, reasons):
    log_call(world.child_a, day=TODAY, outcome="reached", guardian=world.parent,
             reason_code="medisch", actor=world.officer_a)
    report = AbsenceReport.objects.get()
    assert (report.start_date, report.end_date) == (TODAY, TODAY)


def test_a_call_without_contact_only_logs(world, reasons):
    log_call(world.child_a, day=TODAY, outcome="voicemail", guardian=world.parent,
             actor=world.officer_a)
    assert CallLog.objects.count() == 1
    assert not AbsenceReport.objects.exists()
    with pytest.raises(ValidationError, match="only be recorded when the call reached"):
        log_call(world.child_a, day=TODAY, outcome="not_reached", guardian=world.parent,
                 reason_code="ziek", actor=world.officer_a)


def test_an_adult_students_guardian_without_consent_is_refused(world, reasons):
    officer_c = f.make_staff(world.school_c, "attendance_officer")
    with pytest.raises(ValidationError, match="has not agreed that the school contacts"):
        log_call(world.adult, day=TODAY, outcome="reached", guardian=world.adult_parent,
                 reason_code="ziek", actor=officer_c)
    assert not CallLog.objects.exists()
    assert not AbsenceReport.objects.exists()


def test_a_guardian_of_another_student_is_refused(world, reasons):
    with pytest.raises(ValidationError, match="is not a parent or carer of Noor Bakker"):
        log_call(world.classmate_a, day=TODAY, outcome="reached", guardian=world.parent,
                 actor=world.officer_a)


def test_the_desk_day_lists_only_the_unexplained(world, reasons):
    third = f.make_student(world.school_a, world.a1, given_name="Finn", last_name="Kok")
    record_register(world.lesson_a, actor=world.officer_a, entries=[
        MarkInput(world.child_a.pk, "absent"),
        MarkInput(world.classmate_a.pk, "absent", reason_code="medisch"),
        MarkInput(third.pk, "late", minutes_late=5),
    ])
    record_register(world.lesson_a2, actor=world.officer_a,
                    entries=[MarkInput(world.other_a.pk, "absent", reason_code="onbekend")])
    create_absence_report(world.other_a, reason_code="verlof", start_date=TODAY,
                          end_date=TODAY, actor=world.officer_a)
    day = desk_day(world.school_a, TODAY)
    assert [u.student for u in day.unexplained] == [world.child_a]
    row = day.unexplained[0]
    assert row.first_missed == dt.time(10, 30)
    assert row.lessons == [world.lesson_a]
    assert [g.guardian for g in row.guardians] == [world.parent]
    assert row.guardians[0].phone == "+31612345678"
    assert row.is_adult is False
    assert [student for student, _ in day.late] == [third]
    assert [student for student, _ in day.on_leave] == [world.other_a]
    assert day.sick == []


def test_the_desk_day_offers_an_adults_guardians_only_with_consent(world, reasons):
    teacher_c = world.lesson_c.teacher
    record_register(world.lesson_c, actor=teacher_c,
                    entries=[MarkInput(world.adult.pk, "absent")])
    row = desk_day(world.school_c, TODAY).unexplained[0]
    assert (row.student, row.is_adult, row.guardians) == (world.adult, True, [])
    link = world.adult.guardian_links.get()
    link.adult_consent_contact = True
    link.save()
    row = desk_day(world.school_c, TODAY).unexplained[0]
    assert [g.guardian for g in row.guardians] == [world.adult_parent]


def test_the_desk_day_query_count_does_not_grow_with_students(
        world, reasons, django_assert_max_num_queries):
    students = [f.make_student(world.school_a, world.a1) for _ in range(15)]
    for student in students:
        f.link_guardian(student, f.make_guardian(world.board))
    record_register(world.lesson_a, actor=world.officer_a,
                    entries=[MarkInput(s.pk, "absent") for s in students])
    with django_assert_max_num_queries(5):
        day = desk_day(world.school_a, TODAY)
    assert len(day.unexplained) == 15
    assert all(len(u.guardians) == 1 for u in day.unexplained)


def test_an_adult_student_reached_themself_is_the_source_of_the_reason(world):
    from aanwezig.attendance.defaults import create_default_absence_reasons

    create_default_absence_reasons(world.school_c)
    officer_c = f.make_staff(world.school_c, "attendance_officer")
    log_call(world.adult, day=TODAY, outcome="reached", reason_code="ziek", actor=officer_c)
    report = AbsenceReport.objects.get(student=world.adult)
    assert (report.source, report.guardian) == ("student", None)


def test_a_minors_reason_needs_the_guardian_who_gave_it(world, reasons):
    with pytest.raises(ValidationError, match="Choose who gave the reason"):
        log_call(world.child_a, day=TODAY, outcome="reached", reason_code="ziek",
                 actor=world.officer_a)
    assert not CallLog.objects.exists()
