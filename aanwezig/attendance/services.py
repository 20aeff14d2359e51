"""Writes for attendance: lesson registers, absence reports, the desk's phone calls.

Same contract as every service: complete validation first, one transaction, a
keyword-only ``actor`` (``None`` is the system), an audit row, ``ValidationError``
with a translatable message for bad input and ``PermissionDenied`` for a
missing right.

Presence is derived: a student of a registered lesson without a :class:`Mark`
was there. A mark with ``report`` set is *locked*: it comes from an
:class:`AbsenceReport` (a sick report, leave, ...) and only changes through that
report. Every change to a student's mark in a lesson writes one
:class:`MarkChange` with the state before and after, so corrections keep
their history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig import access
from aanwezig.attendance.models import (
    AbsenceReason,
    AbsenceReport,
    CallLog,
    CallOutcome,
    Mark,
    MarkChange,
    MarkSource,
    MarkStatus,
    ReasonCategory,
    Registration,
    ReportSource,
)
from aanwezig.audit.services import record_change
from aanwezig.roster.models import (
    Guardian,
    Lesson,
    LessonStatus,
    Membership,
    Student,
    StudentGuardian,
    active_membership_q,
)
from aanwezig.schools.calendar import school_year_on
from aanwezig.schools.models import SCHOOL_WIDE_ROLES, Role
from aanwezig.schools.services import audit_create, audit_update, deny, reload

#: ``AbsenceReason.settable_by`` key per report source.
SETTABLE_KEY: dict[str, str] = {
    ReportSource.OFFICE: "office", ReportSource.GUARDIAN: "parent",
    ReportSource.STUDENT: "student_adult",
}
#: The reason code the desk uses while a reason is still unknown.
UNKNOWN_REASON = "onbekend"
#: The reason code of a sick report.
SICK_REASON = "ziek"


def _d(day: dt.date) -> str:
    return f"{day:%d-%m-%Y}"


def _t(moment: dt.time) -> str:
    return f"{moment:%H:%M}"


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- marks: one writer for every service --------------------------------------------------------

@dataclass(frozen=True)
class Wanted:
    """The mark a student should have in a lesson (``None`` instead of this: present)."""

    status: str
    reason_id: int | None = None
    minutes_late: int | None = None
    source: str = MarkSource.REGISTER
    report_id: int | None = None
    reported_by_id: int | None = None

    def same_as(self, mark: Mark) -> bool:
        return (self.status, self.reason_id, self.minutes_late, self.report_id) == (
            mark.status, mark.reason_id, mark.minutes_late, mark.report_id)


def mark_state(mark: Mark | Wanted | None, codes: dict[int, str]) -> dict[str, Any] | None:
    """The small dict kept in MarkChange.before/after (``None``: present, no mark)."""
    if mark is None:
        return None
    state: dict[str, Any] = {
        "status": mark.status,
        "reason": codes.get(mark.reason_id) if mark.reason_id else None,
        "minutes_late": mark.minutes_late,
        "source": mark.source,
    }
    if mark.report_id:
        state["report"] = mark.report_id
    return state


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


class MarkWriter:
    """Collect mark changes for many lessons and students, then write them in bulk.

    Callers load the lessons' existing marks once and call :meth:`put` per
    student; :meth:`flush` issues a fixed number of queries (delete, insert,
    update, history) however many students changed.
    """

    def __init__(self, *, actor: Any, codes: dict[int, str], now: dt.datetime | None = None):
        self.user = _user(actor)
        self.codes = codes
        self.now = now or timezone.now()
        self.creates: list[Mark] = []
        self.updates: list[Mark] = []
        self.deletes: list[int] = []
        self.history: list[MarkChange] = []
        self.counts = WriteCounts()

    def put(self, lesson: Lesson, student_id: int, existing: Mark | None, wanted: Wanted | None,
            *, change_source: str) -> None:
        if existing is None and wanted is None:
            self.counts.unchanged += 1
            return
        if existing is not None and wanted is not None and wanted.same_as(existing):
            self.counts.unchanged += 1
            return
        before = mark_state(existing, self.codes)
        after = mark_state(wanted, self.codes)
        if wanted is None:
            assert existing is not None
            self.deletes.append(existing.pk)
            self.counts.removed += 1
        elif existing is None:
            self.creates.append(Mark(
                school_id=lesson.school_id, lesson_id=lesson.pk, student_id=student_id,
                date=lesson.date, status=wanted.status, reason_id=wanted.reason_id,
                minutes_late=wanted.minutes_late, source=wanted.source,
                report_id=wanted.report_id, reported_by_id=wanted.reported_by_id,
                created_by=self.user, created_at=self.now, updated_at=self.now,
            ))
            self.counts.created += 1
        else:
            existing.status = wanted.status
            existing.reason_id = wanted.reason_id
            existing.minutes_late = wanted.minutes_late
            existing.source = wanted.source
            existing.report_id = wanted.report_id
            existing.reported_by_id = wanted.reported_by_id
            existing.updated_at = self.now
            self.updates.append(existing)
            self.counts.updated += 1
        self.history.append(MarkChange(
            school_id=lesson.school_id, lesson_id=lesson.pk, student_id=student_id,
            before=before, after=after, changed_by=self.user, changed_at=self.now,
            source=change_source,
        ))

    def flush(self) -> WriteCounts:
        if self.deletes:
            Mark.objects.filter(pk__in=self.deletes).delete()
        if self.creates:
            Mark.objects.bulk_create(self.creates)
        if self.updates:
            Mark.objects.bulk_update(
                self.updates,
                ["status", "reason", "minutes_late", "source", "report", "reported_by",
                 "updated_at"],
            )
        if self.history:
            MarkChange.objects.bulk_create(self.history)
        return self.counts


def reason_codes(school_id: int) -> tuple[dict[str, AbsenceReason], dict[int, str]]:
    """The school's reasons by code, and their codes by id."""
    reasons = {r.code: r for r in AbsenceReason.objects.filter(school_id=school_id)}
    return reasons, {r.pk: r.code for r in reasons.values()}


