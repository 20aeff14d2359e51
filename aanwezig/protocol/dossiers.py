"""DUO dossiers: the report to DUO (verzuimmelding) from proposal to its status at DUO.

The protocol engine proposes a dossier (:func:`propose_dossier`); the attendance
officer completes it (:func:`update_dossier`), sends it through the DUO web portal
and records that (:func:`mark_dossier_sent`), then follows its status
(:func:`set_dossier_status`). :func:`due_reports` joins what the legal rule finds
with the dossiers, for the DUO overview page. docs/duo-dossier.md describes the
fields, statuses and exports.

Same contract as every service: validation first, one transaction, a keyword-only
``actor`` (``None`` is the system), an audit row, a translatable ``ValidationError``
for bad input and ``PermissionDenied`` for a missing right.

A dossier never holds excused absence: its days and lessons are the unexcused
ones counted by ``attendance.counting``, and a lesson marked with a sickness reason
is left out even if a school made that reason unexcused.

Text that goes to DUO as data (the pre-filled "what the school has done", the CSV
columns for the portal) is Dutch whatever the user's language: DUO reads Dutch.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aanwezig import access
from aanwezig.attendance.counting import ABSENT_UNEXCUSED, lesson_outcomes
from aanwezig.attendance.models import CallLog, CallOutcome, Mark, ReasonCategory
from aanwezig.audit.services import record_change, record_read
from aanwezig.lib.phone import display as phone_display
from aanwezig.lib.phone import to_e164
from aanwezig.protocol.duo_school import reports_by_student, student_reports
from aanwezig.protocol.models import (
    Case,
    Conversation,
    ConversationKind,
    DuoDossier,
    DuoKind,
    DuoStatus,
    Firing,
    Protocol,
    Task,
    TaskKind,
    TaskStatus,
)
from aanwezig.protocol.services import ensure_protocol
from aanwezig.roster.models import Lesson, Membership, Student, active_membership_q
from aanwezig.schools.calendar import school_year_on
from aanwezig.schools.models import HourUnit, School
from aanwezig.schools.services import add_error, audit_create, deny, reload, validate

REASON_MAX = 200

#: Fields the officer completes while the dossier is not sent yet.
EDITABLE = ("probable_reason", "school_actions", "school_asks", "contact_name", "contact_role",
            "contact_phone", "contact_email")
#: Fields that must be filled before the dossier can be marked as sent.
REQUIRED_TO_SEND = EDITABLE

#: Where each status may go by :func:`set_dossier_status`. Sending (proposed → registered)
#: goes through :func:`mark_dossier_sent`; withdrawn is the end.
TRANSITIONS: dict[str, frozenset[str]] = {
    DuoStatus.PROPOSED: frozenset({DuoStatus.WITHDRAWN}),
    DuoStatus.REGISTERED: frozenset({DuoStatus.IN_PROGRESS, DuoStatus.ACKNOWLEDGED,
                                     DuoStatus.WITHDRAWN}),
    DuoStatus.IN_PROGRESS: frozenset({DuoStatus.CLOSED, DuoStatus.ACKNOWLEDGED,
                                      DuoStatus.WITHDRAWN}),
    DuoStatus.CLOSED: frozenset({DuoStatus.WITHDRAWN}),
    DuoStatus.ACKNOWLEDGED: frozenset({DuoStatus.WITHDRAWN}),
    DuoStatus.WITHDRAWN: frozenset(),
}

#: The report types in DUO's words (data for the portal, always Dutch).
KIND_DUO: dict[str, str] = {
    DuoKind.FIRST: "Ongeoorloofd verzuim 16 uur (eerste melding)",
    DuoKind.FOLLOW_UP: "Ongeoorloofd verzuim 16 uur (vervolgmelding)",
    DuoKind.LUXURY: "Luxeverzuim (vermoeden)",
    DuoKind.LONG: "Langdurig relatief verzuim (meer dan 4 weken)",
}
SECTOR_DUO: dict[str, str] = {"po": "Primair onderwijs (po)", "vo": "Voortgezet onderwijs (vo)",
              "mbo": "Middelbaar beroepsonderwijs (mbo)"}
UNIT_DUO: dict[str, str] = {HourUnit.LESUUR: "lesuren", HourUnit.KLOKUUR: "klokuren"}


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_actor(actor: Any, school: School | int) -> None:
    """Only school-wide roles (or the system) write dossiers."""
    if actor is not None and not access.is_school_wide(actor, school):
        raise deny()


def _d(day: dt.date) -> str:
    return f"{day:%d-%m-%Y}"


def _dutch_date(day: dt.date, fmt: str = "j F Y") -> str:
    with translation.override("nl"):
        return str(dateformat.format(day, fmt))


def dutch_dates(days: Iterable[dt.date], limit: int = 8) -> str:
    """``2, 4 en 9 november 2026`` — days grouped by month, at most ``limit`` named."""
    unique = sorted(set(days))
    shown, rest = unique[:limit], len(unique) - limit
    groups: list[list[dt.date]] = []
    for day in shown:
        if groups and (groups[-1][0].year, groups[-1][0].month) == (day.year, day.month):
            groups[-1].append(day)
        else:
            groups.append([day])
    parts = []
    for group in groups:
        numbers = [str(day.day) for day in group]
        joined = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " en " + numbers[-1]
        parts.append(f"{joined} {_dutch_date(group[0], 'F Y')}")
    text = "; ".join(parts)
    if rest > 0:
        text += f" en nog {rest} andere dag" + ("en" if rest > 1 else "")
    return text


# --- the protocol's settings ---------------------------------------------------------------------

def school_protocol(school: School) -> Protocol:
    """The school's ``Protocol`` row, created with its defaults when it is missing."""
    return ensure_protocol(school)


