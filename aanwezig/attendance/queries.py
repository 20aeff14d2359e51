"""Reads for the attendance pages. Callers pass objects they already got through the
gatekeeper; every function runs a fixed number of queries (no query per student)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig.attendance.counting import (
    ABSENT_EXCUSED,
    PRESENT,
    AttendanceCount,
    LessonOutcome,
    lesson_outcomes,
    summarise,
)
from aanwezig.attendance.models import (
    AbsenceReport,
    CallLog,
    Mark,
    MarkChange,
    MarkStatus,
    ReasonCategory,
)
from aanwezig.attendance.services import UNKNOWN_REASON, active_reports, report_covers
from aanwezig.lib.dates import daterange, monday_of
from aanwezig.roster.models import (
    Guardian,
    Lesson,
    LessonStatus,
    Membership,
    Student,
    StudentGuardian,
    active_membership_q,
)
from aanwezig.schools.calendar import Calendar, school_year_on
from aanwezig.schools.models import School, Term

# --- the register ------------------------------------------------------------------------------

@dataclass
class RegisterRow:
    student: Student
    mark: Mark | None
    locked: bool
    lock_reason: str | None
    history_count: int
    report: AbsenceReport | None = None


def register_rows(lesson: Lesson) -> list[RegisterRow]:
    """Every student of the lesson (group members on its date, by last name) with their mark.

    A row is locked when its mark comes from an absence report, or when an
    active report covers the lesson and the register has not been saved since.
    """
    students = list(
        Student.objects.filter(
            pk__in=Membership.objects.filter(
                active_membership_q(lesson.date), group_id=lesson.group_id
            ).values("student_id")
        ).order_by("last_name", "given_name", "pk")
    )
    ids = [s.pk for s in students]
    marks = {
        m.student_id: m
        for m in Mark.objects.filter(lesson_id=lesson.pk).select_related("reason", "report__reason")
    }
    covering: dict[int, AbsenceReport] = {}
    for found in active_reports(ids, lesson.date, lesson.date).select_related("reason"):
        if report_covers(found, lesson.date, lesson.start_time, lesson.end_time):
            covering.setdefault(found.student_id, found)
    history = dict(
        MarkChange.objects.filter(lesson_id=lesson.pk).values("student_id")
        .annotate(n=Count("pk")).values_list("student_id", "n")
    )
    rows = []
    for student in students:
        mark = marks.get(student.pk)
        report: AbsenceReport | None = mark.report if mark is not None and mark.report_id else covering.get(student.pk)
        rows.append(RegisterRow(
            student=student, mark=mark, locked=report is not None,
            lock_reason=report.reason.label if report is not None else None,
            history_count=history.get(student.pk, 0), report=report,
        ))
    return rows


def lesson_history(lesson: Lesson) -> list[MarkChange]:
    """Every change to the lesson's register, newest first."""
    return list(
        MarkChange.objects.filter(lesson_id=lesson.pk)
        .select_related("student", "changed_by")
        .order_by("-changed_at", "-pk")
    )


def student_history(student: Student, limit: int = 50) -> list[MarkChange]:
    """The latest changes to a student's marks, newest first."""
    return list(
        MarkChange.objects.filter(student_id=student.pk)
        .select_related("lesson", "lesson__group", "changed_by")
        .order_by("-changed_at", "-pk")[:limit]
    )


# --- missing registers -------------------------------------------------------------------------

def _local_now(school: School, now: dt.datetime | None) -> dt.datetime:
    import zoneinfo

    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(school.timezone))


def _missing(school: School, start: dt.date, end: dt.date, now: dt.datetime | None) -> Any:
    """Scheduled lessons from ``start`` to ``end`` that have started by ``now`` and have no
    register."""
    local = _local_now(school, now)
    today = local.date()
    lessons = Lesson.objects.filter(
        school=school, status=LessonStatus.SCHEDULED, registration__isnull=True,
        date__gte=start, date__lte=min(end, today),
    )
    return lessons.filter(Q(date__lt=today) | Q(date=today, start_time__lte=local.time()))