# --- absence reports: which lessons they cover --------------------------------------------------

def report_covers(report: AbsenceReport, day: dt.date, start: dt.time, end: dt.time) -> bool:
    """Whether ``report`` covers a lesson on ``day`` from ``start`` to ``end``.

    A lesson is covered when it overlaps the report's stretch of time; an open
    report covers every day from its start, up to (not including) its expected day
    back: on that day the student is expected at school, and a teacher registers them
    as they find them.
    """
    if report.withdrawn or day < report.start_date:
        return False
    if report.end_date is not None and day > report.end_date:
        return False
    if report.end_date is None and report.expected_end is not None and day >= report.expected_end:
        return False
    if day == report.start_date and report.start_time and end <= report.start_time:
        return False
    return not (report.end_date is not None and day == report.end_date and report.end_time
                and start >= report.end_time)


def active_reports(
    student_ids: Iterable[int], start: dt.date, end: dt.date
) -> QuerySet[AbsenceReport]:
    """Reports of the students that are not withdrawn and touch ``start``..``end``."""
    return AbsenceReport.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start),
        student_id__in=list(student_ids), withdrawn=False, start_date__lte=end,
    )


def report_wanted(report: AbsenceReport) -> Wanted:
    return Wanted(status=MarkStatus.ABSENT, reason_id=report.reason_id, source=MarkSource.REPORT,
                  report_id=report.pk, reported_by_id=report.guardian_id)


# --- the lesson register -----------------------------------------------------------------------

@dataclass
class MarkInput:
    """One student's line in a register; students left out were present."""

    student_id: int
    status: str | None = None  # "absent" | "late" | "removed" | None = present
    reason_code: str | None = None
    minutes_late: int | None = None
    arrived_at: dt.time | None = None


@dataclass
class RegisterResult:
    registration: Registration
    created: int
    updated: int
    removed: int
    unchanged: int

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


def settable_keys(actor: Any, school_id: int, *, teaches: bool = False) -> set[str] | None:
    """The ``settable_by`` keys ``actor`` may use at the school (``None``: any, the system)."""
    if actor is None:
        return None
    roles = access.roles_at(actor, school_id)
    keys: set[str] = set()
    if roles & SCHOOL_WIDE_ROLES:
        keys.add("office")
    if teaches or roles & {Role.TEACHER, Role.MENTOR}:
        keys.add("teacher")
    return keys


