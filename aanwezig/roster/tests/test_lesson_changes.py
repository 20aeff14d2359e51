"""Single lessons: changed, cancelled, restored or added by hand, never outside school days."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.models import Lesson, LessonStatus
from aanwezig.roster.services import add_lesson, cancel_lesson, change_lesson, restore_lesson
from aanwezig.schools.models import DayOffKind, Role
from aanwezig.schools.services import add_day_off
from aanwezig.testing import factories as f
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_changing_the_teacher_marks_the_lesson_changed_and_is_audited(world):
    substitute = f.make_staff(world.school_a, Role.TEACHER, first_name="Ina", last_name="Invaller")
    lesson = change_lesson(world.lesson_a, teacher=substitute, room="B12", actor=world.admin_a)
    lesson.refresh_from_db()
    assert lesson.is_changed and lesson.teacher == substitute and lesson.room == "B12"
    event = AuditEvent.objects.get(action="change_lesson", object_id=str(lesson.pk))
    assert event.actor == world.admin_a
    assert event.changes["teacher_id"] == [world.teacher_a.pk, substitute.pk]


def test_a_lesson_outside_the_school_year_is_refused(world):
    with pytest.raises(ValidationError) as info:
        change_lesson(world.lesson_a, date=dt.date(2027, 8, 11), actor=None)
    assert "11-08-2027 lies outside school year 2026-2027" in " ".join(info.value.messages)
    world.lesson_a.refresh_from_db()
    assert world.lesson_a.date == TODAY and not world.lesson_a.is_changed


def test_a_lesson_on_a_day_without_lessons_is_refused(world):
    add_day_off(world.year_a, kind=DayOffKind.STUDY_DAY, name="Studiedag",
                start_date=dt.date(2026, 11, 19), actor=None)
    with pytest.raises(ValidationError, match="19-11-2026 is not a school day"):
        change_lesson(world.lesson_a, date=dt.date(2026, 11, 19), actor=None)
    with pytest.raises(ValidationError, match="is not a school day"):
        add_lesson(world.a1, world.teacher_a, dt.date(2026, 11, 21), subject="Extra",
                   period=world.grid_a[0], actor=None)  # a Saturday
    assert not Lesson.objects.filter(subject="Extra").exists()


def test_an_added_lesson_that_clashes_is_refused(world):
    with pytest.raises(ValidationError) as info:
        add_lesson(world.a2, world.teacher_a, TODAY, subject="Extra", period=world.grid_a[2],
                   actor=None)
    assert "Clash: Dirk Docent already teaches 1A (Nederlands) on 18-11-2026" in " ".join(
        info.value.messages)
    assert not Lesson.objects.filter(subject="Extra").exists()


def test_an_added_lesson_in_a_free_slot_is_saved_with_the_period_times(world):
    lesson = add_lesson(world.a1, world.teacher_a, TODAY, subject="Extra",
                        period=world.grid_a[0], room="101", actor=world.admin_a)
    assert (lesson.start_time, lesson.end_time) == (dt.time(8, 30), dt.time(9, 20))
    assert AuditEvent.objects.filter(action="create", object_id=str(lesson.pk),
                                     object_type="roster.Lesson").exists()


def test_cancel_and_restore(world):
    cancel_lesson(world.lesson_a, actor=world.teacher_a)
    assert Lesson.objects.get(pk=world.lesson_a.pk).status == LessonStatus.CANCELLED
    # The slot is free now, so another lesson of the teacher may take it ...
    other = add_lesson(world.a2, world.teacher_a, TODAY, subject="Extra",
                       period=world.grid_a[2], actor=None)
    # ... and then the cancelled one cannot come back.
    with pytest.raises(ValidationError, match="Clash"):
        restore_lesson(world.lesson_a, actor=world.teacher_a)
    cancel_lesson(other, actor=None)
    restore_lesson(world.lesson_a, actor=world.teacher_a)
    assert Lesson.objects.get(pk=world.lesson_a.pk).status == LessonStatus.SCHEDULED
    assert AuditEvent.objects.filter(action__in=["cancel_lesson", "restore_lesson"],
                                     object_id=str(world.lesson_a.pk)).count() == 2
