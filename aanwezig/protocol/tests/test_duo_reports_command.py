"""``manage.py duo_reports`` on a hand-worked case, counted from real registers.

Calendar help: Mon 2, 9 and 16 Nov 2026 are Mondays; no holidays in November.
Group 1A of Het Testcollege (BRIN 11AA) has four 50-minute lessons a day.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.models import Mark, MarkStatus, Registration
from aanwezig.protocol.facts import unexcused_hours_by_day
from aanwezig.schools.models import HourUnit
from aanwezig.testing import factories as f
from aanwezig.testing.factories import DEFAULT_GRID

D = dt.date
# One entry per lesson of the day: None (present) or (status, reason code, minutes late).
Entry = tuple[str, str | None, int | None]
Day = list[Entry | None]

ABSENT: Entry = ("absent", None, None)
UNEXCUSED: Entry = ("absent", "ongeoorloofd", None)
SICK: Entry = ("absent", "ziek", None)


def late(minutes: int) -> Entry:
    return ("late", "te_laat", minutes)


def register_day(world, day: dt.date, marks: Mapping[int, Sequence[Entry | None]]) -> None:
    """Give group 1A its four lessons on ``day``, registered, with ``marks`` per student id."""
    reasons = create_default_absence_reasons(world.school_a)
    now = timezone.now()
    for index, (_number, start, end) in enumerate(DEFAULT_GRID):
        lesson = f.make_lesson(world.a1, world.teacher_a, day, start_time=start, end_time=end)
        Registration.objects.create(school=world.school_a, lesson=lesson,
                                    taken_by=world.teacher_a, taken_at=now, updated_at=now)
        for student_id, entries in marks.items():
            entry = entries[index]
            if entry is None:
                continue
            status, code, minutes = entry
            Mark.objects.create(
                school=world.school_a, lesson=lesson, student_id=student_id, date=day,
                status=MarkStatus(status), reason=reasons[code] if code else None,
                minutes_late=minutes, created_at=now, updated_at=now,
            )


def hand_worked_case(world) -> None:
    """Sam (child_a): 4 + 0 (sick) + 4 + 3 + 3 + 2 = 16 unexcused lesuren on Mon 9 Nov.

    Thursday's lesson 25 minutes late counts (limit 20); 10 minutes late does not.
    Without the lateness rule Mon 9 Nov would have 15 hours; counting the sick day
    would reach 16 on Fri 6 Nov. Noor (classmate_a) is sick every lesson.
    """
    sam, noor = world.child_a.pk, world.classmate_a.pk
    sick_all = [SICK] * 4
    days: dict[dt.date, Day] = {
        D(2026, 11, 2): [ABSENT, ABSENT, ABSENT, ABSENT],
        D(2026, 11, 3): [SICK, SICK, SICK, SICK],
        D(2026, 11, 4): [UNEXCUSED, UNEXCUSED, UNEXCUSED, UNEXCUSED],
        D(2026, 11, 5): [UNEXCUSED, UNEXCUSED, late(25), late(10)],
        D(2026, 11, 6): [ABSENT, ABSENT, ABSENT, None],
        D(2026, 11, 9): [ABSENT, ABSENT, None, None],
    }
    for day, entries in days.items():
        register_day(world, day, {sam: entries, noor: sick_all})


def run(*args: str) -> list[dict[str, object]]:
    out = StringIO()
    call_command("duo_reports", "--school=11AA", *args, "--json", stdout=out)
    result: list[dict[str, object]] = json.loads(out.getvalue())
    return result


def test_hand_worked_case_gives_one_report_in_lesuren(world):
    hand_worked_case(world)
    assert run("--from=2026-11-01", "--to=2026-11-30") == [{
        "student_key": world.child_a.school_key,
        "type": "first",
        "start_date": "2026-11-02",
        "end_date": "2026-11-09",
        "hours": 16.0,
        "due_date": "2026-11-16",
    }]


def test_facts_follow_the_counting_rules(world):
    hand_worked_case(world)
    hours = unexcused_hours_by_day(world.school_a, [world.child_a.pk, world.classmate_a.pk],
                                   D(2026, 11, 1), D(2026, 11, 30))
    assert hours == {
        world.child_a.pk: {D(2026, 11, 2): 4.0, D(2026, 11, 4): 4.0, D(2026, 11, 5): 3.0,
                           D(2026, 11, 6): 3.0, D(2026, 11, 9): 2.0},
        world.classmate_a.pk: {},
    }


def test_window_that_starts_before_from_is_found_and_range_filters_on_end_date(world):
    hand_worked_case(world)
    assert [r["end_date"] for r in run("--from=2026-11-09", "--to=2026-11-09")] == ["2026-11-09"]
    assert run("--from=2026-11-10", "--to=2026-11-30") == []
    # Hours after --to do not count: on Fri 6 Nov only 14 hours were reached.
    assert run("--from=2026-11-01", "--to=2026-11-06") == []


def test_klokuren_give_fractional_hours(world):
    world.school_a.hour_unit = HourUnit.KLOKUUR
    world.school_a.save()
    full = [ABSENT] * 4  # 4 x 50 minutes = 3.33 clock hours a day
    for day in (D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 4), D(2026, 11, 5), D(2026, 11, 6)):
        register_day(world, day, {world.child_a.pk: full})
    # 13.33 after Thursday, 16.67 on Friday.
    assert run("--from=2026-11-01", "--to=2026-11-30") == [{
        "student_key": world.child_a.school_key,
        "type": "first",
        "start_date": "2026-11-02",
        "end_date": "2026-11-06",
        "hours": 16.67,
        "due_date": "2026-11-13",
    }]


def test_only_excused_absence_gives_nothing(world):
    for day in (D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 4), D(2026, 11, 5), D(2026, 11, 6)):
        register_day(world, day, {world.classmate_a.pk: [SICK] * 4})
    assert run("--from=2026-11-01", "--to=2026-11-30") == []


def test_table_in_dutch(world):
    hand_worked_case(world)
    out = StringIO()
    call_command("duo_reports", "--school=11AA", "--from=2026-11-01", "--to=2026-11-30",
                 stdout=out)
    text = out.getvalue()
    assert "Leerlingnummer" in text and "eerste melding" in text
    assert "02-11-2026" in text and "09-11-2026" in text and "16,00" in text


def test_unknown_brin_is_refused_in_dutch(world):
    with pytest.raises(CommandError, match="Er is geen school met BRIN 99ZZ."):
        call_command("duo_reports", "--school=99zz", "--from=2026-11-01", "--to=2026-11-30")


def test_bad_dates_are_refused(world):
    with pytest.raises(CommandError, match="--from"):
        call_command("duo_reports", "--school=11AA", "--from=2026-13-01", "--to=2026-11-30")
    with pytest.raises(CommandError, match="--to"):
        call_command("duo_reports", "--school=11AA", "--from=2026-11-30", "--to=2026-11-01")


def test_adult_students_only_with_adults(world):
    f.make_student(world.school_a, None)  # a student without lessons changes nothing
    hand_worked_case(world)
    world.child_a.birth_date = D(2008, 1, 1)
    world.child_a.save()
    assert run("--from=2026-11-01", "--to=2026-11-30") == []
    assert [r["end_date"] for r in run("--from=2026-11-01", "--to=2026-11-30", "--adults")] == [
        "2026-11-09"
    ]