def wanted_from_input(
    entry: MarkInput, lesson: Lesson, reasons: dict[str, AbsenceReason], keys: set[str] | None,
    *, source: str, name: str,
) -> tuple[Wanted | None, list[ValidationError]]:
    """Turn one register line into the wanted mark, or the reasons why it cannot be."""
    errors: list[ValidationError] = []
    if entry.status is None:
        if entry.reason_code:
            errors.append(ValidationError(
                _("%(student)s is marked present, so no reason can be given."),
                code="reason_without_status", params={"student": name}))
        return None, errors
    if entry.status not in MarkStatus.values:
        errors.append(ValidationError(
            _("Unknown status “%(status)s” for %(student)s: use absent, late or removed."),
            code="unknown_status", params={"status": entry.status, "student": name}))
        return None, errors
    reason = None
    if entry.reason_code:
        reason = reasons.get(entry.reason_code)
        if reason is None or not reason.is_active:
            errors.append(ValidationError(
                _("Unknown absence reason “%(code)s” for %(student)s."),
                code="unknown_reason", params={"code": entry.reason_code, "student": name}))
        elif keys is not None and not keys & set(reason.settable_by or []):
            errors.append(ValidationError(
                _("You may not give the reason “%(reason)s”; ask the attendance desk."),
                code="reason_not_allowed", params={"reason": reason.label}))
    minutes = None
    if entry.status == MarkStatus.LATE:
        minutes = entry.minutes_late
        if entry.arrived_at is not None:
            start = dt.datetime.combine(lesson.date, lesson.start_time)
            arrived = dt.datetime.combine(lesson.date, entry.arrived_at)
            minutes = int((arrived - start).total_seconds() // 60)
            if minutes <= 0:
                errors.append(ValidationError(
                    _("%(student)s arrived at %(time)s, which is not after the lesson started "
                      "(%(start)s)."),
                    code="arrived_before_start",
                    params={"student": name, "time": _t(entry.arrived_at),
                            "start": _t(lesson.start_time)}))
        elif minutes is not None and not 0 < minutes <= lesson.minutes:
            errors.append(ValidationError(
                _("Minutes late for %(student)s must lie between 1 and %(max)s."),
                code="invalid_minutes_late", params={"student": name, "max": lesson.minutes}))
    if errors:
        return None, errors
    return Wanted(status=entry.status, reason_id=reason.pk if reason else None,
                  minutes_late=minutes, source=source), errors


def lesson_members(lesson: Lesson) -> set[int]:
    """Ids of the students in the lesson's group on the lesson's date."""
    return set(
        Membership.objects.filter(active_membership_q(lesson.date), group_id=lesson.group_id)
        .values_list("student_id", flat=True)
    )


def touch_registration(lesson: Lesson, *, actor: Any, now: dt.datetime) -> Registration:
    """Create the lesson's Registration the first time, else bump its ``updated_at``."""
    registration = Registration.objects.filter(lesson_id=lesson.pk).first()
    if registration is None:
        return Registration.objects.create(
            school_id=lesson.school_id, lesson=lesson, taken_by=_user(actor), taken_at=now,
            updated_at=now,
        )
    registration.updated_at = now
    registration.save(update_fields=["updated_at"])
    return registration


@transaction.atomic
def record_register(lesson: Lesson, *, actor: Any, entries: Iterable[MarkInput]) -> RegisterResult:
    """Save a lesson's whole register in one go.

    1. Check the right (the lesson's teacher, a mentor of the group, school-wide
       staff) and that the lesson is not cancelled.
    2. Load members, reasons, existing marks and covering absence reports (one
       query each) and validate every line; nothing is saved on any error.
    3. Per member: a locked mark stays; a covering report gives its locked mark;
       otherwise the line's mark, or none (present).
    4. Write marks and their history in bulk, create or touch the Registration,
       write one audit row.
    """
    entries = list(entries)
    if actor is not None and not access.may_take_register(actor, lesson):
        raise deny()
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(_("This lesson was cancelled, so it has no register."),
                              code="lesson_cancelled")
    teaches = actor is not None and lesson.teacher_id == actor.pk
    keys = settable_keys(actor, lesson.school_id, teaches=teaches)
    wide = actor is not None and access.is_school_wide(actor, lesson.school_id)
    source = MarkSource.OFFICE if wide and not teaches else MarkSource.REGISTER

    members = lesson_members(lesson)
    reasons, codes = reason_codes(lesson.school_id)
    existing = {m.student_id: m for m in Mark.objects.filter(lesson_id=lesson.pk)}
    covering = {
        report.student_id: report
        for report in active_reports(members, lesson.date, lesson.date).order_by("start_date")
        if report_covers(report, lesson.date, lesson.start_time, lesson.end_time)
    }

    errors: list[ValidationError] = []
    wanted: dict[int, Wanted | None] = {}
    strangers: list[int] = []
    names = _names_if_needed(entries)
    for entry in entries:
        name = names.get(entry.student_id, str(entry.student_id))
        if entry.student_id in wanted:
            errors.append(ValidationError(_("%(student)s appears twice in the register."),
                                          code="duplicate_student", params={"student": name}))
            continue
        if entry.student_id not in members:
            strangers.append(entry.student_id)
            continue
        mark = existing.get(entry.student_id)
        if (mark is not None and mark.report_id) or entry.student_id in covering:
            wanted[entry.student_id] = None  # locked: the report decides, the line is ignored
            continue
        result, problems = wanted_from_input(entry, lesson, reasons, keys, source=source,
                                             name=name)
        wanted[entry.student_id] = result
        errors.extend(problems)
    for student_id in strangers:
        errors.append(ValidationError(
            _("%(student)s is not in %(group)s on %(date)s."), code="not_in_lesson",
            params={"student": _student_name(student_id), "group": lesson.group.name,
                    "date": _d(lesson.date)}))
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    writer = MarkWriter(actor=actor, codes=codes, now=now)
    for student_id in sorted(members):
        mark = existing.get(student_id)
        if mark is not None and mark.report_id:
            writer.counts.unchanged += 1
        elif student_id in covering:
            writer.put(lesson, student_id, mark, report_wanted(covering[student_id]),
                       change_source=MarkSource.REPORT)
        else:
            writer.put(lesson, student_id, mark, wanted.get(student_id), change_source=source)
    counts = writer.flush()
    registration = touch_registration(lesson, actor=actor, now=now)
    # Imported here: notifications builds on attendance, not the other way round.
    from aanwezig.notifications.events import after_register

    after_register(lesson, [sid for sid, w in wanted.items() if w is not None
                            and w.status == MarkStatus.ABSENT
                            and codes.get(w.reason_id or 0, UNKNOWN_REASON) == UNKNOWN_REASON])
    if counts.changed:
        from aanwezig.protocol.run import after_attendance_change

        after_attendance_change(lesson.school_id, wanted)
    record_change(actor=actor, action="record_register", obj=registration,
                  changes={"lesson": lesson.pk, "created": counts.created,
                           "updated": counts.updated, "removed": counts.removed})
    return RegisterResult(registration=registration, created=counts.created,
                          updated=counts.updated, removed=counts.removed,
                          unchanged=counts.unchanged)


def _names_if_needed(entries: list[MarkInput]) -> dict[int, str]:
    """Names for error messages, fetched only when a register has lines at all."""
    ids = [e.student_id for e in entries if e.status is not None or e.reason_code]
    if not ids:
        return {}
    return {s.pk: s.full_name for s in Student.objects.filter(pk__in=ids)
            .only("pk", "given_name", "prefix", "last_name")}


def _student_name(student_id: int) -> str:
    student = Student.objects.filter(pk=student_id).first()
    return student.full_name if student else str(student_id)


# --- absence reports ---------------------------------------------------------------------------

def _check_absence_right(actor: Any, student: Student) -> None:
    if actor is not None and not access.may_record_absence(actor, student):
        raise deny()


def _family_reports(actor: Any, student: Student) -> bool:
    """Whether ``actor`` reports as the family (a parent, or an adult student for themself)
    rather than as staff: they may not record absence, but may report from the portal."""
    return (actor is not None and not access.may_record_absence(actor, student)
            and access.may_report_for(actor, student))


def _check_report_right(actor: Any, student: Student, *, source: str,
                        guardian: Guardian | None) -> None:
    """Staff who may record absence report with any source. A parent reports only as
    themself (source ``guardian`` with their own guardian record), an adult student only
    for themself (source ``student``, no guardian); see docs/portal-reports.md."""
    if actor is None or access.may_record_absence(actor, student):
        return
    if not access.may_report_for(actor, student):
        raise deny()
    if student.user_id is not None and student.user_id == actor.pk:
        allowed = source == ReportSource.STUDENT and guardian is None
    else:
        own = getattr(actor, "guardian", None)
        allowed = (source == ReportSource.GUARDIAN and own is not None and guardian is not None
                   and guardian.pk == own.pk)
    if not allowed:
        raise deny()


def _moment(day: dt.date, at: dt.time | None, default: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at or default)


def _report_span(report: AbsenceReport) -> tuple[dt.datetime, dt.datetime]:
    start = _moment(report.start_date, report.start_time, dt.time.min)
    end = (_moment(report.end_date, report.end_time, dt.time.max) if report.end_date
           else dt.datetime.max)
    return start, end


def _validate_report(report: AbsenceReport, errors: list[ValidationError]) -> None:
    """Dates inside a school year, end not before start, no overlap with another report."""
    school = report.school
    for day in (report.start_date, report.end_date):
        if day is not None and school_year_on(school, day) is None:
            errors.append(ValidationError(
                _("%(date)s is not inside a school year of %(school)s."),
                code="outside_school_year", params={"date": _d(day), "school": school.name}))
    if report.end_date is not None and report.end_date < report.start_date:
        errors.append(ValidationError(_("The last day cannot come before the first day."),
                                      code="end_before_start"))
    elif (report.end_date == report.start_date and report.start_time and report.end_time
          and report.end_time <= report.start_time):
        errors.append(ValidationError(_("The end time must come after the start time."),
                                      code="end_before_start"))
    if report.expected_end is not None and report.expected_end < report.start_date:
        errors.append(ValidationError(
            _("The expected day back cannot come before the first day."),
            code="expected_before_start"))
    if errors:
        return
    start, end = _report_span(report)
    others = active_reports([report.student_id], report.start_date,
                            report.end_date or dt.date.max).exclude(pk=report.pk)
    for other in others.select_related("reason"):
        other_start, other_end = _report_span(other)
        if start < other_end and other_start < end:
            errors.append(ValidationError(
                _("This overlaps the report “%(reason)s” from %(start)s; end or withdraw that "
                  "report first."),
                code="report_overlap",
                params={"reason": other.reason.label, "start": _d(other.start_date)}))
            break


def _report_lessons(report: AbsenceReport, today: dt.date) -> list[Lesson]:
    """Existing scheduled lessons of the student's groups that the report covers.

    An open report fills through the day before its expected day back (or today, if later).
    """
    last = report.end_date or max(report.expected_end - dt.timedelta(days=1)
                                  if report.expected_end else today, today)
    if report.withdrawn or last < report.start_date:
        return []
    memberships = list(
        Membership.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=report.start_date),
            student_id=report.student_id, start_date__lte=last,
        )
    )
    lessons = Lesson.objects.filter(
        group_id__in={m.group_id for m in memberships}, date__gte=report.start_date,
        date__lte=last, status=LessonStatus.SCHEDULED,
    )
    return [
        lesson for lesson in lessons
        if any(m.group_id == lesson.group_id and m.active_on(lesson.date) for m in memberships)
        and report_covers(report, lesson.date, lesson.start_time, lesson.end_time)
    ]