# --- what goes into a new dossier ----------------------------------------------------------------

def absences_for(student: Student, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per day with unexcused absence from ``start`` through ``end``: the date, the hours and
    the unexcused lessons (start, end, subject, group; ``late`` when lateness counted as an
    absent lesson). Excused absence is never listed, nor a lesson marked as sickness."""
    school = student.school
    outcomes = [
        o for o in lesson_outcomes(school, [student.pk], start, end)[student.pk]
        if o.registered and o.result == ABSENT_UNEXCUSED
    ]
    ids = [o.lesson_id for o in outcomes]
    if not ids:
        return []
    sick = set(
        Mark.objects.filter(school=school, student=student, lesson_id__in=ids,
                            reason__category=ReasonCategory.SICK)
        .values_list("lesson_id", flat=True)
    )
    lessons = {
        row["pk"]: row
        for row in Lesson.objects.filter(school=school, pk__in=ids)
        .values("pk", "end_time", "subject", "group__name")
    }
    days: dict[dt.date, dict[str, Any]] = {}
    for outcome in outcomes:
        if outcome.lesson_id in sick:
            continue
        lesson = lessons[outcome.lesson_id]
        day = days.setdefault(outcome.date, {"date": outcome.date.isoformat(), "hours": 0.0,
                                             "lessons": []})
        day["hours"] = round(day["hours"] + outcome.hours, 2)
        day["lessons"].append({
            "start": f"{outcome.start_time:%H:%M}",
            "end": f"{lesson['end_time']:%H:%M}",
            "subject": lesson["subject"],
            "group": lesson["group__name"],
            "hours": round(outcome.hours, 2),
            "late": outcome.late,
        })
    return [days[day] for day in sorted(days)]


TASK_DUTCH: dict[str, str] = {
    TaskKind.PHONE_PARENTS: "Ouders gebeld",
    TaskKind.PLAN_CONVERSATION: "Gesprek met ouders en leerling gepland",
    TaskKind.TALK_TO_STUDENT: "Gesprek met de leerling gevoerd",
    TaskKind.JEUGDARTS: "Consult bij de jeugdarts voorgesteld",
    TaskKind.INFORM_LEERPLICHT: "Leerplichtambtenaar geïnformeerd",
    TaskKind.INFORM_RMC: "RMC geïnformeerd",
    TaskKind.REVIEW: "Afspraken met ouders en leerling geëvalueerd",
    TaskKind.OTHER: "Andere actie uitgevoerd",
}
CONVERSATION_DUTCH: dict[str, str] = {
    ConversationKind.MOL: "Gesprek met mentor, ouders en leerling",
    ConversationKind.PARENTS: "Gesprek met de ouders",
    ConversationKind.STUDENT: "Gesprek met de leerling",
    ConversationKind.PARTNER: "Gesprek met een partner",
    ConversationKind.PHONE: "Telefonisch gesprek",
}
MESSAGE_DUTCH = {
    "unexplained_absence": "bericht over afwezigheid zonder bekende reden",
    "monthly_overview": "maandoverzicht van de aanwezigheid",
    "compliment": "compliment over de aanwezigheid",
}


def _times(count: int) -> str:
    return "1 keer" if count == 1 else f"{count} keer"


def school_actions_text(student: Student, start: dt.date, until: dt.date) -> str:
    """What the school already did for ``student`` from ``start`` through ``until``, in plain
    Dutch: calls by the attendance desk, protocol tasks done, conversations held and messages
    sent, as counts and dates only (never their content)."""
    from aanwezig.notifications.models import Message, MessageStatus, RecipientKind

    school = student.school
    lines: list[str] = []
    calls = list(CallLog.objects.filter(school=school, student=student,
                                        date__gte=start, date__lte=until)
                 .values_list("date", "outcome"))
    if calls:
        reached = sum(1 for _day, outcome in calls if outcome == CallOutcome.REACHED)
        lines.append(f"Ouders gebeld over afwezigheid: {_times(len(calls))} "
                     f"({dutch_dates(day for day, _o in calls)}), {reached} keer bereikt.")
    tasks: dict[str, list[dt.date]] = defaultdict(list)
    for kind, done_at in Task.objects.filter(
        school=school, student=student, status=TaskStatus.DONE, kind__in=list(TASK_DUTCH),
        done_at__isnull=False,
    ).values_list("kind", "done_at"):
        day = timezone.localdate(done_at)
        if start <= day <= until:
            tasks[kind].append(day)
    for kind, label in TASK_DUTCH.items():
        if tasks.get(kind):
            lines.append(f"{label}: {_times(len(tasks[kind]))} ({dutch_dates(tasks[kind])}).")
    talks: dict[str, list[dt.date]] = defaultdict(list)
    for kind, held_on in Conversation.objects.filter(
        school=school, case__student=student, held_on__gte=start, held_on__lte=until,
    ).values_list("kind", "held_on"):
        talks[kind].append(held_on)
    for kind, label in CONVERSATION_DUTCH.items():
        if talks.get(kind):
            lines.append(f"{label}: {_times(len(talks[kind]))} ({dutch_dates(talks[kind])}).")
    sent: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
    for event, recipient, sent_at in Message.objects.filter(
        school=school, student=student, status=MessageStatus.SENT, sent_at__isnull=False,
        recipient_kind__in=[RecipientKind.GUARDIAN, RecipientKind.STUDENT],
        event__in=list(MESSAGE_DUTCH),
    ).values_list("event", "recipient_kind", "sent_at"):
        day = timezone.localdate(sent_at)
        if start <= day <= until:
            sent[(event, recipient)].append(day)
    for (event, recipient), days in sorted(sent.items()):
        to = "de ouders" if recipient == RecipientKind.GUARDIAN else "de leerling"
        lines.append(f"Aan {to} verstuurd, {MESSAGE_DUTCH[event]}: {_times(len(days))} "
                     f"({dutch_dates(days)}).")
    return "\n".join(lines)


def _contact_defaults(school: School, protocol: Protocol) -> dict[str, str]:
    """The contact person from the protocol; when it names none, the one of the school's
    last sent dossier."""
    contact = {"contact_name": protocol.contact_name, "contact_role": protocol.contact_role,
               "contact_phone": protocol.contact_phone, "contact_email": protocol.contact_email}
    if not any(contact.values()):
        last = (DuoDossier.objects.filter(school=school, sent_at__isnull=False)
                .order_by("-sent_at").first())
        if last is not None:
            contact = {name: getattr(last, name) for name in contact}
    return contact


def _find(school: School, student: Student, kind: str, start_date: dt.date) -> DuoDossier | None:
    return DuoDossier.objects.filter(school=school, student=student, kind=kind,
                                     start_date=start_date).first()


@transaction.atomic
def propose_dossier(student: Student, *, kind: str, start_date: dt.date, end_date: dt.date,
                    hours: float, due_on: dt.date, mandatory: bool = True,
                    firing: Firing | None = None, case: Case | None = None,
                    actor: Any = None, now: dt.datetime | None = None) -> DuoDossier:
    """Return the dossier for (school, student, kind, start_date), creating it as PROPOSED if new.

    Idempotent: an existing dossier is returned unchanged, and two callers racing to
    create the same one end with one row (the loser's insert fails on the unique
    constraint inside a savepoint and it reads the winner's row). A new dossier gets
    the unexcused days and lessons of the period, the contact person of the school's
    ``Protocol`` (created with defaults if missing) and a plain Dutch summary of what
    the school already did from the start date until now. Audited.
    """
    school = student.school
    existing = _find(school, student, kind, start_date)
    if existing is not None:
        return existing
    _check_actor(actor, school)
    now = now or timezone.now()
    errors: dict[str, list[ValidationError]] = {}
    if kind not in DuoKind.values:
        add_error(errors, "kind", _("Unknown report type “%(kind)s”."), "invalid_kind",
                  {"kind": kind})
    if end_date < start_date:
        add_error(errors, "end_date", _("The end date must not come before the start date."),
                  "end_before_start")
    if errors:
        raise ValidationError(errors)
    protocol = school_protocol(school)
    dossier = DuoDossier(
        school=school, student=student, kind=kind, start_date=start_date, end_date=end_date,
        due_on=due_on, hours=Decimal(str(round(float(hours), 2))), mandatory=mandatory,
        absences=absences_for(student, start_date, end_date),
        school_actions=school_actions_text(student, start_date,
                                           max(end_date, timezone.localdate(now))),
        status=DuoStatus.PROPOSED, firing=firing, case=case, created_at=now,
        **_contact_defaults(school, protocol),
    )
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError:
        # Someone else created it between our look-up and our insert: theirs stands.
        return DuoDossier.objects.get(school=school, student=student, kind=kind,
                                      start_date=start_date)
    audit_create(actor, dossier, student=student)
    return dossier


# --- completing, sending, following up -----------------------------------------------------------

def _normalise(changes: dict[str, Any], errors: dict[str, list[ValidationError]]) -> dict[str, Any]:
    out = {name: (str(value or "")).strip() for name, value in changes.items()}
    if "probable_reason" in out and len(out["probable_reason"]) > REASON_MAX:
        add_error(errors, "probable_reason",
                  _("Keep the probable reason to %(max)s characters or fewer (it has %(n)s)."),
                  "reason_too_long", {"max": REASON_MAX, "n": len(out["probable_reason"])})
    if out.get("contact_phone"):
        try:
            out["contact_phone"] = to_e164(out["contact_phone"])
        except ValidationError as exc:
            errors.setdefault("contact_phone", []).extend(exc.error_list)
    return out


@transaction.atomic
def update_dossier(dossier: DuoDossier, *, actor: Any, **changes: Any) -> DuoDossier:
    """Complete a dossier: probable reason (at most 200 characters), what the school has done
    and asks, and the contact person (phone stored as E.164). Only while it is not sent;
    the DUO reference may be added later too. Saves nothing when anything is wrong."""
    _check_actor(actor, dossier.school_id)
    allowed = set(EDITABLE) | {"duo_reference"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"DuoDossier cannot change {', '.join(sorted(unknown))} here")
    before = reload(dossier)
    if before.status != DuoStatus.PROPOSED and set(changes) - {"duo_reference"}:
        raise ValidationError(
            _("This report was already handled (%(status)s); what was sent to DUO cannot be "
              "changed any more."),
            code="dossier_locked", params={"status": before.get_status_display()},
        )
    errors: dict[str, list[ValidationError]] = {}
    values = _normalise(changes, errors)
    for name, value in values.items():
        setattr(dossier, name, value)
    # The reason's length is checked above with a clearer message; absences are not edited
    # here (and may be empty, for a luxury report).
    validate(dossier, errors, exclude=["probable_reason", "absences"])
    dossier.save()
    _audit_update(actor, before, dossier)
    return dossier


def _audit_update(actor: Any, before: DuoDossier, after: DuoDossier, *, action: str = "update",
                  extra: dict[str, Any] | None = None) -> None:
    from aanwezig.audit.services import diff
    from aanwezig.schools.services import field_names

    changes = diff(before, after, field_names(DuoDossier))
    if changes or extra:
        record_change(actor=actor, action=action, obj=after, student=after.student,
                      changes={**changes, **(extra or {})})


def missing_to_send(dossier: DuoDossier) -> list[str]:
    """The fields that still need filling before the dossier can be marked as sent."""
    return [name for name in REQUIRED_TO_SEND if not str(getattr(dossier, name) or "").strip()]


MISSING_MESSAGES = {
    "probable_reason": gettext_lazy("Fill in the probable reason before you mark the report as "
                                    "sent."),
    "school_actions": gettext_lazy("Describe what the school has done before you mark the "
                                   "report as sent."),
    "school_asks": gettext_lazy("Describe what the school asks before you mark the report as "
                                "sent."),
    "contact_name": gettext_lazy("Fill in the contact person's name before you mark the report "
                                 "as sent."),
    "contact_role": gettext_lazy("Fill in the contact person's role before you mark the report "
                                 "as sent."),
    "contact_phone": gettext_lazy("Fill in the contact person's phone number before you mark "
                                  "the report as sent."),
    "contact_email": gettext_lazy("Fill in the contact person's e-mail address before you mark "
                                  "the report as sent."),
}


@transaction.atomic
def mark_dossier_sent(dossier: DuoDossier, *, actor: Any, duo_reference: str = "",
                      now: dt.datetime | None = None) -> DuoDossier:
    """Record that the dossier was sent through the DUO portal: status registered, when and
    by whom, and DUO's reference when given. Every field must be filled first."""
    _check_actor(actor, dossier.school_id)
    before = reload(dossier)
    if before.status != DuoStatus.PROPOSED:
        raise ValidationError(
            _("This report is not waiting to be sent any more (%(status)s)."),
            code="not_proposed", params={"status": before.get_status_display()},
        )
    errors: dict[str, list[ValidationError]] = {}
    for name in missing_to_send(before):
        add_error(errors, name, str(MISSING_MESSAGES[name]), "required_to_send")
    if len(before.probable_reason) > REASON_MAX:
        add_error(errors, "probable_reason",
                  _("Keep the probable reason to %(max)s characters or fewer (it has %(n)s)."),
                  "reason_too_long", {"max": REASON_MAX, "n": len(before.probable_reason)})
    reference = (duo_reference or "").strip()
    if len(reference) > 40:
        add_error(errors, "duo_reference", _("DUO's reference has at most 40 characters."),
                  "reference_too_long")
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    dossier.refresh_from_db()
    dossier.status = DuoStatus.REGISTERED
    dossier.status_changed_at = now
    dossier.sent_at = now
    dossier.sent_by = _user(actor)
    dossier.duo_reference = reference
    dossier.save(update_fields=["status", "status_changed_at", "sent_at", "sent_by",
                                "duo_reference"])
    _audit_update(actor, before, dossier, action="duo_sent")
    return dossier


@transaction.atomic
def set_dossier_status(dossier: DuoDossier, *, status: str, actor: Any, reason: str = "",
                       now: dt.datetime | None = None) -> DuoDossier:
    """Follow the dossier at DUO and the municipality: registered → in progress → closed or
    acknowledged. The school may withdraw it at any time, with a reason that is kept in the
    audit row. Impossible transitions are refused."""
    _check_actor(actor, dossier.school_id)
    before = reload(dossier)
    reason = (reason or "").strip()
    if status not in DuoStatus.values:
        raise ValidationError(_("Unknown status “%(status)s”."), code="invalid_status",
                              params={"status": status})
    if status == before.status:
        raise ValidationError(_("The report already has the status “%(status)s”."),
                              code="same_status", params={"status": before.get_status_display()})
    if before.status == DuoStatus.PROPOSED and status == DuoStatus.REGISTERED:
        raise ValidationError(
            _("Mark the report as sent once you have sent it through the DUO portal."),
            code="use_mark_sent")
    if status not in TRANSITIONS[before.status]:
        raise ValidationError(
            _("A report that is “%(current)s” cannot become “%(new)s”."),
            code="invalid_transition",
            params={"current": before.get_status_display(),
                    "new": DuoStatus(status).label},
        )
    if status == DuoStatus.WITHDRAWN and not reason:
        raise ValidationError({"reason": [ValidationError(
            _("Say why the school withdraws the report."), code="reason_required")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [ValidationError(
            _("Keep the reason to 500 characters or fewer."), code="reason_too_long")]})
    dossier.refresh_from_db()
    dossier.status = status
    dossier.status_changed_at = now or timezone.now()
    dossier.save(update_fields=["status", "status_changed_at"])
    _audit_update(actor, before, dossier, action="duo_status",
                  extra={"reason": reason} if reason else None)
    return dossier


# --- reading -------------------------------------------------------------------------------------

def dossiers_of(school: School) -> QuerySet[DuoDossier]:
    return DuoDossier.objects.filter(school=school).select_related("student", "sent_by")


def get_dossier(school: School, pk: int) -> DuoDossier:
    """A dossier of ``school`` (the caller has checked the user's school-wide role), or the
    usual 404."""
    try:
        return dossiers_of(school).select_related("student__school", "school").get(pk=pk)
    except DuoDossier.DoesNotExist:
        raise Http404(access.NOT_FOUND) from None


def record_dossier_read(user: Any, dossier: DuoDossier, *, what: str = "duo_dossier") -> None:
    """Reading a dossier is reading the student's file: one audit read row."""
    record_read(actor=user, student=dossier.student, what=what)


@dataclass
class DueReport:
    """One line of the DUO overview's "to report" list: a report the rule found, or a
    proposed dossier (luxury and long absence are proposed by the protocol only)."""

    student: Student
    kind: str
    start_date: dt.date
    end_date: dt.date
    hours: float
    due_on: dt.date
    mandatory: bool
    overdue: bool
    dossier: DuoDossier | None = None
    groups: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(DuoKind(self.kind).label)


@dataclass
class DueOverview:
    to_report: list[DueReport]
    sent: list[DuoDossier]
    school_year: Any = None


def _groups_today(school: School, student_ids: Sequence[int], today: dt.date) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for student_id, name in (Membership.objects.filter(active_membership_q(today), school=school,
                                                       student_id__in=list(student_ids))
                             .values_list("student_id", "group__name").order_by("group__name")):
        names[student_id].append(name)
    return names


def due_reports(school: School, today: dt.date) -> DueOverview:
    """The DUO overview of ``school`` for this school year.

    1. Every report the legal rule finds with an end date from the first day of the school
       year through ``today`` (with ``report_adults`` from the school's ``Protocol``).
    2. Joined with the dossiers on (student, kind, start date): a report without a dossier,
       or with a dossier still proposed, is *to report*; it is overdue when ``today`` is past
       its due date (five working days after the end date).
    3. Proposed dossiers the rule does not know (luxury and long absence, or a report whose
       hours were corrected since) are to report too.
    4. Dossiers sent (or withdrawn) this school year are listed with their status.

    To report: overdue first, then by due date. Sent: latest end date first.
    """
    year = school_year_on(school, today)
    if year is None:
        return DueOverview([], [])
    protocol = school_protocol(school)
    found = reports_by_student(school, year.start_date, today,
                               report_adults=protocol.report_adults)
    dossiers = list(dossiers_of(school).filter(end_date__gte=year.start_date))
    by_key = {(d.student_id, d.kind, d.start_date): d for d in dossiers}
    student_ids = {pk for pk, _key, _report in found}
    students = {s.pk: s for s in Student.objects.filter(school=school, pk__in=student_ids)}
    items: list[DueReport] = []
    matched: set[int] = set()
    for pk, _key, report in found:
        dossier = by_key.get((pk, report.kind, report.start_date))
        if dossier is not None:
            matched.add(dossier.pk)
            if dossier.status != DuoStatus.PROPOSED:
                continue
        items.append(DueReport(
            student=students[pk], kind=report.kind, start_date=report.start_date,
            end_date=report.end_date, hours=report.hours,
            due_on=dossier.due_on if dossier else report.due_date,
            mandatory=report.mandatory, overdue=False, dossier=dossier,
        ))
    for dossier in dossiers:
        if dossier.status == DuoStatus.PROPOSED and dossier.pk not in matched:
            items.append(DueReport(
                student=dossier.student, kind=dossier.kind, start_date=dossier.start_date,
                end_date=dossier.end_date, hours=float(dossier.hours), due_on=dossier.due_on,
                mandatory=dossier.mandatory, overdue=False, dossier=dossier,
            ))
    groups = _groups_today(school, [item.student.pk for item in items], today)
    for item in items:
        item.overdue = today > item.due_on
        item.groups = groups.get(item.student.pk, [])
    items.sort(key=lambda item: (not item.overdue, item.due_on, item.student.sort_name))
    sent = sorted((d for d in dossiers if d.status != DuoStatus.PROPOSED),
                  key=lambda d: (d.end_date, d.pk), reverse=True)
    return DueOverview(items, sent, year)


def prepare_dossier(student: Student, *, kind: str, start_date: dt.date, today: dt.date,
                    actor: Any) -> DuoDossier:
    """Propose the dossier for a report the rule finds for ``student`` this school year
    (the overview's "prepare the report" button). A dossier that exists is returned; a
    report the rule does not find (any more) is refused."""
    school = student.school
    existing = _find(school, student, kind, start_date)
    if existing is not None:
        return existing
    year = school_year_on(school, today)
    protocol = school_protocol(school)
    reports = [] if year is None else student_reports(
        student, year.start_date, today, report_adults=protocol.report_adults)
    for report in reports:
        if report.kind == kind and report.start_date == start_date:
            return propose_dossier(student, kind=kind, start_date=start_date,
                                   end_date=report.end_date, hours=report.hours,
                                   due_on=report.due_date, mandatory=report.mandatory,
                                   actor=actor)
    raise ValidationError(
        _("There is no report to prepare for %(name)s from %(day)s: the hours may have been "
          "corrected in the meantime."),
        code="no_such_report", params={"name": student.full_name, "day": _d(start_date)},
    )


# --- what DUO asks, field by field ---------------------------------------------------------------

def mask(number: str) -> str:
    """A BSN or onderwijsnummer for those who may not see it: only the last three digits."""
    return f"••••••{number[-3:]}" if number else ""


def identifier(student: Student, *, full: bool) -> tuple[str, str]:
    """(label, value): the BSN, or the onderwijsnummer when there is no BSN; masked unless
    ``full``."""
    if student.bsn:
        return "BSN", student.bsn if full else mask(student.bsn)
    if student.onderwijsnummer:
        return "Onderwijsnummer", (student.onderwijsnummer if full
                                   else mask(student.onderwijsnummer))
    return "BSN", ""


def year_level(student: Student, day: dt.date) -> str:
    """Year, level and group on ``day`` (the dossier's end date), e.g. ``leerjaar 2, havo, 2B``."""
    parts = []
    membership = (Membership.objects.filter(active_membership_q(day), student=student)
                  .select_related("group").order_by("group__kind", "group__name").first())
    if membership is None:
        return ""
    group = membership.group
    if group.year_level:
        parts.append(f"leerjaar {group.year_level}")
    if group.level:
        parts.append(group.level)
    if group.programme:
        parts.append(group.programme)
    parts.append(group.name)
    return ", ".join(parts)


def hours_text(dossier: DuoDossier) -> str:
    value = f"{dossier.hours:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{value} {UNIT_DUO.get(dossier.school.hour_unit, 'lesuren')}"


def absences_text(dossier: DuoDossier) -> str:
    """The days and lessons absent as lines of plain text (for the portal and the CSV)."""
    lines = []
    for day in dossier.absences:
        date = dt.date.fromisoformat(day["date"])
        lessons = ", ".join(
            f"{lesson['start']}–{lesson['end']} {lesson['subject']} ({lesson['group']})"
            + (" te laat" if lesson.get("late") else "")
            for lesson in day["lessons"]
        )
        lines.append(f"{_dutch_date(date, 'l j F Y')}: {lessons}")
    return "\n".join(lines)


@dataclass(frozen=True)
class PortalField:
    key: str
    label: str  # the portal's Dutch label
    value: str
    multiline: bool = False


#: Every field DUO asks, in the order of the portal's form: (key, Dutch label, multi-line).
PORTAL_COLUMNS: list[tuple[str, str, bool]] = [
    ("brin", "BRIN en vestiging", False),
    ("school", "School", False),
    ("identifier_kind", "Soort nummer", False),
    ("identifier", "BSN of onderwijsnummer", False),
    ("last_name", "Achternaam", False),
    ("first_names", "Voornamen", False),
    ("birth_date", "Geboortedatum", False),
    ("student_number", "Leerlingnummer", False),
    ("sector", "Onderwijssoort", False),
    ("year_level", "Leerjaar, niveau en klas", False),
    ("kind", "Soort melding", False),
    ("start_date", "Startdatum verzuim", False),
    ("end_date", "Einddatum verzuim", False),
    ("hours", "Aantal uren ongeoorloofd verzuim", False),
    ("absences", "Dagen en lessen afwezig", True),
    ("probable_reason", "Vermoedelijke reden", False),
    ("school_actions", "Wat heeft de school al gedaan", True),
    ("school_asks", "Wat vraagt de school", True),
    ("contact_name", "Contactpersoon", False),
    ("contact_role", "Functie contactpersoon", False),
    ("contact_phone", "Telefoon contactpersoon", False),
    ("contact_email", "E-mail contactpersoon", False),
]


def portal_values(dossier: DuoDossier, *, show_identifiers: bool) -> dict[str, str]:
    student, school = dossier.student, dossier.school
    id_label, id_value = identifier(student, full=show_identifiers)
    return {
        "brin": f"{school.brin}{school.vestiging}",
        "school": school.name,
        "identifier_kind": id_label,
        "identifier": id_value,
        "last_name": f"{student.prefix} {student.last_name}".strip(),
        "first_names": student.first_names,
        "birth_date": _d(student.birth_date),
        "student_number": student.school_key,
        "sector": SECTOR_DUO.get(student.sector, student.sector),
        "year_level": year_level(student, dossier.end_date),
        "kind": KIND_DUO.get(dossier.kind, dossier.kind),
        "start_date": _d(dossier.start_date),
        "end_date": _d(dossier.end_date),
        "hours": hours_text(dossier),
        "absences": absences_text(dossier),
        "probable_reason": dossier.probable_reason,
        "school_actions": dossier.school_actions,
        "school_asks": dossier.school_asks,
        "contact_name": dossier.contact_name,
        "contact_role": dossier.contact_role,
        "contact_phone": phone_display(dossier.contact_phone),
        "contact_email": dossier.contact_email,
    }


def portal_fields(dossier: DuoDossier, *, show_identifiers: bool) -> list[PortalField]:
    """Every field DUO asks, in the order of the portal's form, with its Dutch label. The
    BSN (or onderwijsnummer) is masked unless ``show_identifiers``."""
    values = portal_values(dossier, show_identifiers=show_identifiers)
    return [PortalField(key, label, values[key], multiline)
            for key, label, multiline in PORTAL_COLUMNS]


#: Columns after the portal's fields: what the school recorded about sending.
CSV_TRAILER = ("Status", "Uiterlijk melden op", "Gemeld op", "Kenmerk DUO")
STATUS_DUTCH: dict[str, str] = {
    DuoStatus.PROPOSED: "te melden",
    DuoStatus.REGISTERED: "geregistreerd",
    DuoStatus.IN_PROGRESS: "in behandeling",
    DuoStatus.CLOSED: "afgesloten",
    DuoStatus.ACKNOWLEDGED: "ter kennisgeving aangenomen",
    DuoStatus.WITHDRAWN: "ingetrokken",
}


def csv_header() -> list[str]:
    return [label for _key, label, _multi in PORTAL_COLUMNS] + list(CSV_TRAILER)


def export_csv(dossiers: Sequence[DuoDossier], *, show_identifiers: bool) -> bytes:
    """The dossiers as CSV for the DUO web portal: semicolon separated, UTF-8 with a BOM so
    that Excel opens it right, one row per dossier, the portal's fields in its order, then
    status, due date, when it was sent and DUO's reference."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(csv_header())
    for dossier in dossiers:
        values = portal_values(dossier, show_identifiers=show_identifiers)
        sent = (f"{timezone.localtime(dossier.sent_at):%d-%m-%Y %H:%M}"
                if dossier.sent_at else "")
        writer.writerow([values[key] for key, _label, _multi in PORTAL_COLUMNS] + [
            STATUS_DUTCH.get(dossier.status, dossier.status), _d(dossier.due_on), sent,
            dossier.duo_reference,
        ])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def export_dossiers(school: School, today: dt.date) -> list[DuoDossier]:
    """The dossiers the export holds: this school year's, not withdrawn, by due date."""
    year = school_year_on(school, today)
    qs = dossiers_of(school).select_related("school").exclude(status=DuoStatus.WITHDRAWN)
    if year is not None:
        qs = qs.filter(end_date__gte=year.start_date)
    return list(qs.order_by("due_on", "pk"))


# --- the PDF -------------------------------------------------------------------------------------

def render_pdf(dossier: DuoDossier, *, show_identifiers: bool, printed_on: dt.date) -> bytes:
    """The dossier on A4 with Dutch labels (WeasyPrint). The BSN is printed in full only when
    ``show_identifiers``; otherwise only its last three digits."""
    from weasyprint import HTML

    with translation.override("nl"):
        html = render_to_string("protocol/duo/pdf.html", {
            "dossier": dossier, "school": dossier.school, "student": dossier.student,
            "fields": {f.key: f for f in portal_fields(dossier,
                                                         show_identifiers=show_identifiers)},
            "days": absence_days(dossier), "printed_on": printed_on,
            "status_label": STATUS_DUTCH.get(dossier.status, dossier.status),
        })
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return pdf


@dataclass(frozen=True)
class AbsenceDay:
    date: dt.date
    hours: float
    lessons: list[dict[str, Any]]


def absence_days(dossier: DuoDossier) -> list[AbsenceDay]:
    return [AbsenceDay(dt.date.fromisoformat(day["date"]), day.get("hours", 0.0), day["lessons"])
            for day in dossier.absences]


def allowed_statuses(dossier: DuoDossier) -> list[tuple[str, str]]:
    """The statuses the dossier may go to from here, as (value, label), for the status form."""
    return [(value, str(label)) for value, label in DuoStatus.choices
            if value in TRANSITIONS[dossier.status]]
