"""The one way to count attendance. Every figure on a page, in a letter or in the protocol
engine comes from here.

Rules (docs/attendance.md):

* Only scheduled (not cancelled) lessons of groups the student belonged to on
  the lesson's date count.
* A lesson without a Registration is *unregistered*: it is counted apart and is
  not one of ``lessons``.
* A registered lesson without a mark is present. A mark whose reason counts as
  present (internship, school activity, removal) is present.
* Absent with an excused reason is excused; absent without a reason or with an
  unexcused reason is unexcused.
* Late counts as late and as present, except late by more than the school's
  ``late_absent_after_minutes``: that is an absent lesson (unexcused, unless the
  reason is an excused one) and still counts as late.
* Removed counts as removed and follows its reason; without a reason it is present.
* Hours are lesson hours (1 per lesson) or clock hours (lesson minutes / 60),
  per ``School.hour_unit``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from aanwezig.attendance.models import CountsAs, Mark, MarkStatus
from aanwezig.roster.models import Lesson, LessonStatus, Membership, Student
from aanwezig.schools.models import HourUnit, School

PRESENT = "present"
ABSENT_EXCUSED = "absent_excused"
ABSENT_UNEXCUSED = "absent_unexcused"


@dataclass
class AttendanceCount:
    lessons: int = 0
    present: int = 0
    absent_excused: int = 0
    absent_unexcused: int = 0
    late: int = 0
    removed: int = 0
    unregistered: int = 0
    hours_present: float = 0.0
    hours_excused: float = 0.0
    hours_unexcused: float = 0.0

    @property
    def percent_present(self) -> float | None:
        if not self.lessons:
            return None
        return self.present / self.lessons * 100

    @property
    def absent(self) -> int:
        return self.absent_excused + self.absent_unexcused

    def add(self, outcome: LessonOutcome) -> None:
        if not outcome.registered:
            self.unregistered += 1
            return
        self.lessons += 1
        self.late += outcome.late
        self.removed += outcome.removed
        if outcome.result == PRESENT:
            self.present += 1
            self.hours_present += outcome.hours
        elif outcome.result == ABSENT_EXCUSED:
            self.absent_excused += 1
            self.hours_excused += outcome.hours
        else:
            self.absent_unexcused += 1
            self.hours_unexcused += outcome.hours


@dataclass(frozen=True)
class LessonOutcome:
    """How one counted lesson turned out for one student."""

    lesson_id: int
    date: dt.date
    start_time: dt.time
    hours: float
    registered: bool
    result: str | None  # PRESENT, ABSENT_EXCUSED, ABSENT_UNEXCUSED; None when unregistered
    late: bool = False
    removed: bool = False
    reason_label: str | None = None
    has_mark: bool = False


def judge(mark: Mapping[str, Any] | None, late_limit: int) -> tuple[str, bool, bool]:
    """Return (result, late, removed) for a registered lesson with ``mark`` (a values() row)."""
    if mark is None:
        return PRESENT, False, False
    counts_as, excused = mark["reason__counts_as"], bool(mark["reason__excused"])
    by_reason = ABSENT_EXCUSED if excused else ABSENT_UNEXCUSED
    status = mark["status"]
    if status == MarkStatus.LATE:
        too_late = (mark["minutes_late"] or 0) > late_limit
        if too_late:
            return (ABSENT_EXCUSED if excused and counts_as == CountsAs.ABSENT
                    else ABSENT_UNEXCUSED), True, False
        return PRESENT, True, False
    if status == MarkStatus.REMOVED:
        if counts_as == CountsAs.ABSENT:
            return by_reason, False, True
        return PRESENT, False, True
    if counts_as == CountsAs.PRESENT:
        return PRESENT, False, False
    return by_reason, False, False


def _hours(school: School, start: dt.time, end: dt.time) -> float:
    if school.hour_unit == HourUnit.KLOKUUR:
        minutes = (dt.datetime.combine(dt.date.min, end)
                   - dt.datetime.combine(dt.date.min, start)).total_seconds() / 60
        return minutes / 60
    return 1.0


def lesson_outcomes(
    school: School, student_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, list[LessonOutcome]]:
    """Every counted lesson of each student between ``start`` and ``end`` (inclusive), in
    date and time order. Three queries whatever the number of students."""
    ids = sorted(set(student_ids))
    result: dict[int, list[LessonOutcome]] = {pk: [] for pk in ids}
    if not ids or end < start:
        return result
    # 1. Memberships overlapping the range.
    memberships = list(
        Membership.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start),
            school=school, student_id__in=ids, start_date__lte=end,
        ).values_list("student_id", "group_id", "start_date", "end_date")
    )
    by_group: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for student_id, group_id, m_start, m_end in memberships:
        by_group[group_id].append((student_id, m_start, m_end))
    # 2. Scheduled lessons of those groups, with whether a register was taken.
    lessons = list(
        Lesson.objects.filter(
            school=school, group_id__in=list(by_group), date__gte=start, date__lte=end,
            status=LessonStatus.SCHEDULED,
        ).values_list("pk", "group_id", "date", "start_time", "end_time", "registration__id")
        .order_by("date", "start_time", "pk")
    )
    # 3. The students' marks in the range, with their reasons' meaning.
    marks = {
        (row["student_id"], row["lesson_id"]): row
        for row in Mark.objects.filter(
            school=school, student_id__in=ids, date__gte=start, date__lte=end
        ).values("student_id", "lesson_id", "status", "minutes_late", "reason__counts_as",
                 "reason__excused", "reason__label")
    }
    limit = school.late_absent_after_minutes
    for lesson_id, group_id, day, l_start, l_end, registration_id in lessons:
        hours = _hours(school, l_start, l_end)
        seen: set[int] = set()
        for student_id, m_start, m_end in by_group[group_id]:
            if student_id in seen or day < m_start or (m_end is not None and day > m_end):
                continue
            seen.add(student_id)
            mark = marks.get((student_id, lesson_id))
            if registration_id is None:
                outcome = LessonOutcome(lesson_id, day, l_start, hours, False, None,
                                        has_mark=mark is not None)
            else:
                verdict, late, removed = judge(mark, limit)
                outcome = LessonOutcome(
                    lesson_id, day, l_start, hours, True, verdict, late, removed,
                    reason_label=mark["reason__label"] if mark else None,
                    has_mark=mark is not None,
                )
            result[student_id].append(outcome)
    return result


def summarise(outcomes: Iterable[LessonOutcome], start: dt.date | None = None,
              end: dt.date | None = None) -> AttendanceCount:
    """Add up outcomes, optionally only those between ``start`` and ``end``."""
    count = AttendanceCount()
    for outcome in outcomes:
        if (start is None or outcome.date >= start) and (end is None or outcome.date <= end):
            count.add(outcome)
    return count


def summarise_by_day(outcomes: Iterable[LessonOutcome]) -> dict[dt.date, AttendanceCount]:
    """Add up outcomes per day: the counts of ``summarise`` for each day with lessons."""
    counts: dict[dt.date, AttendanceCount] = defaultdict(AttendanceCount)
    for outcome in outcomes:
        counts[outcome.date].add(outcome)
    return dict(counts)


def count_attendance_many(
    school: School, student_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, AttendanceCount]:
    """Count attendance for many students of ``school`` at once (a fixed number of queries)."""
    return {pk: summarise(items) for pk, items in
            lesson_outcomes(school, student_ids, start, end).items()}


def count_attendance(student: Student, start: dt.date, end: dt.date) -> AttendanceCount:
    """Count one student's attendance between ``start`` and ``end`` inclusive."""
    return count_attendance_many(student.school, [student.pk], start, end)[student.pk]
