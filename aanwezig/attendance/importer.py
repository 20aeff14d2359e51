"""Import registered attendance from a CSV file (docs/import-attendance.md).

The whole file is checked first; every bad row is reported with its line number
and nothing is imported when any row is bad. A good file is imported in one
transaction: each lesson in the file gets a register, each row sets the
student's mark (``source="import"``) with a history row, and importing the same
file again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig.attendance.models import AbsenceReport, Mark, MarkSource, MarkStatus, Registration
from aanwezig.attendance.services import (
    MarkWriter,
    Wanted,
    WriteCounts,
    active_reports,
    reason_codes,
    report_covers,
    report_wanted,
)
from aanwezig.audit.services import record_change
from aanwezig.roster.models import Lesson, LessonStatus, Membership, Student
from aanwezig.schools.models import School, SchoolYear

#: Accepted status words (English and Dutch) → mark status (``None``: present).
STATUSES: dict[str, str | None] = {
    "present": None, "aanwezig": None,
    "absent": MarkStatus.ABSENT, "afwezig": MarkStatus.ABSENT,
    "late": MarkStatus.LATE, "te_laat": MarkStatus.LATE, "te laat": MarkStatus.LATE,
    "removed": MarkStatus.REMOVED, "verwijderd": MarkStatus.REMOVED,
}
REQUIRED = ("student_key", "date", "status")


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(problem)s") % {"line": self.line, "problem": self.message}


@dataclass
class ImportResult:
    rows: int = 0
    lessons: int = 0
    registers_created: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> int:
        return self.counts.changed


@dataclass
class _Row:
    line: int
    student: Student
    lesson: Lesson
    status: str | None
    reason_id: int | None
    minutes_late: int | None


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_time(text: str) -> dt.time | None:
    for fmt in ("%H:%M", "%H:%M:%S", "%H.%M"):
        try:
            return dt.datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    return None


def _reader(text: str) -> csv.DictReader[str]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return csv.DictReader(io.StringIO(text), delimiter=delimiter)


def read_file(data: bytes | str) -> str:
    """Decode a CSV file as UTF-8 (with or without a byte order mark)."""
    if isinstance(data, bytes):
        return data.decode("utf-8-sig")
    return data.lstrip("\ufeff")


def import_attendance(school: School, data: bytes | str, *, actor: Any = None,
                      dry_run: bool = False) -> ImportResult:
    """Check and import a CSV file of registered attendance for ``school``.

    1. Parse every row; collect a problem per bad value (line numbers as in the file).
    2. Look up students, school years, lessons and reasons in a fixed number of queries.
    3. On any problem return them and write nothing.
    4. Otherwise write registers, marks and history in one transaction (rolled back
       for a dry run, so that the counts are still exact).
    """
    result = ImportResult(dry_run=dry_run)
    try:
        text = read_file(data)
    except UnicodeDecodeError:
        result.problems.append(Problem(1, _("The file is not UTF-8 text.")))
        return result
    reader = _reader(text)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    missing = [c for c in REQUIRED if c not in columns]
    if "period" not in columns and "start_time" not in columns:
        missing.append("period / start_time")
    if missing:
        result.problems.append(Problem(1, _("Missing columns: %(columns)s.")
                                       % {"columns": ", ".join(missing)}))
        return result

    raw = []
    for record in reader:
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue
        raw.append((reader.line_num, values))
    result.rows = len(raw)

    # 2. Everything the rows refer to, loaded once.
    students = {s.school_key: s for s in Student.objects.filter(school=school)}
    years = list(SchoolYear.objects.filter(school=school))
    reasons, codes = reason_codes(school.pk)
    dates = [d for d in (_parse_date(v.get("date", "")) for _, v in raw) if d]
    lessons_by_group: dict[tuple[int, dt.date], list[Lesson]] = defaultdict(list)
    memberships: dict[int, list[Membership]] = defaultdict(list)
    if dates:
        first, last = min(dates), max(dates)
        for candidate in Lesson.objects.filter(school=school, date__gte=first, date__lte=last) \
                .select_related("period"):
            lessons_by_group[(candidate.group_id, candidate.date)].append(candidate)
        for membership in Membership.objects.filter(
                Q(end_date__isnull=True) | Q(end_date__gte=first),
                school=school, start_date__lte=last):
            memberships[membership.student_id].append(membership)

    rows: list[_Row] = []
    seen: dict[tuple[int, int], int] = {}
    for line, values in raw:
        problems: list[str] = []
        key = values.get("student_key", "")
        student = students.get(key)
        if student is None:
            problems.append(_("unknown student “%(key)s”.") % {"key": key})
        day = _parse_date(values.get("date", ""))
        if day is None:
            problems.append(_("“%(value)s” is not a date; use YYYY-MM-DD or DD-MM-YYYY.")
                            % {"value": values.get("date", "")})
        elif not any(year.contains(day) for year in years):
            problems.append(_("%(date)s lies outside the school year.") % {"date": f"{day:%d-%m-%Y}"})
            day = None
        status_text = values.get("status", "").lower()
        if status_text not in STATUSES:
            problems.append(_("unknown status “%(value)s”; use present, absent, late or removed.")
                            % {"value": values.get("status", "")})
        status = STATUSES.get(status_text)
        reason = None
        code = values.get("reason_code", "")
        if code:
            reason = reasons.get(code)
            if reason is None or not reason.is_active:
                problems.append(_("unknown reason “%(code)s”.") % {"code": code})
        minutes = None
        if values.get("minutes_late"):
            try:
                minutes = int(values["minutes_late"])
                if minutes < 0:
                    raise ValueError
            except ValueError:
                problems.append(_("“%(value)s” is not a number of minutes.")
                                % {"value": values["minutes_late"]})
        lesson: Lesson | None = None
        if student is not None and day is not None:
            lesson, problem = _find_lesson(student, day, values, memberships, lessons_by_group)
            if problem:
                problems.append(problem)
        if lesson is not None and student is not None:
            pair = (lesson.pk, student.pk)
            if pair in seen:
                problems.append(_("the same student and lesson as line %(line)s.")
                                % {"line": seen[pair]})
            seen.setdefault(pair, line)
        for message in problems:
            result.problems.append(Problem(line, message))
        if not problems and student is not None and lesson is not None:
            if status != MarkStatus.LATE:
                minutes = None
            rows.append(_Row(line, student, lesson, status,
                             reason.pk if reason is not None and status else None, minutes))
    if result.problems:
        return result

    with transaction.atomic():
        _write(school, rows, result, codes=codes, actor=actor)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _find_lesson(student: Student, day: dt.date, values: dict[str, str],
                 memberships: dict[int, list[Membership]],
                 lessons_by_group: dict[tuple[int, dt.date], list[Lesson]],
                 ) -> tuple[Lesson | None, str | None]:
    period, start_text, end_text = (values.get("period", ""), values.get("start_time", ""),
                                    values.get("end_time", ""))
    start = _parse_time(start_text) if start_text else None
    end = _parse_time(end_text) if end_text else None
    if (start_text and start is None) or (end_text and end is None):
        return None, _("“%(value)s” is not a time; use HH:MM.") % {
            "value": start_text if start is None and start_text else end_text}
    if not period and start is None:
        return None, _("give a period or a start time.")
    groups = {m.group_id for m in memberships.get(student.pk, []) if m.active_on(day)}
    candidates = [lesson for group_id in groups for lesson in lessons_by_group.get((group_id, day), [])]
    for lesson in candidates:
        if period and (lesson.period is None or str(lesson.period.number) != period):
            continue
        if start is not None and lesson.start_time != start:
            continue
        if end is not None and lesson.end_time != end:
            continue
        if lesson.status == LessonStatus.CANCELLED:
            return None, _("the lesson at that time on %(date)s was cancelled.") % {
                "date": f"{day:%d-%m-%Y}"}
        return lesson, None
    when = _("period %(period)s") % {"period": period} if period else start_text
    return None, _("%(student)s has no lesson at %(when)s on %(date)s.") % {
        "student": student.full_name, "when": when, "date": f"{day:%d-%m-%Y}"}


def _write(school: School, rows: list[_Row], result: ImportResult, *, codes: dict[int, str],
           actor: Any) -> None:
    lessons = {row.lesson.pk: row.lesson for row in rows}
    result.lessons = len(lessons)
    now = timezone.now()
    existing = {(m.lesson_id, m.student_id): m for m in Mark.objects.filter(lesson_id__in=list(lessons))}
    covering: dict[tuple[int, int], AbsenceReport] = {}
    if rows:
        first = min(row.lesson.date for row in rows)
        last = max(row.lesson.date for row in rows)
        reports = list(active_reports({row.student.pk for row in rows}, first, last))
        for row in rows:
            for report in reports:
                if report.student_id == row.student.pk and report_covers(
                        report, row.lesson.date, row.lesson.start_time, row.lesson.end_time):
                    covering[(row.lesson.pk, row.student.pk)] = report
                    break
    writer = MarkWriter(actor=actor, codes=codes, now=now)
    for row in rows:
        mark = existing.get((row.lesson.pk, row.student.pk))
        found = covering.get((row.lesson.pk, row.student.pk))
        if mark is not None and mark.report_id:
            writer.counts.unchanged += 1
        elif found is not None:
            writer.put(row.lesson, row.student.pk, mark, report_wanted(found),
                       change_source=MarkSource.REPORT)
        else:
            wanted = None if row.status is None else Wanted(
                status=row.status, reason_id=row.reason_id, minutes_late=row.minutes_late,
                source=MarkSource.IMPORT)
            writer.put(row.lesson, row.student.pk, mark, wanted, change_source=MarkSource.IMPORT)
    result.counts = writer.flush()
    registered = set(Registration.objects.filter(lesson_id__in=list(lessons))
                     .values_list("lesson_id", flat=True))
    user = actor if getattr(actor, "is_authenticated", False) else None
    new = [Registration(school=school, lesson=lesson, taken_by=user, taken_at=now, updated_at=now)
           for pk, lesson in lessons.items() if pk not in registered]
    Registration.objects.bulk_create(new)
    result.registers_created = len(new)
    if result.changed or new:
        record_change(actor=actor, action="import_attendance", obj=school, changes={
            "rows": result.rows, "registers": len(new), "created": result.counts.created,
            "updated": result.counts.updated, "removed": result.counts.removed})
