"""Saving a lesson register: present by default, exceptions as marks, history kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aanwezig.attendance.models import Mark, MarkChange, Registration
from aanwezig.attendance.queries import lesson_history, register_rows
from aanwezig.attendance.services import (
    MarkInput,
    create_absence_report,
    record_register,
)
from aanwezig.attendance.tests.conftest import code
from aanwezig.roster.models import LessonStatus
from aanwezig.testing import factories as f
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_students_left_out_are_present_and_the_register_is_taken(world, reasons):
    result = record_register(world.lesson_a, actor=world.teacher_a, entries=[])
    assert Mark.objects.count() == 0
    registration = Registration.objects.get(lesson=world.lesson_a)
    assert registration.taken_by == world.teacher_a
    assert result.registration == registration
    assert (result.created, result.unchanged) == (0, 2)


def test_absent_late_and_removed_become_marks(world, reasons):
    third = f.make_student(world.school_a, world.a1, last_name="Zwart")
    result = record_register(world.lesson_a, actor=world.teacher_a, entries=[
        MarkInput(world.child_a.pk, "absent"),
        MarkInput(world.classmate_a.pk, "late", arrived_at=dt.time(10, 42)),
        MarkInput(third.pk, "removed", reason_code="verwijderd"),
    ])
    marks = {m.student_id: m for m in Mark.objects.all()}
    assert result.created == 3
    assert marks[world.child_a.pk].status == "absent"
    assert marks[world.child_a.pk].date == TODAY
    assert marks[world.child_a.pk].source == "register"
    assert marks[world.classmate_a.pk].minutes_late == 12
    assert marks[third.pk].reason == reasons["verwijderd"]


def test_saving_again_without_a_student_makes_them_present(world, reasons):
    record_register(world.lesson_a, actor=world.teacher_a,
                    entries=[MarkInput(world.child_a.pk, "absent")])
    first_taken = Registration.objects.get().taken_at
    result = record_register(world.lesson_a, actor=world.teacher_a, entries=[])
    assert result.removed == 1
    assert not Mark.objects.exists()
    registration = Registration.objects.get()
    assert registration.taken_at == first_taken
    assert registration.updated_at >= first_taken


def test_the_desk_saves_with_office_as_source(world, reasons):
    record_register(world.lesson_a, actor=world.officer_a,
                    entries=[MarkInput(world.child_a.pk, "absent", reason_code="schorsing")])
    mark = Mark.objects.get()
    assert (mark.source, code(mark)) == ("office", "schorsing")


def test_a_teacher_may_not_give_an_office_reason(world, reasons):
    with pytest.raises(ValidationError) as error:
        record_register(world.lesson_a, actor=world.teacher_a,
                        entries=[MarkInput(world.child_a.pk, "absent", reason_code="schorsing")])
    assert "You may not give the reason “Schorsing”" in " ".join(error.value.messages)
    assert not Mark.objects.exists()
    assert not Registration.objects.exists()


def test_one_bad_line_saves_nothing(world, reasons):
    with pytest.raises(ValidationError) as error:
        record_register(world.lesson_a, actor=world.teacher_a, entries=[
            MarkInput(world.child_a.pk, "absent"),
            MarkInput(world.classmate_a.pk, "asleep"),
        ])
    assert "Unknown status “asleep”" in " ".join(error.value.messages)
    assert not Mark.objects.exists()


def test_students_not_in_the_lesson_are_refused(world, reasons):
    with pytest.raises(ValidationError) as error:
        record_register(world.lesson_a, actor=world.teacher_a,
                        entries=[MarkInput(world.other_a.pk, "absent")])
    assert "Daan Visser is not in 1A on 18-11-2026." in error.value.messages
    assert not Mark.objects.exists()


def test_a_cancelled_lesson_has_no_register(world, reasons):
    world.lesson_a.status = LessonStatus.CANCELLED
    world.lesson_a.save()
    with pytest.raises(ValidationError):
        record_register(world.lesson_a, actor=world.teacher_a, entries=[])


def test_only_the_teacher_a_mentor_or_school_wide_staff_may_save(world, reasons):
    with pytest.raises(PermissionDenied):
        record_register(world.lesson_a, actor=world.mentor_a, entries=[])  # not 1A's mentor
    with pytest.raises(PermissionDenied):
        record_register(world.lesson_a, actor=world.teacher_b, entries=[])
    record_register(world.lesson_a2, actor=world.mentor_a, entries=[])
    f.add_mentor(world.a1, world.mentor_a)
    record_register(world.lesson_a, actor=world.mentor_a, entries=[])
    assert Registration.objects.count() == 2


def test_locked_marks_are_untouched_by_the_teacher(world, reasons):
    report = create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                                   actor=world.officer_a)
    result = record_register(world.lesson_a, actor=world.teacher_a, entries=[
        MarkInput(world.child_a.pk, "late", minutes_late=5),
    ])
    mark = Mark.objects.get(student=world.child_a)
    assert (mark.status, code(mark), mark.report) == ("absent", "ziek", report)
    assert result.unchanged == 2
    record_register(world.lesson_a, actor=world.teacher_a, entries=[])  # "present" too
    assert Mark.objects.get(student=world.child_a).report == report


def test_a_report_fills_a_lesson_registered_later(world, reasons):
    later = f.make_lesson(world.a1, world.teacher_a, TODAY + dt.timedelta(days=1),
                          period=world.grid_a[0])
    report = create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                                   actor=world.officer_a)
    rows = {row.student: row for row in register_rows(later)}
    assert rows[world.child_a].locked and rows[world.child_a].lock_reason == "Ziek"
    record_register(later, actor=world.teacher_a, entries=[])
    mark = Mark.objects.get(lesson=later)
    assert (mark.student, mark.report, mark.source) == (world.child_a, report, "report")


def test_corrections_keep_history_with_who_when_and_before(world, reasons):
    record_register(world.lesson_a, actor=world.teacher_a,
                    entries=[MarkInput(world.child_a.pk, "absent")])
    record_register(world.lesson_a, actor=world.officer_a,
                    entries=[MarkInput(world.child_a.pk, "late", minutes_late=10)])
    record_register(world.lesson_a, actor=world.teacher_a, entries=[])
    history = lesson_history(world.lesson_a)
    assert [h.changed_by for h in history] == [world.teacher_a, world.officer_a, world.teacher_a]
    newest, middle, oldest = history
    absent = {"status": "absent", "reason": None, "minutes_late": None, "source": "register"}
    assert (oldest.before, oldest.after) == (None, absent)
    assert middle.before == absent
    assert middle.after == {"status": "late", "reason": None, "minutes_late": 10,
                            "source": "office"}
    assert (newest.before, newest.after) == (middle.after, None)
    assert all(h.changed_at for h in history)
    rows = {row.student: row for row in register_rows(world.lesson_a)}
    assert rows[world.child_a].history_count == 3
    assert rows[world.classmate_a].history_count == 0


def test_an_unchanged_save_writes_no_history(world, reasons):
    entries = [MarkInput(world.child_a.pk, "absent")]
    record_register(world.lesson_a, actor=world.teacher_a, entries=entries)
    result = record_register(world.lesson_a, actor=world.teacher_a, entries=entries)
    assert result.changed == 0
    assert MarkChange.objects.count() == 1


def test_a_register_of_30_students_takes_a_handful_of_queries(
        world, reasons, django_assert_max_num_queries):
    students = [f.make_student(world.school_a, world.a1) for _ in range(28)]
    lesson = world.lesson_a
    entries = [MarkInput(s.pk, "absent") for s in students[:10]]
    entries += [MarkInput(s.pk, "late", minutes_late=5) for s in students[10:20]]
    with django_assert_max_num_queries(16):
        record_register(lesson, actor=world.teacher_a, entries=entries)
    entries = [MarkInput(s.pk, "late", minutes_late=3) for s in students[:10]]
    with django_assert_max_num_queries(16):
        result = record_register(lesson, actor=world.teacher_a, entries=entries)
    assert (result.updated, result.removed) == (10, 10)
    with django_assert_max_num_queries(6):
        rows = register_rows(lesson)
    assert len(rows) == 30