def missing_registers(school: School, day: dt.date, *,
                      now: dt.datetime | None = None) -> list[tuple[Any, list[Lesson]]]:
    """Lessons on ``day`` that have started by ``now`` without a register, per teacher."""
    lessons = (
        _missing(school, day, day, now).select_related("teacher", "group", "period")
        .order_by("teacher__last_name", "teacher__first_name", "teacher_id", "start_time")
    )
    grouped: dict[int, tuple[Any, list[Lesson]]] = {}
    for lesson in lessons:
        grouped.setdefault(lesson.teacher_id, (lesson.teacher, []))[1].append(lesson)
    return list(grouped.values())


def my_missing_registers(user: Any, school: School, day: dt.date, *,
                         now: dt.datetime | None = None) -> list[Lesson]:
    """The user's own lessons on ``day`` that have started without a register."""
    return list(
        _missing(school, day, day, now).filter(teacher_id=user.pk)
        .select_related("group", "period").order_by("start_time")
    )


def missing_registers_by_day(school: School, start: dt.date,
                             end: dt.date) -> list[tuple[dt.date, int]]:
    """Per school day from ``start`` through ``end`` (not beyond today): lessons without a
    register."""
    counts = dict(
        _missing(school, start, end, None).values("date").annotate(n=Count("pk"))
        .values_list("date", "n")
    )
    today = _local_now(school, None).date()
    last = min(end, today)
    if last < start:
        return []
    days = Calendar(school, start, last).school_days()
    return [(day, counts.get(day, 0)) for day in days]


# --- the attendance desk -----------------------------------------------------------------------

@dataclass
class ContactGuardian:
    guardian: Guardian
    relation: str
    phone: str
    has_authority: bool


@dataclass
class Unexplained:
    """A student absent on the day without a known reason."""

    student: Student
    marks: list[Mark]
    lessons: list[Lesson]
    first_missed: dt.time
    is_adult: bool
    guardians: list[ContactGuardian] = field(default_factory=list)
    calls: list[CallLog] = field(default_factory=list)


@dataclass
class DeskDay:
    day: dt.date
    unexplained: list[Unexplained]
    late: list[tuple[Student, list[Mark]]]
    sick: list[tuple[Student, AbsenceReport]]
    on_leave: list[tuple[Student, AbsenceReport]]
    removed: list[tuple[Student, list[Mark]]]


def _by_student(marks: list[Mark]) -> list[tuple[Student, list[Mark]]]:
    grouped: dict[int, tuple[Student, list[Mark]]] = {}
    for mark in marks:
        grouped.setdefault(mark.student_id, (mark.student, []))[1].append(mark)
    return sorted(grouped.values(), key=lambda item: (item[0].last_name, item[0].given_name))


def desk_day(school: School, day: dt.date) -> DeskDay:
    """What the attendance desk works through on ``day``.

    ``unexplained`` lists students absent without a reason (or with the reason
    "not yet known") and without an active absence report, with the lessons they
    missed, the parents or carers the desk may phone (for an adult student only
    those the student allows) and the calls logged so far. Five queries.
    """
    marks = list(
        Mark.objects.filter(school=school, date=day, lesson__status=LessonStatus.SCHEDULED)
        .select_related("student", "reason", "lesson", "lesson__group")
        .order_by("lesson__start_time", "pk")
    )
    reports = list(
        AbsenceReport.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day),
            school=school, withdrawn=False, start_date__lte=day,
        ).select_related("student", "reason")
    )
    reported = {report.student_id for report in reports}
    open_marks: dict[int, list[Mark]] = defaultdict(list)
    for mark in marks:
        unexplained = mark.reason is None or mark.reason.code == UNKNOWN_REASON
        if (mark.status == MarkStatus.ABSENT and unexplained and not mark.report_id
                and mark.student_id not in reported):
            open_marks[mark.student_id].append(mark)
    links: dict[int, list[StudentGuardian]] = defaultdict(list)
    calls: dict[int, list[CallLog]] = defaultdict(list)
    if open_marks:
        for link in StudentGuardian.objects.filter(
                student_id__in=list(open_marks)).select_related("guardian").order_by("pk"):
            links[link.student_id].append(link)
        for call in CallLog.objects.filter(
                school=school, date=day, student_id__in=list(open_marks)
        ).select_related("guardian", "called_by").order_by("called_at"):
            calls[call.student_id].append(call)
    unexplained_rows = []
    for student_id, student_marks in open_marks.items():
        student = student_marks[0].student
        adult = student.is_adult_on(day)
        unexplained_rows.append(Unexplained(
            student=student, marks=student_marks,
            lessons=[m.lesson for m in student_marks],
            first_missed=min(m.lesson.start_time for m in student_marks),
            is_adult=adult,
            guardians=[
                ContactGuardian(guardian=link.guardian, relation=link.get_relation_display(),
                                phone=link.guardian.phone, has_authority=link.has_authority)
                for link in links[student_id]
                if not adult or link.adult_consent_contact
            ],
            calls=calls[student_id],
        ))
    unexplained_rows.sort(key=lambda u: (u.first_missed, u.student.last_name))
    sick = [(r.student, r) for r in reports if r.reason.category == ReasonCategory.SICK]
    on_leave = [(r.student, r) for r in reports if r.reason.category != ReasonCategory.SICK]
    return DeskDay(
        day=day,
        unexplained=unexplained_rows,
        late=_by_student([m for m in marks if m.status == MarkStatus.LATE]),
        sick=sorted(sick, key=lambda item: item[0].last_name),
        on_leave=sorted(on_leave, key=lambda item: item[0].last_name),
        removed=_by_student([m for m in marks if m.status == MarkStatus.REMOVED]),
    )


