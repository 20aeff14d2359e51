"""Counting periods over school weeks: the shared arithmetic of the protocol's conditions.

The legal DUO rule (``protocol.duo``) finds periods of 16 unexcused hours within
4 school weeks. School steps count the same way with other figures and
thresholds: 6 hours in 4 weeks, 3 times late in 4 weeks, 4 sick reports in 12
weeks. ``periods`` generalises the rule: values per day, a threshold and a
number of school weeks; counting restarts on the day after each period's end.
Pure: no database.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

from aanwezig.lib.dates import monday_of
from aanwezig.protocol.duo import EPSILON, school_week_index, window_end


def _reach(days: list[dt.date], values: Mapping[dt.date, float], first: int,
           end: dt.date | None, threshold: float) -> dt.date | None:
    total = 0.0
    for day in days[first:]:
        if end is not None and day >= end:
            return None
        total += values[day]
        if total >= threshold - EPSILON:
            return day
    return None


def periods(
    values: Mapping[dt.date, float],
    school_days: list[dt.date] | tuple[dt.date, ...],
    *,
    threshold: float,
    weeks: int | None,
    until: dt.date,
) -> list[tuple[dt.date, dt.date, float]]:
    """Return the counting periods (start, end, total) in order.

    1. Days with a value > 0 through ``until`` are candidate starts.
    2. A candidate S ends on the first day E inside its window (``weeks`` school
       weeks, as in the DUO rule; ``None``: no window, the whole range) on which
       the sum from S through E reaches ``threshold``.
    3. The earliest end wins (and of those, the earliest start); counting
       restarts on the day after it.
    """
    days = sorted(day for day, value in values.items() if value > 0 and day <= until)
    if not days:
        return []
    school_weeks = school_week_index(tuple(school_days))
    if any(monday_of(day) not in school_weeks for day in days):
        school_weeks = school_week_index(list(school_days) + days)
    found: list[tuple[dt.date, dt.date, float]] = []
    after: dt.date | None = None
    while True:
        best: tuple[dt.date, dt.date] | None = None
        for index, start in enumerate(days):
            if after is not None and start <= after:
                continue
            if best is not None and start > best[1]:
                break
            limit = window_end(start, school_weeks, weeks) if weeks else None
            end = _reach(days, values, index, limit, threshold)
            if end is not None and (best is None or end < best[1]):
                best = (start, end)
        if best is None:
            return found
        start, end = best
        found.append((start, end, sum(values[d] for d in days if start <= d <= end)))
        after = end


def recent_school_days(school_days: list[dt.date] | tuple[dt.date, ...], today: dt.date,
                       weeks: int) -> list[dt.date]:
    """Return the school days of the last ``weeks`` school weeks, through ``today``.

    The current school week (the week of the last school day on or before
    ``today``) is the last of them; weeks without lessons are skipped.
    """
    return list(_recent(tuple(school_days), today, weeks))


@functools.lru_cache(maxsize=256)
def _recent(school_days: tuple[dt.date, ...], today: dt.date, weeks: int) -> tuple[dt.date, ...]:
    # Asked for the same school calendar for every student of a sweep.
    past = [day for day in school_days if day <= today]
    if not past:
        return ()
    index = school_week_index(school_days)
    first_week = index[monday_of(past[-1])] - weeks + 1
    return tuple(day for day in past if index[monday_of(day)] >= first_week)
