"""The DUO reporting duty: 16 hours of unexcused absence in 4 school weeks.

A pure module: it takes a student's unexcused hours per day and lesson days and
returns the reports that are due. It counts no lessons and reads no database;
the hours come from ``attendance.counting`` (``hours_unexcused``, already in the
school's unit, lesuren or klokuren). The rule and worked examples are in
docs/duo-report.md.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from aanwezig.lib.dates import add_working_days, is_adult_on, monday_of

THRESHOLD = 16.0
WINDOW_SCHOOL_WEEKS = 4
DUE_WORKING_DAYS = 5
MIN_DAYS_BETWEEN_REPORTS = 7
# Sums of fractional clock hours (40 minutes = 2/3 h) may land a hair below the
# threshold they reach exactly; this much short still counts as reached.
EPSILON = 1e-9

ReportKind = Literal["first", "follow_up"]


@dataclass(frozen=True)
class DuoReport:
    start_date: dt.date
    end_date: dt.date
    hours: float
    due_date: dt.date
    kind: ReportKind
    mandatory: bool


def school_week_index(school_days: Iterable[dt.date]) -> dict[dt.date, int]:
    """Number the school weeks (Monday -> 0, 1, 2, ...) in calendar order.

    A school week is a calendar week with at least one of ``school_days``;
    weeks without lessons get no number and are skipped when counting weeks.
    """
    if isinstance(school_days, tuple):
        return _cached_week_index(school_days)
    return _week_index(school_days)


def _week_index(school_days: Iterable[dt.date]) -> dict[dt.date, int]:
    mondays = sorted({monday_of(day) for day in school_days})
    return {monday: index for index, monday in enumerate(mondays)}


@functools.lru_cache(maxsize=32)
def _cached_week_index(school_days: tuple[dt.date, ...]) -> dict[dt.date, int]:
    # The protocol engine asks for the same school's calendar for every student and
    # step; callers must not change the returned dict.
    return _week_index(school_days)


def window_end(start: dt.date, school_weeks: Mapping[dt.date, int],
               weeks: int = WINDOW_SCHOOL_WEEKS) -> dt.date:
    """Return the first day *after* the window that starts on ``start``.

    The window runs to (not including) the same weekday as ``start`` in the
    fourth (``weeks``-th) school week after the week of ``start``, the week of
    ``start`` being the first of the four. Beyond the last known school week the calendar is
    assumed to go on with school weeks.
    """
    week = monday_of(start)
    if week not in school_weeks:
        raise ValueError(f"{start} is not in a school week")
    target = school_weeks[week] + weeks
    by_index = {index: monday for monday, index in school_weeks.items()}
    if target in by_index:
        target_monday = by_index[target]
    else:
        last = max(by_index)
        target_monday = by_index[last] + dt.timedelta(weeks=target - last)
    return target_monday + dt.timedelta(days=start.weekday())


def _first_reach(
    days: list[dt.date],
    hours: Mapping[dt.date, float],
    first: int,
    end: dt.date,
    threshold: float,
) -> dt.date | None:
    """Return the first day E before ``end`` on which the sum from ``days[first]`` reaches."""
    total = 0.0
    for day in days[first:]:
        if day >= end:
            return None
        total += hours[day]
        if total >= threshold - EPSILON:
            return day
    return None


def _next_period(
    days: list[dt.date],
    hours: Mapping[dt.date, float],
    school_weeks: Mapping[dt.date, int],
    after: dt.date | None,
    threshold: float,
) -> tuple[dt.date, dt.date] | None:
    """Return (start, end) of the next counting period after ``after``, or None.

    Every day with hours after ``after`` is a candidate start S; its end is the
    first day inside S's window on which the sum from S reaches the threshold.
    The earliest end over all candidates wins, and of the candidates with that
    end the earliest start. An earlier start always reaches no later than a
    later one (its sum is larger and its window ends no later than the later
    end), so the first candidate in order that reaches at all is the answer.
    """
    best: tuple[dt.date, dt.date] | None = None
    for index, start in enumerate(days):
        if after is not None and start <= after:
            continue
        if best is not None and start > best[1]:
            break
        end = _first_reach(days, hours, index, window_end(start, school_weeks), threshold)
        if end is not None and (best is None or end < best[1]):
            best = (start, end)
    return best


def duo_reports(
    hours_by_day: Mapping[dt.date, float],
    school_days: Iterable[dt.date],
    *,
    birth_date: dt.date,
    has_startkwalificatie: bool,
    report_adults: bool = False,
    threshold: float = THRESHOLD,
    until: dt.date | None = None,
) -> list[DuoReport]:
    """Return the DUO reports for one student, in order.

    ``hours_by_day`` holds the unexcused absent hours per day (lesuren or
    klokuren, lateness counted as absence included); ``school_days`` are the
    student's lesson days. Only hours through ``until`` count, and a report
    whose end date is after ``until`` is not returned (not due yet).

    A report is *mandatory* when the student is under 18 on its end date and has
    no startkwalificatie. Reports for a student of 18 or older without
    startkwalificatie are returned (not mandatory) only with ``report_adults``.
    With a startkwalificatie nothing is returned. Periods are counted the same
    whether or not their report is returned.
    """
    lesson_days = set(school_days)
    school_weeks = school_week_index(
        school_days if isinstance(school_days, tuple) else tuple(sorted(lesson_days)))
    for day, value in hours_by_day.items():
        if value < 0:
            raise ValueError(f"negative hours on {day}")
        if value > 0 and day not in lesson_days:
            raise ValueError(f"unexcused hours on {day}, which is not a lesson day")

    days = sorted(
        day for day, value in hours_by_day.items()
        if value > 0 and (until is None or day <= until)
    )
    hours = {day: hours_by_day[day] for day in days}

    periods: list[tuple[dt.date, dt.date]] = []
    previous_end: dt.date | None = None
    while True:
        period = _next_period(days, hours, school_weeks, previous_end, threshold)
        if period is None:
            break
        start, end = period
        if previous_end is not None:
            earliest = previous_end + dt.timedelta(days=MIN_DAYS_BETWEEN_REPORTS)
            end = max(end, earliest)
        if until is not None and end > until:
            break
        periods.append((start, end))
        previous_end = end

    reports: list[DuoReport] = []
    for number, (start, end) in enumerate(periods):
        adult = is_adult_on(birth_date, end)
        if has_startkwalificatie or (adult and not report_adults):
            continue
        reports.append(DuoReport(
            start_date=start,
            end_date=end,
            hours=sum(value for day, value in hours.items() if start <= day <= end),
            due_date=add_working_days(end, DUE_WORKING_DAYS),
            kind="first" if number == 0 else "follow_up",
            mandatory=not adult,
        ))
    return reports
