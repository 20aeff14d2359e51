"""Attendance facts for the protocol engine, read from the database.

The counting itself lives in ``attendance.counting``; this module only shapes
its results into the input of the pure rules (``protocol.duo``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, Value

from aanwezig.attendance.counting import (
    ABSENT_UNEXCUSED,
    PRESENT,
    judge,
    lesson_outcomes,
    summarise_by_day,
)
from aanwezig.attendance.models import AbsenceReport, Mark, ReasonCategory
from aanwezig.leave.models import LeaveRequest, LeaveStatus
from aanwezig.lib.dates import daterange
from aanwezig.protocol.models import Protocol
from aanwezig.protocol.vocabulary import StudentFacts
from aanwezig.roster.models import Lesson, LessonStatus, Membership, Student
from aanwezig.schools.calendar import Calendar, school_year_on
from aanwezig.schools.models import DayOff, HourUnit, School


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


# --- facts for the protocol engine ---------------------------------------------------------------

#: What a row of the sick-report and refused-leave query is (``build_facts`` step 4).
SICK, REFUSED_LEAVE = 1, 2

@dataclass
class SchoolContext:
    """What is the same for every student of a school on a day: the school year's calendar."""

    school: School
    today: dt.date
    year_start: dt.date
    school_days: tuple[dt.date, ...]
    holidays: frozenset[dt.date]
    report_adults: bool


def school_context(school: School, today: dt.date) -> SchoolContext | None:
    """Return the calendar of the school year containing ``today`` (None outside one)."""
    year = school_year_on(school, today)
    if year is None:
        return None
    off: set[dt.date] = set()
    for start, end in DayOff.objects.filter(school=school, school_year=year).values_list(
            "start_date", "end_date"):
        off.update(day for day in daterange(start, end) if day.weekday() < 5)
    calendar = Calendar(school, year.start_date, year.end_date)
    report_adults = bool(
        Protocol.objects.filter(school=school).values_list("report_adults", flat=True).first()
    )
    return SchoolContext(school, today, year.start_date, tuple(calendar.school_days()),
                         frozenset(off), report_adults)