def _sync_report_marks(report: AbsenceReport, *, actor: Any) -> WriteCounts:
    """Make the report's locked marks match the lessons it covers.

    1. Covered lessons get the report's locked mark, replacing an unlocked one.
    2. Marks of the report on lessons it no longer covers are released: the mark
       the report replaced (as kept in the history) comes back if a teacher or the
       desk had set it; otherwise the mark goes and the student counts present.
    """
    _, codes = reason_codes(report.school_id)
    reasons_by_code = {code: pk for pk, code in codes.items()}
    covered = {lesson.pk: lesson for lesson in _report_lessons(report, timezone.localdate())}
    own = list(Mark.objects.filter(report=report).select_related("lesson"))
    marks = {m.lesson_id: m for m in own}
    others = {m.lesson_id: m for m in Mark.objects.filter(
        student_id=report.student_id, lesson_id__in=list(covered)).exclude(report=report)}
    writer = MarkWriter(actor=actor, codes=codes)
    wanted = report_wanted(report)
    for lesson in covered.values():
        other = others.get(lesson.pk)
        if other is not None and other.report_id:
            continue  # locked by another report; overlapping reports are refused
        writer.put(lesson, report.student_id, marks.get(lesson.pk) or other, wanted,
                   change_source=MarkSource.REPORT)
    released = [m for m in own if m.lesson_id not in covered]
    if released:
        replaced: dict[int, dict[str, Any] | None] = {}
        for change in MarkChange.objects.filter(
            student_id=report.student_id, lesson_id__in=[m.lesson_id for m in released],
            after__report=report.pk,
        ).order_by("changed_at", "pk"):
            replaced.setdefault(change.lesson_id, change.before)
        for mark in released:
            before = replaced.get(mark.lesson_id)
            restore = None
            if before and not before.get("report") and before.get("source") != MarkSource.REPORT:
                restore = Wanted(
                    status=before["status"], reason_id=reasons_by_code.get(before.get("reason") or ""),
                    minutes_late=before.get("minutes_late"),
                    source=before.get("source") or MarkSource.REGISTER,
                )
            writer.put(mark.lesson, report.student_id, mark, restore,
                       change_source=MarkSource.REPORT)
    counts = writer.flush()
    # A sick report changes the protocol's facts (MAZL) even when no lesson was registered.
    from aanwezig.protocol.run import after_attendance_change

    after_attendance_change(report.school_id, [report.student_id])
    return counts


