"""Reads for the pages: a student's figures and calendar, and registers not yet taken."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aanwezig.attendance.queries import (
    missing_registers,
    missing_registers_by_day,
    my_missing_registers,
    student_attendance,
)
from aanwezig.attendance.services import MarkInput, record_register
from aanwezig.schools.calendar import default_terms
from aanwezig.schools.models import Term
from aanwezig.testing import factories as f
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_missing_registers_are_lessons_started_without_a_register(world, reasons):
    early = f.make_lesson(world.a1, world.teacher_a, TODAY, period=world.grid_a[0])
    ten = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(10, 0)))
    assert missing_registers(world.school_a, TODAY, now=ten) == [(world.teacher_a, [early])]
    assert my_missing_registers(world.teacher_a, world.school_a, TODAY, now=ten) == [early]
    noon = ten + dt.timedelta(hours=2)
    grouped = dict(missing_registers(world.school_a, TODAY, now=noon))
    assert grouped == {world.teacher_a: [early, world.lesson_a], world.mentor_a: [world.lesson_a2]}
    record_register(early, actor=world.teacher_a, entries=[])
    assert missing_registers(world.school_a, TODAY, now=ten) == []
    monday, tuesday = TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)
    f.make_lesson(world.a1, world.teacher_a, monday, period=world.grid_a[0])
    saturday = monday - dt.timedelta(days=2)
    assert missing_registers_by_day(world.school_a, saturday, tuesday) == [
        (monday, 1), (tuesday, 0)]


def test_student_attendance_shows_figures_calendar_and_reasons(world, reasons):
    yesterday = f.make_lesson(world.a1, world.teacher_a, TODAY - dt.timedelta(days=1),
                              period=world.grid_a[0])
    record_register(yesterday, actor=world.officer_a,
                    entries=[MarkInput(world.child_a.pk, "absent", reason_code="ziek")])
    record_register(world.lesson_a, actor=world.teacher_a,
                    entries=[MarkInput(world.child_a.pk, "absent")])
    Term.objects.bulk_create(default_terms(world.year_a, []))
    view = student_attendance(world.child_a, TODAY)
    assert (view.year.lessons, view.year.absent_excused, view.year.absent_unexcused) == (2, 1, 1)
    assert view.week == view.year and view.term == view.year
    assert view.calendar[TODAY] == "absent_unexcused"
    assert view.calendar[TODAY - dt.timedelta(days=1)] == "absent_excused"
    assert view.calendar[TODAY - dt.timedelta(days=7)] == "none"
    assert view.calendar[TODAY + dt.timedelta(days=1)] == "future"
    assert view.by_reason == {"Ziek": 1, "no reason given": 1}
    assert view.unexcused_hours_4_weeks == 1.0
    assert [h.lesson for h in view.history] == [world.lesson_a, yesterday]
