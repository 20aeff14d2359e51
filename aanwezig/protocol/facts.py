"""Attendance facts for the protocol engine, read from the database.

The counting itself lives in ``attendance.counting``; this module only shapes
its results into the input of the pure rules (``protocol.duo``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from aanwezig.attendance.counting import lesson_outcomes, summarise_by_day
from aanwezig.schools.models import School


def unexcused_hours_by_day(
    school: School, student_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, float]]:
    """Per student, the unexcused absent hours per day between ``start`` and ``end``.

    Hours are in the school's unit (lesuren or klokuren) and follow the counting
    rules of ``attendance.counting`` (``hours_unexcused``), the lateness rule
    included. Days without unexcused hours are left out. Three queries whatever
    the number of students.
    """
    return {
        student_id: {
            day: count.hours_unexcused
            for day, count in summarise_by_day(outcomes).items()
            if count.hours_unexcused > 0
        }
        for student_id, outcomes in lesson_outcomes(school, student_ids, start, end).items()
    }