@transaction.atomic
def create_absence_report(
    student: Student, *, reason_code: str, start_date: dt.date, actor: Any,
    source: str = ReportSource.OFFICE, start_time: dt.time | None = None,
    end_date: dt.date | None = None, end_time: dt.time | None = None,
    expected_end: dt.date | None = None, guardian: Guardian | None = None,
) -> AbsenceReport:
    """Record an absence known beforehand (sick report, leave, school activity, internship)
    and lock the register of every existing lesson it covers.

    Without ``end_date`` the report is open (a sick report until the student is
    reported better). No diagnosis is recorded: the reason says *sick*, nothing more.
    The actor may also be a parent (source ``guardian``, their own guardian record) or an
    adult student for themself (source ``student``), as the portal reports.
    """
    _check_report_right(actor, student, source=source, guardian=guardian)
    errors: list[ValidationError] = []
    reason = AbsenceReason.objects.filter(school_id=student.school_id, code=reason_code,
                                          is_active=True).first()
    if source not in ReportSource.values:
        errors.append(ValidationError(_("Unknown reporter “%(source)s”."), code="unknown_source",
                                      params={"source": source}))
    if reason is None:
        errors.append(ValidationError(_("Unknown absence reason “%(code)s”."),
                                      code="unknown_reason", params={"code": reason_code}))
    elif source in SETTABLE_KEY and SETTABLE_KEY[source] not in (reason.settable_by or []):
        errors.append(ValidationError(
            _("The reason “%(reason)s” cannot be reported by %(source)s."),
            code="reason_not_allowed",
            params={"reason": reason.label, "source": ReportSource(source).label}))
    if guardian is not None and not StudentGuardian.objects.filter(
            student=student, guardian=guardian).exists():
        errors.append(ValidationError(
            _("%(guardian)s is not a parent or carer of %(student)s."), code="not_a_guardian",
            params={"guardian": guardian.full_name, "student": student.full_name}))
    report = AbsenceReport(
        school_id=student.school_id, student=student, reason=reason, start_date=start_date,
        start_time=start_time, end_date=end_date, end_time=end_time, expected_end=expected_end,
        source=source, guardian=guardian, created_by=_user(actor), created_at=timezone.now(),
    )
    if not errors:
        _validate_report(report, errors)
    if errors:
        raise ValidationError(errors)
    report.save()
    counts = _sync_report_marks(report, actor=actor)
    audit_create(actor, report, student=student)
    if counts.changed:
        record_change(actor=actor, action="fill_marks", obj=report, student=student,
                      changes={"created": counts.created, "updated": counts.updated})
    return report


