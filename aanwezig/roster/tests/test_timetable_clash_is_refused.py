"""A timetable entry that puts a teacher, a group or a room in two places at once is refused."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.models import TimetableEntry
from aanwezig.roster.services import create_timetable_entry, update_timetable_entry
from aanwezig.schools.models import Role
from aanwezig.testing import factories as f

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def refused(**kwargs):
    count = TimetableEntry.objects.count()
    with pytest.raises(ValidationError) as info:
        create_timetable_entry(actor=None, **kwargs)
    assert TimetableEntry.objects.count() == count, "nothing is saved"
    return " ".join(info.value.messages)


def test_same_teacher_at_the_same_time_is_refused(world):
    # teacher_a teaches 1A on Monday period 1; give them 2B at that time too.
    message = refused(group=world.a2, period=world.grid_a[0], teacher=world.teacher_a,
                      subject="Wiskunde", room="205")
    assert "Timetable clash" in message
    assert "Dirk Docent already teaches 1A (Nederlands)" in message
    assert "Monday from 08:30 to 09:20" in message


def test_same_group_at_the_same_time_is_refused(world):
    other = f.make_staff(world.school_a, Role.TEACHER)
    message = refused(group=world.a1, period=world.grid_a[0], teacher=other, subject="Engels",
                      room="205")
    assert "group 1A already has Nederlands with Dirk Docent on Monday" in message


def test_same_room_at_the_same_time_is_refused(world):
    other = f.make_staff(world.school_a, Role.TEACHER)
    message = refused(group=world.a2, period=world.grid_a[0], teacher=other, subject="Engels",
                      room="101")
    assert "room 101 is already used by 1A (Nederlands) on Monday" in message


def test_overlapping_times_of_different_periods_clash(world):
    f.make_period_grid(world.school_a, [(9, dt.time(9, 0), dt.time(9, 45))])
    odd = world.school_a.periods.get(weekday=0, number=9)
    message = refused(group=world.a1, period=odd, teacher=world.mentor_a, subject="Engels",
                      room="301")
    assert "group 1A already has Nederlands" in message


def test_no_clash_when_validity_does_not_overlap(world):
    entry = world.a1.timetable.get()
    update_timetable_entry(entry, valid_until=dt.date(2026, 12, 31), actor=None)
    new = create_timetable_entry(
        world.a1, world.grid_a[0], world.mentor_a, subject="Engels", room="101",
        valid_from=dt.date(2027, 1, 1), actor=None,
    )
    assert new.valid_until == world.year_a.end_date
    assert AuditEvent.objects.filter(object_type="roster.TimetableEntry", action="create",
                                     object_id=str(new.pk)).exists()


def test_moving_an_entry_onto_a_clash_is_refused_and_nothing_changes(world):
    entry = world.a2.timetable.get()  # 2B, Monday period 2, mentor_a
    with pytest.raises(ValidationError, match="already teaches"):
        update_timetable_entry(entry, teacher=world.teacher_a, period=world.grid_a[0], actor=None)
    entry.refresh_from_db()
    assert entry.teacher == world.mentor_a and entry.period == world.grid_a[1]


def test_validity_outside_the_school_year_is_refused(world):
    message = refused(group=world.a1, period=world.grid_a[3], teacher=world.teacher_a,
                      subject="Engels", valid_from=dt.date(2026, 8, 1),
                      valid_until=dt.date(2027, 8, 15))
    assert "inside school year 2026-2027" in message


def test_teacher_of_another_school_is_refused(world):
    message = refused(group=world.a1, period=world.grid_a[3], teacher=world.teacher_b,
                      subject="Engels")
    assert "does not work at Het Testcollege" in message
