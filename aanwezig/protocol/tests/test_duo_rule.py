"""The DUO 16-hours-in-4-school-weeks rule on hand-worked calendars (2026).

Calendar help: Mon 5 Jan, 12 Jan, 19 Jan, 26 Jan, 2 Feb, 9 Feb, 16 Feb,
23 Feb, 2 Mar, 9 Mar, 16 Mar 2026 are Mondays; Fri 24 Apr 2026 is a Friday and
Mon 27 Apr 2026 is King's Day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest

from aanwezig.protocol.duo import DuoReport, duo_reports, school_week_index, window_end

D = dt.date
CHILD = D(2010, 6, 1)  # 15 or 16 throughout


def weekdays(first: dt.date, last: dt.date, *, skip_weeks: tuple[dt.date, ...] = ()) -> list[dt.date]:
    """Mon-Fri from ``first`` through ``last``, leaving out the weeks starting on ``skip_weeks``."""
    days: list[dt.date] = []
    day = first
    while day <= last:
        monday = day - dt.timedelta(days=day.weekday())
        if day.weekday() < 5 and monday not in skip_weeks:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


JAN_MAR = weekdays(D(2026, 1, 5), D(2026, 3, 27))
# Spring break (voorjaarsvakantie): the week of Mon 16 Feb has no lessons.
WITH_SPRING_BREAK = weekdays(D(2026, 1, 5), D(2026, 3, 27), skip_weeks=(D(2026, 2, 16),))


def reports(
    hours: Mapping[dt.date, float], school_days: list[dt.date] = JAN_MAR, **kwargs: Any,
) -> list[DuoReport]:
    kwargs.setdefault("birth_date", CHILD)
    kwargs.setdefault("has_startkwalificatie", False)
    return duo_reports(hours, school_days, **kwargs)


def spans(found: list[DuoReport]) -> list[tuple[dt.date, dt.date]]:
    return [(r.start_date, r.end_date) for r in found]


# --- the helpers -------------------------------------------------------------


def test_school_weeks_are_numbered_and_holiday_weeks_skipped():
    weeks = school_week_index(WITH_SPRING_BREAK)
    assert weeks[D(2026, 2, 2)] == 4
    assert weeks[D(2026, 2, 9)] == 5
    assert D(2026, 2, 16) not in weeks
    assert weeks[D(2026, 2, 23)] == 6


def test_window_ends_before_the_same_weekday_four_school_weeks_on():
    # Tue 6 Jan in school week 1 -> window ends before Tue 3 Feb (school week 5).
    assert window_end(D(2026, 1, 6), school_week_index(JAN_MAR)) == D(2026, 2, 3)
    # Over the spring break: Wed 4 Feb -> weeks 2 Feb, 9 Feb, 23 Feb, 2 Mar;
    # the fifth school week is 9 Mar, so the window ends before Wed 11 Mar.
    assert window_end(D(2026, 2, 4), school_week_index(WITH_SPRING_BREAK)) == D(2026, 3, 11)
    assert window_end(D(2026, 2, 4), school_week_index(JAN_MAR)) == D(2026, 3, 4)


def test_window_end_goes_on_past_the_known_weeks():
    weeks = school_week_index(weekdays(D(2026, 1, 5), D(2026, 1, 16)))
    assert window_end(D(2026, 1, 14), weeks) == D(2026, 2, 11)


# --- first report ------------------------------------------------------------


def test_plain_four_days_of_four_hours():
    found = reports({D(2026, 1, 12): 4, D(2026, 1, 13): 4, D(2026, 1, 14): 4, D(2026, 1, 15): 4})
    assert found == [DuoReport(
        start_date=D(2026, 1, 12), end_date=D(2026, 1, 15), hours=16.0,
        due_date=D(2026, 1, 22),  # Fri 16, Mon 19, Tue 20, Wed 21, Thu 22
        kind="first", mandatory=True,
    )]


def test_fifteen_and_a_half_hours_is_no_report():
    assert reports({D(2026, 1, 12): 4, D(2026, 1, 13): 4, D(2026, 1, 14): 4,
                    D(2026, 1, 15): 3.5}) == []


def test_sixteen_hours_reached_only_across_four_school_weeks():
    hours = {D(2026, 1, 6): 4, D(2026, 1, 13): 4, D(2026, 1, 20): 4, D(2026, 1, 26): 4}
    assert spans(reports(hours)) == [(D(2026, 1, 6), D(2026, 1, 26))]


def test_hours_just_inside_the_window():
    # Window of Tue 6 Jan ends before Tue 3 Feb: Mon 2 Feb is its last school day.
    hours = {D(2026, 1, 6): 4, D(2026, 1, 13): 4, D(2026, 1, 20): 4, D(2026, 2, 2): 4}
    assert spans(reports(hours)) == [(D(2026, 1, 6), D(2026, 2, 2))]


def test_hours_just_outside_the_window():
    # Tue 3 Feb is outside the window of Tue 6 Jan; from Tue 13 Jan only 12 hours.
    hours = {D(2026, 1, 6): 4, D(2026, 1, 13): 4, D(2026, 1, 20): 4, D(2026, 2, 3): 4}
    assert reports(hours) == []


def test_holiday_week_is_skipped_so_the_window_extends():
    # Wed 4 Feb, Wed 11 Feb, (spring break), Wed 25 Feb, Tue 10 Mar.
    hours = {D(2026, 2, 4): 4, D(2026, 2, 11): 4, D(2026, 2, 25): 4, D(2026, 3, 10): 4}
    assert spans(reports(hours, WITH_SPRING_BREAK)) == [(D(2026, 2, 4), D(2026, 3, 10))]
    # The same hours without a break: Tue 10 Mar is past the window (ends Wed 4 Mar).
    assert reports(hours, JAN_MAR) == []


def test_holiday_week_window_edge():
    # With the break the window of Wed 4 Feb ends before Wed 11 Mar: 11 Mar is out,
    # and from Wed 11 Feb there are only 12 hours.
    hours = {D(2026, 2, 4): 4, D(2026, 2, 11): 4, D(2026, 2, 25): 4, D(2026, 3, 11): 4}
    assert reports(hours, WITH_SPRING_BREAK) == []


def test_start_is_the_first_day_whose_window_holds_the_end():
    # Mon 5 Jan (2 h) has its window end before Mon 2 Feb, where the sum would reach;
    # from Fri 30 Jan the 16 hours are reached on Mon 2 Feb.
    hours = {D(2026, 1, 5): 2, D(2026, 1, 30): 8, D(2026, 2, 2): 8}
    found = reports(hours)
    assert spans(found) == [(D(2026, 1, 30), D(2026, 2, 2))]
    assert found[0].hours == 16.0


def test_of_two_starts_with_the_same_end_the_earliest_wins():
    # Both Tue 6 Jan and Mon 26 Jan reach 16 on Tue 27 Jan; the report starts on 6 Jan
    # and carries all 18 hours.
    hours = {D(2026, 1, 6): 2, D(2026, 1, 26): 8, D(2026, 1, 27): 8}
    found = reports(hours)
    assert spans(found) == [(D(2026, 1, 6), D(2026, 1, 27))]
    assert found[0].hours == 18.0


# --- klokuren ----------------------------------------------------------------


def test_klokuren_fifty_minute_lessons():
    days = [D(2026, 1, 12), D(2026, 1, 13), D(2026, 1, 14), D(2026, 1, 15), D(2026, 1, 16)]
    # Four lessons a day: 4 lesuren reach 16 on Thu; 4 x 50 min = 3.333 h a day
    # reaches 16 only on Fri (13.33 after Thu, 16.67 after Fri).
    assert spans(reports(dict.fromkeys(days, 4.0))) == [(D(2026, 1, 12), D(2026, 1, 15))]
    found = reports(dict.fromkeys(days, 4 * 50 / 60))
    assert spans(found) == [(D(2026, 1, 12), D(2026, 1, 16))]
    assert found[0].hours == pytest.approx(16.6667, abs=1e-4)


def test_klokuren_exactly_sixteen_from_forty_minute_lessons():
    # Six lessons of 40 minutes a day for four days = 16 h exactly; as floats
    # each day is 3.9999999999999996 h and the four days 15.999999999999998 h.
    days = [D(2026, 1, 12), D(2026, 1, 13), D(2026, 1, 14), D(2026, 1, 15)]
    hours = {day: sum([40 / 60] * 6) for day in days}
    assert sum(hours.values()) < 16  # the float trap this test is about
    assert spans(reports(hours)) == [(D(2026, 1, 12), D(2026, 1, 15))]


# --- follow-ups --------------------------------------------------------------


def test_counting_restarts_after_the_end_date():
    hours = {D(2026, 1, 12): 4, D(2026, 1, 13): 4, D(2026, 1, 14): 4, D(2026, 1, 15): 4,
             D(2026, 1, 16): 4, D(2026, 2, 2): 4, D(2026, 2, 3): 4, D(2026, 2, 4): 4}
    found = reports(hours)
    assert spans(found) == [(D(2026, 1, 12), D(2026, 1, 15)), (D(2026, 1, 16), D(2026, 2, 4))]
    assert [r.kind for r in found] == ["first", "follow_up"]
    assert [r.hours for r in found] == [16.0, 16.0]
    assert found[1].due_date == D(2026, 2, 11)


def test_hours_of_a_report_are_not_counted_again():
    # 20 hours in the first report; 12 more afterwards is no follow-up.
    hours = {D(2026, 1, 12): 5, D(2026, 1, 13): 5, D(2026, 1, 14): 5, D(2026, 1, 15): 5,
             D(2026, 1, 16): 4, D(2026, 2, 2): 4, D(2026, 2, 3): 4}
    found = reports(hours)
    assert spans(found) == [(D(2026, 1, 12), D(2026, 1, 15))]
    assert found[0].hours == 20.0


STAYS_AWAY = dict.fromkeys(weekdays(D(2026, 1, 12), D(2026, 1, 30)), 6.0)


def test_at_most_one_report_per_seven_days_for_a_student_who_stays_away():
    # 6 h every school day from Mon 12 Jan. 16 is reached on Wed 14 Jan; the next
    # 16 on Mon 19 Jan, moved to Wed 21 Jan; the next on Mon 26 Jan, moved to Wed 28 Jan.
    found = reports(STAYS_AWAY)
    assert found == [
        DuoReport(D(2026, 1, 12), D(2026, 1, 14), 18.0, D(2026, 1, 21), "first", True),
        DuoReport(D(2026, 1, 15), D(2026, 1, 21), 30.0, D(2026, 1, 28), "follow_up", True),
        DuoReport(D(2026, 1, 22), D(2026, 1, 28), 30.0, D(2026, 2, 4), "follow_up", True),
    ]
    # Thu 29 and Fri 30 Jan: 12 h, no fourth report.


def test_a_moved_report_is_not_due_before_its_end_date():
    found = reports(STAYS_AWAY, until=D(2026, 1, 20))
    assert spans(found) == [(D(2026, 1, 12), D(2026, 1, 14))]
    found = reports(STAYS_AWAY, until=D(2026, 1, 21))
    assert spans(found)[-1] == (D(2026, 1, 15), D(2026, 1, 21))


def test_hours_after_until_do_not_count():
    hours = {D(2026, 1, 12): 4, D(2026, 1, 13): 4, D(2026, 1, 14): 4, D(2026, 1, 15): 4}
    assert reports(hours, until=D(2026, 1, 14)) == []
    assert spans(reports(hours, until=D(2026, 1, 15))) == [(D(2026, 1, 12), D(2026, 1, 15))]


# --- who is reported ---------------------------------------------------------

PLAIN = {D(2026, 1, 12): 4.0, D(2026, 1, 13): 4.0, D(2026, 1, 14): 4.0, D(2026, 1, 15): 4.0}


def test_eighteenth_birthday_after_the_end_date_is_mandatory():
    # Turns 18 on Fri 16 Jan, inside the window but after E (Thu 15 Jan).
    found = reports(PLAIN, birth_date=D(2008, 1, 16))
    assert [(r.end_date, r.mandatory) for r in found] == [(D(2026, 1, 15), True)]


def test_eighteen_on_the_end_date_is_not_reported_unless_the_school_turns_it_on():
    for birthday in (D(2008, 1, 13), D(2008, 1, 15)):  # inside the window, on or before E
        assert reports(PLAIN, birth_date=birthday) == []
        found = reports(PLAIN, birth_date=birthday, report_adults=True)
        assert [(r.end_date, r.mandatory) for r in found] == [(D(2026, 1, 15), False)]


def test_startkwalificatie_is_never_mandatory():
    assert reports(PLAIN, has_startkwalificatie=True) == []
    assert reports(PLAIN, has_startkwalificatie=True, report_adults=True) == []
    assert reports(PLAIN, birth_date=D(2007, 1, 1), has_startkwalificatie=True,
                   report_adults=True) == []


def test_turning_eighteen_between_reports_keeps_the_counting():
    # Birthday Tue 20 Jan: the first report (E 14 Jan) is mandatory, the moved
    # follow-ups (E 21 and 28 Jan) are reported only with report_adults.
    assert spans(reports(STAYS_AWAY, birth_date=D(2008, 1, 20))) == [
        (D(2026, 1, 12), D(2026, 1, 14))]
    found = reports(STAYS_AWAY, birth_date=D(2008, 1, 20), report_adults=True)
    assert [(r.end_date, r.kind, r.mandatory) for r in found] == [
        (D(2026, 1, 14), "first", True),
        (D(2026, 1, 21), "follow_up", False),
        (D(2026, 1, 28), "follow_up", False),
    ]


# --- due date ----------------------------------------------------------------


def test_due_date_skips_the_weekend_and_kings_day():
    april = weekdays(D(2026, 4, 20), D(2026, 4, 24))
    hours = {D(2026, 4, 21): 4, D(2026, 4, 22): 4, D(2026, 4, 23): 4, D(2026, 4, 24): 4}
    found = reports(hours, april)
    # After Fri 24 Apr: Sat, Sun, Mon 27 (King's Day) skipped; Tue 28, Wed 29,
    # Thu 30, Fri 1 May, Mon 4 May.
    assert [(r.end_date, r.due_date) for r in found] == [(D(2026, 4, 24), D(2026, 5, 4))]


# --- input checks ------------------------------------------------------------


def test_hours_on_a_day_without_lessons_are_refused():
    with pytest.raises(ValueError, match="not a lesson day"):
        reports({D(2026, 1, 10): 4})  # a Saturday
    with pytest.raises(ValueError, match="not a lesson day"):
        reports({D(2026, 2, 17): 4}, WITH_SPRING_BREAK)


def test_negative_hours_are_refused():
    with pytest.raises(ValueError, match="negative"):
        reports({D(2026, 1, 12): -1})


def test_threshold_is_a_parameter():
    # 8 is reached on Tue 13 Jan and again on Thu 15 Jan; the follow-up moves to
    # Tue 20 Jan (7 days after 13 Jan) and carries the 8 hours of Wed and Thu.
    found = reports(PLAIN, threshold=8)
    assert [(r.start_date, r.end_date, r.hours) for r in found] == [
        (D(2026, 1, 12), D(2026, 1, 13), 8.0), (D(2026, 1, 14), D(2026, 1, 20), 8.0)]