@transaction.atomic
def end_absence_report(report: AbsenceReport, *, end_date: dt.date, actor: Any,
                       end_time: dt.time | None = None) -> AbsenceReport:
    """Report the student better (betermelding) or end leave early: the report ends on
    ``end_date`` (at ``end_time``, if given) and its marks after that are removed.

    A parent or an adult student (``access.may_report_for``) may end a sick report only:
    leave and the school's other reports are ended by the school."""
    if _family_reports(actor, report.student):
        if report.reason.category != ReasonCategory.SICK:
            raise deny()
    else:
        _check_absence_right(actor, report.student)
    if report.withdrawn:
        raise ValidationError(_("This report was withdrawn and cannot be ended."),
                              code="report_withdrawn")
    before = reload(report)
    report.end_date, report.end_time = end_date, end_time
    report.ended_by, report.ended_at = _user(actor), timezone.now()
    errors: list[ValidationError] = []
    _validate_report(report, errors)
    if errors:
        raise ValidationError(errors)
    report.save()
    _sync_report_marks(report, actor=actor)
    audit_update(actor, before, report, student=report.student, action="end")
    return report


@transaction.atomic
def withdraw_absence_report(report: AbsenceReport, *, actor: Any) -> AbsenceReport:
    """Withdraw a report made in error: its locked marks go, except where a teacher had
    registered the student absent before the report (that mark comes back)."""
    _check_absence_right(actor, report.student)
    if report.withdrawn:
        return report
    before = reload(report)
    report.withdrawn = True
    report.save(update_fields=["withdrawn"])
    _sync_report_marks(report, actor=actor)
    audit_update(actor, before, report, student=report.student, action="withdraw")
    return report


