"""Services refuse changes by staff without the right, above all to another school's data."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.services import (
    cancel_lesson,
    change_lesson,
    create_guardian,
    create_student,
    create_timetable_entry,
    update_student,
)

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_teacher_of_school_b_cannot_change_school_a(world):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        update_student(world.child_a, given_name="X", actor=world.teacher_b)
    with pytest.raises(PermissionDenied):
        cancel_lesson(world.lesson_a, actor=world.teacher_b)
    with pytest.raises(PermissionDenied):
        create_student(world.school_a, first_names="X", given_name="X", last_name="Y",
                       birth_date=dt.date(2012, 1, 1), enrolment_start=dt.date(2026, 8, 1),
                       school_key="X1", actor=world.teacher_b)
    with pytest.raises(PermissionDenied):
        create_guardian(world.board, last_name="Y", actor=world.teacher_b)
    world.child_a.refresh_from_db()
    assert world.child_a.given_name == "Sam"
    assert AuditEvent.objects.count() == before


def test_teacher_cannot_change_a_colleagues_lesson_or_the_timetable(world):
    with pytest.raises(PermissionDenied):
        change_lesson(world.lesson_a2, room="B1", actor=world.teacher_a)
    with pytest.raises(PermissionDenied):
        create_timetable_entry(world.a1, world.grid_a[3], world.teacher_a, subject="Engels",
                               actor=world.teacher_a)


def test_teacher_may_change_their_own_lesson(world):
    change_lesson(world.lesson_a, room="B1", actor=world.teacher_a)
    world.lesson_a.refresh_from_db()
    assert world.lesson_a.room == "B1"
