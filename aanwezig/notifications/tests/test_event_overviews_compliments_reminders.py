"""The monthly overview, compliments and register reminders."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from aanwezig.attendance import services as attendance
from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.models import Mark, Registration
from aanwezig.notifications import events
from aanwezig.notifications.models import Event, Message
from aanwezig.testing import factories as f
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=AMS)


def registered_lessons(world, days, absent_on=()):
    """Registered 08:30 lessons of 1A on ``days``; Sam absent (no reason) on ``absent_on``."""
    for day in days:
        lesson = f.make_lesson(world.a1, world.teacher_a, day, period=world.grid_a[0])
        Registration.objects.create(school=world.school_a, lesson=lesson, taken_by=None,
                                    taken_at=NOW, updated_at=NOW)
        if day in absent_on:
            Mark.objects.create(school=world.school_a, lesson=lesson, student=world.child_a,
                                date=day, status="absent", created_by=None, created_at=NOW,
                                updated_at=NOW)


NOVEMBER = [dt.date(2026, 11, d) for d in (2, 3, 4, 5)]


def test_the_monthly_overview_leads_with_presence_and_names_the_missed_lessons(world):
    registered_lessons(world, NOVEMBER, absent_on={NOVEMBER[1]})
    assert events.queue_monthly_overviews(world.school_a, dt.date(2026, 12, 1)) == 1
    message = Message.objects.get(event=Event.MONTHLY_OVERVIEW)
    assert message.guardian == world.parent
    text = message.body_text
    assert "Dit schooljaar was Sam er bij 3 van de 4 lessen." in text
    assert text.index("3 van de 4 lessen") < text.index("Gemiste lessen: 1.")
    assert "tot en met 30-11-2026" in text
    assert "Wat kunt u doen?" in text
    # Once per month.
    assert events.queue_monthly_overviews(world.school_a, dt.date(2026, 12, 1)) == 0


def test_the_monthly_overview_respects_the_parents_opt_out(world):
    registered_lessons(world, NOVEMBER)
    world.parent.monthly_overview = False
    world.parent.save()
    assert events.queue_monthly_overviews(world.school_a, dt.date(2026, 12, 1)) == 0
    assert not Message.objects.exists()


def test_the_mentor_is_named_as_contact_in_the_overview(world):
    registered_lessons(world, NOVEMBER)
    f.add_mentor(world.a1, world.mentor_a)
    events.queue_monthly_overviews(world.school_a, dt.date(2026, 12, 1))
    text = Message.objects.get(event=Event.MONTHLY_OVERVIEW).body_text
    assert "contact op met Mira Mentor, de mentor van Sam" in text


def school_days_of_weeks(mondays):
    return [monday + dt.timedelta(days=n) for monday in mondays for n in range(3)]


BEFORE = [dt.date(2026, 9, 28) + dt.timedelta(weeks=n) for n in range(4)]
RECENT = [dt.date(2026, 10, 26) + dt.timedelta(weeks=n) for n in range(4)]


@pytest.fixture
def improved(world):
    """Sam missed 3 of 12 lessons in the 4 weeks before and none of 12 in the last 4."""
    before = school_days_of_weeks(BEFORE)
    registered_lessons(world, before + school_days_of_weeks(RECENT), absent_on=set(before[:3]))


def test_a_clear_improvement_earns_a_compliment_once_in_eight_weeks(world, improved):
    assert events.queue_compliments(world.school_a, TODAY) == 1
    message = Message.objects.get(event=Event.COMPLIMENT)
    assert message.student == world.child_a and message.guardian == world.parent
    assert "12 van de 12 lessen" in message.body_text
    assert events.queue_compliments(world.school_a, TODAY + dt.timedelta(weeks=1)) == 0


def test_steady_good_attendance_is_no_news(world):
    registered_lessons(world, school_days_of_weeks(BEFORE + RECENT))
    assert events.queue_compliments(world.school_a, TODAY) == 0


def test_a_teacher_is_reminded_of_a_missing_register_once_a_day(world):
    create_default_absence_reasons(world.school_a)
    lesson_start = dt.datetime.combine(TODAY, world.lesson_a.start_time, tzinfo=AMS)
    assert events.queue_register_reminders(world.school_a, lesson_start + dt.timedelta(minutes=14)) == 0
    assert events.queue_register_reminders(world.school_a, lesson_start + dt.timedelta(minutes=16)) == 1
    message = Message.objects.get(event=Event.REGISTER_REMINDER)
    assert message.staff == world.teacher_a
    assert message.address == "docent.a@example.test"
    assert "10:30–11:20 1A Nederlands" in message.body_text
    assert events.queue_register_reminders(world.school_a, lesson_start + dt.timedelta(hours=1)) == 0
    assert events.still_wanted(message)
    attendance.record_register(world.lesson_a, actor=world.teacher_a, entries=[])
    assert not events.still_wanted(message)
