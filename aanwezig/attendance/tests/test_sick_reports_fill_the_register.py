"""Absence reports: a sick report fills and locks every affected lesson; betermelding ends it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aanwezig.attendance.models import AbsenceReport, Mark, MarkChange
from aanwezig.attendance.services import (
    MarkInput,
    create_absence_report,
    end_absence_report,
    record_register,
    withdraw_absence_report,
)
from aanwezig.attendance.tests.conftest import code
from aanwezig.testing import factories as f
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")

YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)
#: Expected back the day after tomorrow: the report fills through tomorrow.
BACK = TODAY + dt.timedelta(days=2)


@pytest.fixture
def days(world):
    """Lessons of 1A yesterday, today (periods 1 and 3, the latter is ``lesson_a``) and tomorrow."""
    grid = world.grid_a
    return {
        "yesterday": f.make_lesson(world.a1, world.teacher_a, YESTERDAY, period=grid[0]),
        "early": f.make_lesson(world.a1, world.teacher_a, TODAY, period=grid[0]),
        "today": world.lesson_a,
        "tomorrow": f.make_lesson(world.a1, world.teacher_a, TOMORROW, period=grid[0]),
    }


def test_a_sick_report_fills_every_affected_lesson_and_locks_it(world, reasons, days):
    record_register(days["early"], actor=world.teacher_a,
                    entries=[MarkInput(world.child_a.pk, "absent")])
    report = create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                                   actor=world.officer_a, expected_end=BACK)
    marks = {m.lesson_id: m for m in Mark.objects.filter(student=world.child_a)}
    assert set(marks) == {days["early"].pk, days["today"].pk, days["tomorrow"].pk}
    for mark in marks.values():
        assert (mark.status, code(mark), mark.report, mark.source) == (
            "absent", "ziek", report, "report")
    assert not Mark.objects.filter(student=world.classmate_a).exists()
    overridden = MarkChange.objects.get(lesson=days["early"], after__report=report.pk)
    assert overridden.before == {"status": "absent", "reason": None, "minutes_late": None,
                                 "source": "register"}


def test_the_expected_day_back_is_not_filled(world, reasons, days):
    """Back tomorrow: tomorrow's teacher registers the student as they find them."""
    create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                          actor=world.officer_a, expected_end=TOMORROW)
    filled = set(Mark.objects.values_list("lesson_id", flat=True))
    assert filled == {days["early"].pk, days["today"].pk}
    record_register(days["tomorrow"], actor=world.teacher_a, entries=[])
    assert not Mark.objects.filter(lesson=days["tomorrow"]).exists()


def test_an_open_report_without_expected_end_fills_through_today(world, reasons, days):
    create_absence_report(world.child_a, reason_code="ziek", start_date=YESTERDAY,
                          actor=world.officer_a)
    filled = set(Mark.objects.values_list("lesson_id", flat=True))
    assert filled == {days["yesterday"].pk, days["early"].pk, days["today"].pk}


def test_a_report_for_part_of_a_day_covers_only_those_lessons(world, reasons, days):
    create_absence_report(world.child_a, reason_code="medisch", start_date=TODAY,
                          start_time=dt.time(10, 0), end_date=TODAY, end_time=dt.time(12, 0),
                          actor=world.officer_a)
    assert list(Mark.objects.values_list("lesson_id", flat=True)) == [days["today"].pk]


def test_betermelding_removes_the_marks_after_the_end(world, reasons, days):
    report = create_absence_report(world.child_a, reason_code="ziek", start_date=YESTERDAY,
                                   expected_end=BACK, actor=world.officer_a)
    assert Mark.objects.count() == 4
    end_absence_report(report, end_date=TODAY, end_time=dt.time(10, 0), actor=world.officer_a)
    report.refresh_from_db()
    assert (report.end_date, report.ended_by) == (TODAY, world.officer_a)
    assert set(Mark.objects.values_list("lesson_id", flat=True)) == {
        days["yesterday"].pk, days["early"].pk}
    assert MarkChange.objects.filter(lesson=days["tomorrow"], after__isnull=True).exists()


def test_withdrawing_brings_back_what_the_teacher_registered(world, reasons, days):
    record_register(days["early"], actor=world.teacher_a,
                    entries=[MarkInput(world.child_a.pk, "absent")])
    report = create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                                   actor=world.officer_a)
    withdraw_absence_report(report, actor=world.officer_a)
    marks = list(Mark.objects.all())
    assert len(marks) == 1
    assert (marks[0].lesson, marks[0].status, marks[0].report, marks[0].source) == (
        days["early"], "absent", None, "register")


def test_overlapping_reports_and_bad_dates_are_refused(world, reasons, days):
    create_absence_report(world.child_a, reason_code="ziek", start_date=YESTERDAY,
                          actor=world.officer_a)
    with pytest.raises(ValidationError, match="overlaps the report"):
        create_absence_report(world.child_a, reason_code="medisch", start_date=TOMORROW,
                              end_date=TOMORROW, actor=world.officer_a)
    with pytest.raises(ValidationError, match="cannot come before the first day"):
        create_absence_report(world.classmate_a, reason_code="ziek", start_date=TODAY,
                              end_date=YESTERDAY, actor=world.officer_a)
    with pytest.raises(ValidationError, match="not inside a school year"):
        create_absence_report(world.classmate_a, reason_code="ziek",
                              start_date=dt.date(2030, 1, 7), actor=world.officer_a)
    assert AbsenceReport.objects.count() == 1


def test_a_reason_the_source_may_not_set_is_refused(world, reasons, days):
    with pytest.raises(ValidationError, match="cannot be reported by parent or carer"):
        create_absence_report(world.child_a, reason_code="schorsing", start_date=TODAY,
                              source="guardian", actor=world.officer_a)
    assert not Mark.objects.exists()


def test_a_sick_report_has_no_field_for_a_diagnosis():
    fields = {field.name for field in AbsenceReport._meta.get_fields()}
    assert fields == {
        "id", "marks", "school", "student", "reason", "start_date", "start_time", "end_date",
        "end_time", "expected_end", "source", "guardian", "created_by", "created_at",
        "ended_by", "ended_at", "withdrawn",
    }