def build_facts(context: SchoolContext, student_ids: Iterable[int] | None = None, *,
                only_with_absence: bool = False) -> dict[int, StudentFacts]:
    """Build the engine's facts for students of one school, from the start of the school year
    through ``context.today``.

    Counts follow ``attendance.counting`` (``judge`` decides each mark): only scheduled,
    registered lessons of groups the student belonged to that day count; a registered
    lesson without a mark is present. Lessons are counted per group and day, marks per
    student, so the cost grows with absences, not with lessons times students.
    ``student_ids=None``: every student of the school. ``only_with_absence``: leave out
    students with no mark and no sick report (nothing can trigger for them).

    Queries: students, memberships, lesson counts, marks, sick reports with refused leave —
    five.
    """
    school, start, today = context.school, context.year_start, context.today
    ids = None if student_ids is None else sorted(set(student_ids))
    students = Student.objects.filter(school=school)
    if ids is not None:
        students = students.filter(pk__in=ids)
    rows = list(students.values_list("pk", "birth_date", "has_startkwalificatie"))
    wanted = [pk for pk, *_rest in rows]
    if not wanted:
        return {}

    # 1. Memberships overlapping the school year so far.
    memberships = Membership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start), school=school, start_date__lte=today,
    )
    if ids is not None:
        memberships = memberships.filter(student_id__in=wanted)
    spans: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for student_id, group_id, m_start, m_end in memberships.values_list(
            "student_id", "group_id", "start_date", "end_date"):
        spans[student_id].append((group_id, m_start, m_end))
    groups = {group_id for items in spans.values() for group_id, _s, _e in items}

    # 2. Registered, scheduled lessons per group and day.
    lessons_by_group: dict[int, dict[dt.date, int]] = defaultdict(dict)
    lesson_rows = (
        Lesson.objects.filter(school=school, date__gte=start, date__lte=today,
                              status=LessonStatus.SCHEDULED, registration__isnull=False)
        .values_list("group_id", "date").annotate(n=Count("pk")).order_by()
    )
    if ids is not None:
        lesson_rows = lesson_rows.filter(group_id__in=groups)
    for group_id, day, count in lesson_rows:
        lessons_by_group[group_id][day] = count

    # 3. Marks on those lessons, judged as attendance.counting judges them.
    marks = Mark.objects.filter(
        school=school, date__gte=start, date__lte=today, lesson__status=LessonStatus.SCHEDULED,
        lesson__registration__isnull=False,
    )
    if ids is not None:
        marks = marks.filter(student_id__in=wanted)
    limit = school.late_absent_after_minutes
    klokuur = school.hour_unit == HourUnit.KLOKUUR
    judged: dict[int, list[tuple[dt.date, int, str, bool, float]]] = defaultdict(list)
    fields = ["student_id", "date", "lesson__group_id", "status", "minutes_late",
              "reason__counts_as", "reason__excused"]
    if klokuur:
        fields += ["lesson__start_time", "lesson__end_time"]
    for row in marks.values(*fields):
        verdict, is_late, _removed = judge(row, limit)
        if verdict == PRESENT and not is_late:
            continue
        hours = 1.0
        if klokuur:
            hours = (dt.datetime.combine(dt.date.min, row["lesson__end_time"])
                     - dt.datetime.combine(dt.date.min, row["lesson__start_time"])
                     ).total_seconds() / 3600
        judged[row["student_id"]].append((row["date"], row["lesson__group_id"], verdict,
                                          is_late, hours))

    # 4. Sick reports (not withdrawn) and refused leave requests overlapping the school year
    #    so far, in one query (UNION ALL): sick days feed MAZL, the days the school refused
    #    leave for feed suspected luxury absence (``LuxuryAbsence``).
    sick = AbsenceReport.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start), school=school, withdrawn=False,
        reason__category=ReasonCategory.SICK, start_date__lte=today,
    )
    refused = LeaveRequest.objects.filter(school=school, status=LeaveStatus.REFUSED,
                                          start_date__lte=today, end_date__gte=start)
    if ids is not None:
        sick = sick.filter(student_id__in=wanted)
        refused = refused.filter(student_id__in=wanted)
    columns = ("student_id", "start_date", "end_date", "what")
    spells = sick.annotate(what=Value(SICK)).order_by().values_list(*columns).union(
        refused.annotate(what=Value(REFUSED_LEAVE)).order_by().values_list(*columns), all=True)
    sick_reports: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    leave_refused: dict[int, set[dt.date]] = defaultdict(set)
    for student_id, s_start, s_end, what in spells:
        if what == SICK:
            sick_reports[student_id].append((s_start, s_end))
        else:
            leave_refused[student_id].update(daterange(max(s_start, start), min(s_end, today)))

    school_day_set = frozenset(context.school_days)
    facts: dict[int, StudentFacts] = {}
    for pk, birth_date, startkwalificatie in rows:
        if only_with_absence and pk not in judged and pk not in sick_reports:
            continue
        member = spans.get(pk, [])

        def belongs(group_id: int, day: dt.date, member: list = member) -> bool:
            return any(g == group_id and s <= day and (e is None or day <= e)
                       for g, s, e in member)

        lessons: dict[dt.date, int] = defaultdict(int)
        for group_id, m_start, m_end in member:
            for day, count in lessons_by_group.get(group_id, {}).items():
                if m_start <= day and (m_end is None or day <= m_end):
                    lessons[day] += count
        present = dict(lessons)
        unexcused_hours: dict[dt.date, float] = defaultdict(float)
        unexcused_lessons: dict[dt.date, int] = defaultdict(int)
        late: dict[dt.date, int] = defaultdict(int)
        for day, group_id, verdict, was_late, hours in judged.get(pk, []):
            if not belongs(group_id, day):
                continue
            if was_late:
                late[day] += 1
            if verdict != PRESENT:
                present[day] = present.get(day, 0) - 1
            if verdict == ABSENT_UNEXCUSED:
                unexcused_hours[day] += hours
                unexcused_lessons[day] += 1
        sick_days: set[dt.date] = set()
        starts = []
        for s_start, s_end in sick_reports.get(pk, []):
            if s_start >= start:
                starts.append(s_start)
            sick_days.update(day for day in daterange(max(s_start, start), min(s_end or today,
                                                                                 today))
                             if day in school_day_set)
        facts[pk] = StudentFacts(
            student_id=pk, birth_date=birth_date, sector=school.sector,
            has_startkwalificatie=startkwalificatie,
            school_days=(context.school_days if school_day_set.issuperset(unexcused_hours)
                         else tuple(sorted(school_day_set | set(unexcused_hours)))),
            hour_unit=school.hour_unit, holidays=context.holidays,
            unexcused_hours=dict(unexcused_hours), unexcused_lessons=dict(unexcused_lessons),
            lessons=dict(lessons), present=present, late=dict(late),
            sick_report_starts=tuple(sorted(starts)), sick_days=frozenset(sick_days),
            leave_refused=frozenset(leave_refused.get(pk, ())),
            report_adults=context.report_adults,
        )
    return facts
