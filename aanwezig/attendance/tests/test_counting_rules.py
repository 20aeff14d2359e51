"""The one way to count: lateness rule, hour units, cancelled and unregistered lessons."""

from __future__ import annotations

import datetime as dt

import pytest

from aanwezig.attendance.counting import count_attendance, count_attendance_many
from aanwezig.attendance.models import Mark, Registration
from aanwezig.attendance.services import MarkInput, record_register
from aanwezig.roster.models import LessonStatus
from aanwezig.schools.models import HourUnit
from aanwezig.testing import factories as f
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def count_today(student):
    return count_attendance(student, TODAY, TODAY)


@pytest.mark.parametrize(("minutes", "present", "unexcused"), [(20, 1, 0), (21, 0, 1)])
def test_late_by_more_than_the_limit_is_an_unexcused_absent_lesson(
        world, reasons, minutes, present, unexcused):
    assert world.school_a.late_absent_after_minutes == 20
    record_register(world.lesson_a, actor=world.teacher_a,
                    entries=[MarkInput(world.child_a.pk, "late", minutes_late=minutes)])
    count = count_today(world.child_a)
    assert (count.lessons, count.late) == (1, 1)
    assert (count.present, count.absent_unexcused) == (present, unexcused)
    assert count.hours_unexcused == unexcused


def test_absence_reasons_decide_excused_unexcused_or_present(world, reasons):
    lessons = [world.lesson_a] + [
        f.make_lesson(world.a1, world.teacher_a, TODAY, period=world.grid_a[i]) for i in (0, 1, 3)
    ]
    marks = [("absent", "ziek"), ("absent", None), ("absent", "stage"), ("removed", "verwijderd")]
    for lesson, (status, code) in zip(lessons, marks, strict=True):
        record_register(lesson, actor=world.officer_a,
                        entries=[MarkInput(world.child_a.pk, status, reason_code=code)])
    count = count_today(world.child_a)
    assert (count.lessons, count.present, count.absent_excused, count.absent_unexcused,
            count.removed) == (4, 2, 1, 1, 1)
    assert count.percent_present == 50.0


def test_cancelled_and_unregistered_lessons_are_not_counted(world, reasons):
    cancelled = f.make_lesson(world.a1, world.teacher_a, TODAY, period=world.grid_a[0],
                              status=LessonStatus.CANCELLED)
    Registration.objects.create(school=world.school_a, lesson=cancelled, taken_at=f"{TODAY}T09:00Z",
                                updated_at=f"{TODAY}T09:00Z")
    Mark.objects.create(school=world.school_a, lesson=cancelled, student=world.child_a,
                        date=TODAY, status="absent", created_at=f"{TODAY}T09:00Z",
                        updated_at=f"{TODAY}T09:00Z")
    f.make_lesson(world.a1, world.teacher_a, TODAY, period=world.grid_a[1])  # no register
    record_register(world.lesson_a, actor=world.teacher_a, entries=[])
    count = count_today(world.child_a)
    assert (count.lessons, count.present, count.unregistered) == (1, 1, 1)
    assert count.absent == 0


def test_lessons_before_joining_the_group_do_not_count(world, reasons):
    newcomer = f.make_student(world.school_a, world.a1, member_from=TODAY + dt.timedelta(days=1))
    record_register(world.lesson_a, actor=world.teacher_a, entries=[])
    assert count_today(newcomer).lessons == 0
    assert count_today(newcomer).percent_present is None


@pytest.mark.parametrize(("unit", "hours"), [(HourUnit.LESUUR, 1.0), (HourUnit.KLOKUUR, 50 / 60)])
def test_hours_are_lesson_hours_or_clock_hours(world, reasons, unit, hours):
    world.school_a.hour_unit = unit
    world.school_a.save()
    record_register(world.lesson_a, actor=world.teacher_a,
                    entries=[MarkInput(world.child_a.pk, "absent")])
    record_register(world.lesson_a2, actor=world.mentor_a, entries=[])
    assert count_today(world.child_a).hours_unexcused == pytest.approx(hours)
    assert count_today(world.other_a).hours_present == pytest.approx(hours)


def test_counting_many_equals_counting_one_by_one_in_a_fixed_number_of_queries(
        world, reasons, django_assert_num_queries):
    students = [world.child_a, world.classmate_a, world.other_a]
    students += [f.make_student(world.school_a, world.a1) for _ in range(5)]
    early = f.make_lesson(world.a1, world.teacher_a, TODAY, period=world.grid_a[0])
    record_register(early, actor=world.teacher_a, entries=[
        MarkInput(students[0].pk, "absent", reason_code="ziek"),
        MarkInput(students[3].pk, "late", minutes_late=30),
    ])
    record_register(world.lesson_a, actor=world.teacher_a,
                    entries=[MarkInput(students[4].pk, "absent")])
    record_register(world.lesson_a2, actor=world.mentor_a,
                    entries=[MarkInput(world.other_a.pk, "removed")])
    ids = [s.pk for s in students]
    with django_assert_num_queries(3):
        many = count_attendance_many(world.school_a, ids, TODAY, TODAY)
    with django_assert_num_queries(3):
        count_attendance_many(world.school_a, ids[:2], TODAY, TODAY)
    for student in students:
        assert many[student.pk] == count_attendance(student, TODAY, TODAY)
    assert many[students[0].pk].absent_excused == 1
    assert many[students[3].pk].absent_unexcused == 1