# --- the desk's phone calls --------------------------------------------------------------------

@transaction.atomic
def log_call(student: Student, *, day: dt.date, outcome: str, actor: Any,
             guardian: Guardian | None = None, reason_code: str | None = None) -> CallLog:
    """Log a call by the attendance desk about ``student``'s absence on ``day``.

    When the parent or carer was reached and gave a reason, the reason becomes
    the student's absence reason with the guardian as its source: an open sick
    report from ``day`` for sickness, otherwise a report for that day only. The
    day's register marks turn into that reason and are locked. For a student of
    18 or older the desk may call the student: without a guardian, the student
    is the source.
    """
    _check_absence_right(actor, student)
    errors: list[ValidationError] = []
    link = None
    if outcome not in CallOutcome.values:
        errors.append(ValidationError(_("Unknown call outcome “%(outcome)s”."),
                                      code="unknown_outcome", params={"outcome": outcome}))
    if guardian is not None:
        link = StudentGuardian.objects.filter(student=student, guardian=guardian).first()
        if link is None:
            errors.append(ValidationError(
                _("%(guardian)s is not a parent or carer of %(student)s."),
                code="not_a_guardian",
                params={"guardian": guardian.full_name, "student": student.full_name}))
        elif student.is_adult_on(day) and not link.adult_consent_contact:
            errors.append(ValidationError(
                _("%(student)s is 18 or older and has not agreed that the school contacts "
                  "%(guardian)s."),
                code="no_adult_consent",
                params={"guardian": guardian.full_name, "student": student.full_name}))
    reason = None
    if reason_code:
        reason = AbsenceReason.objects.filter(school_id=student.school_id, code=reason_code,
                                              is_active=True).first()
        if reason is None:
            errors.append(ValidationError(_("Unknown absence reason “%(code)s”."),
                                          code="unknown_reason", params={"code": reason_code}))
        elif outcome != CallOutcome.REACHED:
            errors.append(ValidationError(
                _("A reason can only be recorded when the call reached someone."),
                code="reason_without_contact"))
        elif guardian is None and not student.is_adult_on(day):
            errors.append(ValidationError(_("Choose who gave the reason."),
                                          code="reason_without_guardian"))
    if errors:
        raise ValidationError(errors)
    call = CallLog.objects.create(
        school_id=student.school_id, student=student, date=day, guardian=guardian,
        phone=guardian.phone if guardian is not None else "", outcome=outcome, reason=reason,
        called_by=_user(actor), called_at=timezone.now(),
    )
    audit_create(actor, call, student=student)
    if reason is not None:
        sick = reason.category == ReasonCategory.SICK
        create_absence_report(
            student, reason_code=reason.code, start_date=day, end_date=None if sick else day,
            source=ReportSource.GUARDIAN if guardian is not None else ReportSource.STUDENT,
            guardian=guardian, actor=actor,
        )
    return call