# --- one student's attendance ------------------------------------------------------------------

@dataclass
class StudentAttendance:
    week: AttendanceCount
    term: AttendanceCount
    year: AttendanceCount
    calendar: dict[dt.date, str]
    by_reason: dict[str, int]
    unexcused_hours_4_weeks: float
    late_count: int
    history: list[MarkChange]
    term_name: str = ""


def _day_status(outcomes: list[LessonOutcome]) -> str:
    registered = [o for o in outcomes if o.registered]
    if not registered:
        return "none"
    absent = [o for o in registered if o.result != PRESENT]
    if not absent:
        return "late" if any(o.late for o in registered) else "present"
    if len(absent) < len(registered):
        return "partly"
    if all(o.result == ABSENT_EXCUSED for o in absent):
        return "absent_excused"
    return "absent_unexcused"


def student_attendance(student: Student, today: dt.date) -> StudentAttendance:
    """A student's attendance figures, year calendar and history, as of ``today``."""
    school = student.school
    year = school_year_on(school, today)
    history = student_history(student)
    if year is None:
        empty = AttendanceCount()
        return StudentAttendance(week=empty, term=AttendanceCount(), year=AttendanceCount(),
                                 calendar={}, by_reason={}, unexcused_hours_4_weeks=0.0,
                                 late_count=0, history=history)
    # The last 4 school weeks may reach back over a long holiday into the previous year.
    lookback = today - dt.timedelta(weeks=16)
    weeks = Calendar(school, lookback, today).school_weeks()
    four_weeks_start = weeks[-4] if len(weeks) >= 4 else (weeks[0] if weeks else monday_of(today))
    start = min(year.start_date, four_weeks_start)
    outcomes = lesson_outcomes(school, [student.pk], start, today)[student.pk]
    term = Term.objects.filter(school_year=year, start_date__lte=today,
                               end_date__gte=today).first()
    year_outcomes = [o for o in outcomes if o.date >= year.start_date]
    by_day: dict[dt.date, list[LessonOutcome]] = defaultdict(list)
    by_reason: dict[str, int] = defaultdict(int)
    for outcome in year_outcomes:
        by_day[outcome.date].append(outcome)
        if outcome.registered and outcome.has_mark:
            by_reason[outcome.reason_label or _("no reason given")] += 1
    school_days = Calendar(school, year.start_date, year.end_date)
    calendar: dict[dt.date, str] = {}
    for day in daterange(year.start_date, year.end_date):
        if day.weekday() >= 5:
            continue
        if not school_days.is_school_day(day):
            calendar[day] = "holiday"
        elif day > today:
            calendar[day] = "future"
        else:
            calendar[day] = _day_status(by_day.get(day, []))
    year_count = summarise(year_outcomes)
    return StudentAttendance(
        week=summarise(year_outcomes, monday_of(today), today),
        term=summarise(year_outcomes, term.start_date, today) if term else AttendanceCount(),
        year=year_count,
        calendar=calendar,
        by_reason=dict(sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))),
        unexcused_hours_4_weeks=summarise(outcomes, four_weeks_start, today).hours_unexcused,
        late_count=year_count.late,
        history=history,
        term_name=term.name if term else "",
    )
