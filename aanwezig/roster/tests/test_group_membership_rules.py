"""Group memberships lie inside the school year and never overlap for one group."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aanwezig.roster.models import Membership
from aanwezig.roster.services import add_membership, add_mentor, end_membership
from aanwezig.testing import factories as f

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_membership_outside_the_school_year_is_refused(world):
    with pytest.raises(ValidationError, match="inside school year 2026-2027"):
        add_membership(world.other_a, world.a1, start_date=dt.date(2026, 7, 1), actor=None)
    assert not Membership.objects.filter(student=world.other_a, group=world.a1).exists()


def test_overlapping_membership_of_the_same_group_is_refused(world):
    student = f.make_student(world.school_a)
    first = add_membership(student, world.a1, start_date=dt.date(2026, 9, 1), actor=None)
    with pytest.raises(ValidationError, match="is already in 1A from 01-09-2026"):
        add_membership(student, world.a1, start_date=dt.date(2026, 10, 1), actor=None)
    end_membership(first, end_date=dt.date(2026, 9, 30), actor=world.officer_a)
    second = add_membership(student, world.a1, start_date=dt.date(2026, 10, 1), actor=None)
    assert second.pk


def test_a_student_of_another_school_cannot_join(world):
    with pytest.raises(ValidationError, match="is not a student of this school"):
        add_membership(world.student_b, world.a1, start_date=dt.date(2026, 9, 1), actor=None)


def test_a_mentor_must_work_at_the_school(world):
    with pytest.raises(ValidationError, match="does not work at"):
        add_mentor(world.a1, world.teacher_b, actor=None)
    add_mentor(world.a1, world.teacher_a, actor=world.admin_a)
    with pytest.raises(ValidationError, match="already mentors 1A"):
        add_mentor(world.a1, world.teacher_a, actor=None)
