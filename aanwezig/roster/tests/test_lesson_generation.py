"""Generating lessons from the timetable: school days only, idempotent, careful with edits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from aanwezig.attendance.models import Registration
from aanwezig.audit.models import AuditEvent
from aanwezig.roster.lessons import generate_lessons
from aanwezig.roster.models import Lesson, LessonStatus
from aanwezig.schools.calendar import create_school_year
from aanwezig.schools.models import DayOff, HolidayRegion, Role
from aanwezig.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    school = f.make_school(brin="44LG", holiday_region=HolidayRegion.MIDDEN)
    year = create_school_year(school, 2026)
    periods = {(p.weekday, p.number): p for p in f.make_period_grid(school)}
    teacher = f.make_staff(school, Role.TEACHER)
    group = f.make_group(school, year, "2H1")
    monday = f.make_entry(group, periods[(0, 1)], teacher, subject="Engels")
    thursday = f.make_entry(group, periods[(3, 2)], teacher, subject="Wiskunde")
    return school, year, group, teacher, monday, thursday, periods


def lessons_between(school, start, end):
    return Lesson.objects.filter(school=school, date__gte=start, date__lte=end)


def test_holidays_and_public_holidays_have_no_lessons(setup):
    school, *_ = setup
    start, end = dt.date(2026, 10, 1), dt.date(2027, 5, 21)
    generate_lessons(school, start, end)
    dates = set(lessons_between(school, start, end).values_list("date", flat=True))
    # Autumn holiday (17-25 October, region midden), Christmas holiday, Ascension Day.
    assert not {d for d in dates if dt.date(2026, 10, 17) <= d <= dt.date(2026, 10, 25)}
    assert not {d for d in dates if dt.date(2026, 12, 19) <= d <= dt.date(2027, 1, 3)}
    assert dt.date(2027, 5, 6) not in dates  # Hemelvaartsdag, a Thursday
    assert dt.date(2027, 5, 17) not in dates  # Tweede Pinksterdag, a Monday
    assert dt.date(2027, 5, 13) in dates  # an ordinary Thursday
    for day_off in DayOff.objects.filter(school=school):
        assert not lessons_between(school, day_off.start_date, day_off.end_date).exists()
    assert {d.weekday() for d in dates} == {0, 3}


def test_lessons_follow_the_entry(setup):
    school, _year, group, teacher, monday, _thursday, periods = setup
    generate_lessons(school, dt.date(2026, 11, 2), dt.date(2026, 11, 6))
    lesson = Lesson.objects.get(school=school, date=dt.date(2026, 11, 2))
    assert (lesson.group, lesson.teacher, lesson.subject, lesson.entry) == (group, teacher, "Engels", monday)
    assert (lesson.start_time, lesson.end_time) == (periods[(0, 1)].start_time, periods[(0, 1)].end_time)
    assert lesson.room == "101"


def test_running_twice_creates_nothing_new(setup):
    school, *_ = setup
    start, end = dt.date(2026, 9, 1), dt.date(2026, 12, 31)
    first = generate_lessons(school, start, end)
    count = Lesson.objects.count()
    second = generate_lessons(school, start, end)
    assert first.created == count > 0
    assert (second.created, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == count
    assert Lesson.objects.count() == count


def test_validity_limits_lessons(setup):
    school, _year, _group, _teacher, monday, _thursday, _periods = setup
    monday.valid_from = dt.date(2026, 11, 9)
    monday.save()
    generate_lessons(school, dt.date(2026, 11, 2), dt.date(2026, 11, 13))
    assert set(Lesson.objects.filter(entry=monday).values_list("date", flat=True)) == {dt.date(2026, 11, 9)}


def test_changed_and_cancelled_lessons_survive(setup):
    school, _year, _group, _teacher, monday, _thursday, _periods = setup
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 27)
    generate_lessons(school, start, end)
    substitute = f.make_staff(school, Role.TEACHER)
    changed = Lesson.objects.get(school=school, date=dt.date(2026, 11, 9))
    changed.teacher, changed.room, changed.is_changed = substitute, "Aula", True
    changed.save()
    cancelled = Lesson.objects.get(school=school, date=dt.date(2026, 11, 16))
    cancelled.status = LessonStatus.CANCELLED
    cancelled.save()

    monday.delete()
    result = generate_lessons(school, start, end)

    changed.refresh_from_db()
    assert (changed.teacher, changed.room, changed.is_changed) == (substitute, "Aula", True)
    cancelled.refresh_from_db()
    assert cancelled.status == LessonStatus.CANCELLED
    # The other Monday lessons of the deleted entry are gone.
    mondays = Lesson.objects.filter(school=school, date__week_day=2)
    assert set(mondays.values_list("pk", flat=True)) == {changed.pk, cancelled.pk}
    assert result.removed == 2


def test_shortened_validity_removes_lessons_without_register(setup):
    school, _year, _group, teacher, monday, _thursday, _periods = setup
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 27)
    generate_lessons(school, start, end)
    registered = Lesson.objects.get(entry=monday, date=dt.date(2026, 11, 23))
    now = timezone.now()
    Registration.objects.create(school=school, lesson=registered, taken_by=teacher,
                                taken_at=now, updated_at=now)

    monday.valid_until = dt.date(2026, 11, 10)
    monday.save()
    result = generate_lessons(school, start, end)

    kept = set(Lesson.objects.filter(school=school, date__week_day=2).values_list("date", flat=True))
    assert kept == {dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 23)}
    assert (result.removed, result.kept_registered) == (1, 1)


def test_timetable_changes_update_unchanged_lessons(setup):
    school, _year, _group, _teacher, monday, _thursday, _periods = setup
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 13)
    generate_lessons(school, start, end)
    other = f.make_staff(school, Role.TEACHER)
    monday.teacher, monday.room = other, "B2.04"
    monday.save()
    result = generate_lessons(school, start, end)
    assert result.updated == 2
    assert set(Lesson.objects.filter(entry=monday).values_list("teacher", "room")) == {(other.pk, "B2.04")}


def test_a_run_is_audited(setup):
    school, *_ = setup
    result = generate_lessons(school, dt.date(2026, 11, 2), dt.date(2026, 11, 6))
    event = AuditEvent.objects.get(action="generate_lessons")
    assert event.object_id == str(school.pk)
    assert event.changes["created"] == result.created == 2


def test_command_generates_lessons(setup):
    school, *_ = setup
    call_command("generate_lessons", "--school", "44lg", "--from", "2026-11-02", "--to", "2026-11-06")
    assert Lesson.objects.filter(school=school).count() == 2


def test_command_rejects_an_unknown_brin(setup):
    with pytest.raises(CommandError, match="99ZZ"):
        call_command("generate_lessons", "--school", "99ZZ")


def test_command_rejects_a_date_outside_the_school_year(setup):
    with pytest.raises(CommandError, match="2030-01-01"):
        call_command("generate_lessons", "--school", "44LG", "--from", "2030-01-01")


def test_command_rejects_a_malformed_date(setup):
    with pytest.raises(CommandError, match="1-11-2026"):
        call_command("generate_lessons", "--school", "44LG", "--from", "1-11-2026")
