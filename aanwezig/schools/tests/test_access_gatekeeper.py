"""The gatekeeper answers who sees which students, groups and lessons."""

import datetime as dt

import pytest
import time_machine
from django.http import Http404

from aanwezig import access
from aanwezig.audit.models import AuditEvent
from conftest import TODAY


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False):
        yield


def names(qs):
    return {s.given_name for s in qs}


def test_teacher_sees_students_of_the_groups_they_teach_only(world):
    assert names(access.students_for_user(world.teacher_a, world.school_a)) == {"Sam", "Noor"}


def test_mentor_sees_mentees_and_taught_groups(world):
    assert names(access.students_for_user(world.mentor_a, world.school_a)) == {"Daan"}


def test_attendance_officer_sees_the_whole_school(world):
    assert names(access.students_for_user(world.officer_a, world.school_a)) == {"Sam", "Noor", "Daan"}


def test_teacher_of_school_b_sees_nothing_of_school_a(world):
    assert not access.students_for_user(world.teacher_b, world.school_a).exists()
    with pytest.raises(Http404):
        access.get_school_for_user(world.teacher_b, world.school_a.pk)
    with pytest.raises(Http404):
        access.get_student_for_user(world.teacher_a, world.school_a, world.student_b.pk)


def test_missing_and_not_yours_raise_the_same_404(world):
    with pytest.raises(Http404) as missing:
        access.get_student_for_user(world.teacher_a, world.school_a, 999_999)
    with pytest.raises(Http404) as not_yours:
        access.get_student_for_user(world.teacher_a, world.school_a, world.other_a.pk)
    assert str(missing.value) == str(not_yours.value)


def test_reading_a_student_file_is_audited(world):
    access.get_student_for_user(world.teacher_a, world.school_a, world.child_a.pk)
    event = AuditEvent.objects.get(action="read", student=world.child_a)
    assert event.actor == world.teacher_a
    assert event.school == world.school_a


def test_parent_sees_own_child_only(world):
    children = access.children_for_user(world.parent_user)
    assert [link.student for link in children] == [world.child_a]
    with pytest.raises(Http404):
        access.get_child_for_user(world.parent_user, world.classmate_a.pk)


def test_parent_of_adult_student_sees_nothing_without_consent(world):
    assert access.children_for_user(world.adult_parent_user) == []
    link = world.adult.guardian_links.get()
    link.adult_consent_view = True
    link.save()
    assert [x.student for x in access.children_for_user(world.adult_parent_user)] == [world.adult]


def test_parent_consent_rule_changes_on_the_eighteenth_birthday(world):
    link = world.child_a.guardian_links.get()
    world.child_a.birth_date = dt.date(2008, 11, 19)  # turns 18 the day after TODAY
    world.child_a.save()
    assert link.may_view_on(TODAY)
    link.student.refresh_from_db()
    assert not link.may_view_on(TODAY + dt.timedelta(days=1))


def test_lessons_visible_per_role(world):
    assert set(access.lessons_for_user(world.teacher_a, world.school_a)) == {world.lesson_a}
    assert set(access.lessons_for_user(world.officer_a, world.school_a)) == {
        world.lesson_a, world.lesson_a2}
    with pytest.raises(Http404):
        access.get_lesson_for_user(world.teacher_b, world.school_a, world.lesson_a.pk)
