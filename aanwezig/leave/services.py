"""Writes for leave requests: a parent submits or withdraws, the school forwards to the
leerplichtambtenaar and records the decision.

Same contract as every service: complete validation first (the law's rules are in
``leave.rules``), one transaction, a keyword-only ``actor`` (``None`` is the system), an
audit row, ``ValidationError`` with a translatable message for bad input (nothing is saved,
no file is left behind) and ``PermissionDenied`` for a missing right.

An approved request fills the register through ``attendance.services.create_absence_report``
(the school's leave reason: excused, category ``leave``), so teachers see those lessons
locked. A decision queues the ``leave_decision`` message to the parent who asked
(``leave.letters``). Refused requests feed the protocol's suspected luxury absence
(``protocol.facts``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig import access
from aanwezig.attendance.models import AbsenceReason, ReasonCategory, ReportSource
from aanwezig.attendance.services import create_absence_report
from aanwezig.leave import rules
from aanwezig.leave.models import (
    HOLDING_STATUSES,
    OPEN_STATUSES,
    DecidedBy,
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
)
from aanwezig.roster.models import Guardian, Student, StudentGuardian
from aanwezig.schools.calendar import Calendar, school_year_on
from aanwezig.schools.services import audit_create, audit_update, deny, reload

#: The default absence reason (``attendance.defaults``) per kind of leave.
LEAVE_REASON_CODES: dict[str, str] = {LeaveKind.HOLIDAY_13A: "vakantieverlof",
                                       LeaveKind.IMPORTANT_14: "verlof"}
#: The longest explanation of a decision.
DECISION_MAX = 2000


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- files -------------------------------------------------------------------------------------

def statement_path(leave: LeaveRequest) -> Path:
    """Where the request's employer's statement is on disk (never under a public URL)."""
    return Path(settings.LEAVE_FILES_DIR) / leave.statement_file


def upload_of(file: UploadedFile) -> rules.Upload:
    """The size and first bytes of an uploaded file, for ``rules.check_upload``."""
    file.seek(0)
    head = file.read(rules.HEAD_BYTES)
    file.seek(0)
    return rules.Upload(name=file.name or "", size=file.size or 0, head=head)


def _store(school_id: int, file: UploadedFile, extension: str) -> str:
    """Write ``file`` under ``LEAVE_FILES_DIR`` with a random name; return the relative name."""
    name = f"{school_id}/{uuid.uuid4().hex}{extension}"
    path = Path(settings.LEAVE_FILES_DIR) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    file.seek(0)
    with path.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    return name


# --- facts for the rules -------------------------------------------------------------------------

def request_facts(student: Student, *, kind: str, start_date: dt.date, end_date: dt.date,
                  reason: str, today: dt.date, upload: rules.Upload | None = None,
                  exclude_pk: int | None = None) -> rules.RequestFacts:
    """Gather what ``rules.check_request`` needs from the database: the school year of the
    first day, its school days (the school's ``Calendar``) and first two school weeks, and
    the student's other open or approved requests."""
    school = student.school
    year = school_year_on(school, start_date)
    bounds = (year.start_date, year.end_date) if year is not None else None
    school_days: tuple[dt.date, ...] = ()
    first_weeks_end = None
    if year is not None and start_date <= end_date:
        calendar = Calendar(school, year.start_date, year.end_date)
        weeks = calendar.school_weeks()
        if len(weeks) >= rules.FIRST_SCHOOL_WEEKS:
            first_weeks_end = weeks[rules.FIRST_SCHOOL_WEEKS - 1] + dt.timedelta(days=6)
        school_days = tuple(day for day in calendar.school_days()
                            if start_date <= day <= end_date)
    others = LeaveRequest.objects.filter(school_id=student.school_id, student=student,
                                         status__in=HOLDING_STATUSES)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    overlapping = tuple(others.filter(start_date__lte=end_date, end_date__gte=start_date)
                        .order_by("start_date").values_list("start_date", "end_date"))
    other_holiday = bool(
        year is not None and kind == LeaveKind.HOLIDAY_13A
        and others.filter(kind=LeaveKind.HOLIDAY_13A, start_date__gte=year.start_date,
                          start_date__lte=year.end_date).exists()
    )
    return rules.RequestFacts(
        kind=kind, start=start_date, end=end_date, today=today, reason=reason,
        school_year=bounds, school_days=school_days, first_weeks_end=first_weeks_end,
        other_holiday_leave=other_holiday, overlapping=overlapping, upload=upload,
    )


# --- the parent's side ---------------------------------------------------------------------------

@dataclass
class Submission:
    """A saved request and the notes for the parent (code, text), such as a late request."""

    leave: LeaveRequest
    notes: list[tuple[str, str]]


def _check_parent(actor: Any, guardian: Guardian, student: Student, day: dt.date) -> None:
    """The actor is this guardian's login and may view the student (adult consent)."""
    if actor is None:
        return
    if guardian.user_id is None or guardian.user_id != getattr(actor, "pk", None):
        raise deny()
    link = StudentGuardian.objects.filter(student=student, guardian=guardian).select_related(
        "student").first()
    if link is None or not link.may_view_on(day):
        raise deny()


@transaction.atomic
def submit_leave_request(student: Student, *, guardian: Guardian, kind: str,
                         start_date: dt.date, end_date: dt.date, reason: str,
                         statement: UploadedFile | None = None, actor: Any,
                         today: dt.date | None = None) -> Submission:
    """Save a parent's leave request after checking it against the law's rules
    (``rules.check_request``); refuse it whole with the reasons otherwise.

    1. The actor is the guardian's own login and may view the child.
    2. The facts are gathered and checked; any error refuses the request and nothing is
       saved (not the row, not the file).
    3. The statement is written under ``LEAVE_FILES_DIR`` with a random name; the row
       remembers its type by content and the name it was uploaded with.
    4. The request is saved as *submitted* with its counted school days, and audited.
    """
    today = today or timezone.localdate()
    _check_parent(actor, guardian, student, today)
    upload = upload_of(statement) if statement is not None else None
    facts = request_facts(student, kind=kind, start_date=start_date, end_date=end_date,
                          reason=reason, today=today, upload=upload)
    verdict = rules.check_request(facts)
    if not StudentGuardian.objects.filter(student=student, guardian=guardian).exists():
        verdict.refuse("__all__", _("%(guardian)s is not a parent or carer of %(student)s.")
                       % {"guardian": guardian.full_name, "student": student.full_name},
                       "not_a_guardian")
    if not verdict.ok:
        raise verdict.as_error()
    leave = LeaveRequest(
        school_id=student.school_id, student=student, requested_by=guardian, kind=kind,
        start_date=start_date, end_date=end_date, reason=reason.strip(),
        school_days=verdict.school_days, status=LeaveStatus.SUBMITTED, created_at=timezone.now(),
    )
    stored = None
    if statement is not None and upload is not None:
        found = rules.file_type(upload.head)
        assert found is not None  # checked by the rules
        leave.statement_type, extension = found
        stored = _store(student.school_id, statement, extension)
        leave.statement_file = stored
        leave.statement_name = Path(upload.name).name[:200]
    try:
        leave.save()
        audit_create(actor, leave, student=student)
    except BaseException:
        if stored:
            (Path(settings.LEAVE_FILES_DIR) / stored).unlink(missing_ok=True)
        raise
    return Submission(leave=leave, notes=verdict.notes)


@transaction.atomic
def withdraw_leave_request(leave: LeaveRequest, *, actor: Any) -> LeaveRequest:
    """The parent who asked withdraws a request that is not decided yet."""
    guardian = leave.requested_by
    if actor is not None and (guardian is None or guardian.user_id != getattr(actor, "pk", None)):
        raise deny()
    if leave.status not in OPEN_STATUSES:
        raise ValidationError(_("This request has been decided already and can no longer be "
                                "withdrawn. Please contact the school."), code="not_open")
    before = reload(leave)
    leave.status = LeaveStatus.WITHDRAWN
    leave.withdrawn_at = timezone.now()
    leave.save(update_fields=["status", "withdrawn_at"])
    audit_update(actor, before, leave, student=leave.student, action="withdraw")
    return leave


# --- the school's side ---------------------------------------------------------------------------

def _check_school(actor: Any, leave: LeaveRequest) -> None:
    if actor is not None and not access.may_handle_leave(actor, leave.school_id):
        raise deny()


def leave_reason(school_id: int, kind: str) -> AbsenceReason | None:
    """The school's absence reason for approved leave of ``kind``: the default code when the
    school still has it, else another active, excused leave reason the office may set."""
    reasons = [r for r in AbsenceReason.objects.filter(
        school_id=school_id, category=ReasonCategory.LEAVE, is_active=True, excused=True,
    ).order_by("sort_order", "code") if "office" in (r.settable_by or [])]
    for reason in reasons:
        if reason.code == LEAVE_REASON_CODES.get(kind):
            return reason
    return reasons[0] if reasons else None


@transaction.atomic
def forward_leave_request(leave: LeaveRequest, *, actor: Any) -> LeaveRequest:
    """Send a request for important circumstances of more than 10 school days to the
    leerplichtambtenaar: the status becomes *forwarded* until the school records their
    decision (``decide_leave_request``)."""
    _check_school(actor, leave)
    if leave.status != LeaveStatus.SUBMITTED:
        raise ValidationError(_("Only a request that waits for the school can be forwarded."),
                              code="not_submitted")
    if rules.who_decides(leave.kind, leave.school_days) != DecidedBy.LEERPLICHT:
        raise ValidationError(
            _("The school head decides about this request (10 school days or fewer, or holiday "
              "leave); it is not forwarded."), code="school_head_decides")
    before = reload(leave)
    leave.status = LeaveStatus.FORWARDED
    leave.forwarded_by, leave.forwarded_at = _user(actor), timezone.now()
    leave.save(update_fields=["status", "forwarded_by", "forwarded_at"])
    audit_update(actor, before, leave, student=leave.student, action="forward")
    return leave


@transaction.atomic
def decide_leave_request(leave: LeaveRequest, *, approve: bool, decision_text: str,
                         actor: Any) -> LeaveRequest:
    """Record the decision on a request: the school head's on a submitted request, the
    leerplichtambtenaar's (as passed on to the school) on a forwarded one.

    1. A submitted request of more than 10 school days for important circumstances is not
       the school head's: it is forwarded first. A decided or withdrawn request is final.
    2. A refusal needs its reason: the parent reads it in the letter.
    3. Approval fills the register: an absence report with the school's leave reason over
       the days, from the parent who asked (locked marks in every lesson it covers; a
       conflict such as an existing sick report refuses the whole decision).
    4. The decision is saved and audited, and the ``leave_decision`` message to the parent
       who asked is queued (sent after commit). A refusal has the protocol re-evaluate the
       student (its days feed suspected luxury absence).
    """
    _check_school(actor, leave)
    text = decision_text.strip()
    errors: list[ValidationError] = []
    if leave.status == LeaveStatus.SUBMITTED:
        kind = DecidedBy.SCHOOL_HEAD
        if rules.who_decides(leave.kind, leave.school_days) != DecidedBy.SCHOOL_HEAD:
            errors.append(ValidationError(
                _("More than 10 school days: the leerplichtambtenaar decides. Forward the "
                  "request first."), code="leerplicht_decides"))
    elif leave.status == LeaveStatus.FORWARDED:
        kind = DecidedBy.LEERPLICHT
    else:
        raise ValidationError(_("This request has been decided or withdrawn already."),
                              code="not_open")
    if not approve and not text:
        errors.append(ValidationError(
            _("Write why the leave is refused; the parent reads it in the letter."),
            code="reason_missing"))
    if len(text) > DECISION_MAX:
        errors.append(ValidationError(
            _("Please keep the explanation to %(max)s characters (it has %(n)s).")
            % {"max": DECISION_MAX, "n": len(text)}, code="text_too_long"))
    reason = leave_reason(leave.school_id, leave.kind) if approve else None
    if approve and reason is None:
        errors.append(ValidationError(
            _("The school has no absence reason for leave (excused, category leave). Add one "
              "in the set-up first."), code="no_leave_reason"))
    if errors:
        raise ValidationError(errors)
    before = reload(leave)
    if approve and reason is not None:
        leave.absence_report = create_absence_report(
            leave.student, reason_code=reason.code, start_date=leave.start_date,
            end_date=leave.end_date, source=ReportSource.OFFICE, guardian=leave.requested_by,
            actor=actor,
        )
    leave.status = LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED
    leave.decided_by, leave.decided_at = _user(actor), timezone.now()
    leave.decided_by_kind = kind
    leave.decision_text = text
    leave.save(update_fields=["status", "decided_by", "decided_at", "decided_by_kind",
                              "decision_text", "absence_report"])
    audit_update(actor, before, leave, student=leave.student, action="decide")
    if not approve:
        # Refused days are facts of the protocol (suspected luxury absence): re-evaluate.
        from aanwezig.protocol.run import after_attendance_change

        after_attendance_change(leave.school_id, [leave.student_id])
    from aanwezig.leave.letters import queue_decision_message

    queue_decision_message(leave)
    return leave
