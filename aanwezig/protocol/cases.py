"""Cases (begeleiding) and tasks: the services that write them and the reads of their pages.

A case is the begeleiding around one student's attendance; a student has at most
one open case at a school. The protocol engine opens and escalates cases and
creates tasks (:func:`open_or_escalate_case`, :func:`create_task`); staff work the
case in the browser: conversations that start with attendance, agreements that
are reviewed, partners, notes, and a closing evaluation. Docs: docs/cases.md.

Every service validates completely before it saves, runs in one transaction,
takes a keyword-only ``actor`` (``None`` is the system: the protocol) and writes
an audit row. Invalid input raises ``ValidationError`` with a translatable
message; a missing right raises ``PermissionDenied``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aanwezig import access
from aanwezig.attendance.counting import lesson_outcomes, summarise
from aanwezig.attendance.models import CallLog
from aanwezig.lib.dates import monday_of
from aanwezig.notifications.models import Message
from aanwezig.protocol.models import (
    Agreement,
    AgreementParty,
    AgreementStatus,
    Case,
    CaseNote,
    CaseOutcome,
    CasePartner,
    CaseStatus,
    Conversation,
    ConversationKind,
    Firing,
    Task,
    TaskKind,
    TaskStatus,
)
from aanwezig.roster.models import Student
from aanwezig.schools.calendar import Calendar, school_year_on
from aanwezig.schools.models import ExternalPartner, HourUnit, Role, School
from aanwezig.schools.services import add_error, audit_create, audit_update, deny, reload, validate

#: The highest level of a case: 1 mentor and parents, 2 with the coordinator, 3 with partners.
MAX_LEVEL = 3

Errors = dict[str, list[ValidationError]]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _required(errors: Errors, field: str, value: str, message: str) -> None:
    if not (value or "").strip():
        add_error(errors, field, message, "required")


def _check_open(case: Case, errors: Errors) -> None:
    if case.status != CaseStatus.OPEN:
        add_error(errors, None, _("This case is closed; nothing can be added any more."),
                  "case_closed")


def _check_case_right(actor: Any, case: Case) -> None:
    if actor is not None and not access.may_change_case(actor, case):
        raise deny()


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


# --- what the protocol engine calls --------------------------------------------------------------

@transaction.atomic
def open_or_escalate_case(student: Student, *, title: str, role: str, escalate: bool = False,
                          actor: Any = None, now: dt.datetime | None = None) -> Case:
    """Return the student's open case at their school, opening one (level 1) if there is none.

    With ``escalate=True`` the level goes up by one (at most 3), also when the case
    was opened a moment ago by this call or by an earlier step; the responsible
    role then becomes ``role``. Writes an audit row for the create and for the
    update. ``actor=None`` is the system (the protocol).
    """
    now = _now(now)
    errors: Errors = {}
    _required(errors, "title", title, _("Give the case a subject."))
    if role not in Role.values:
        add_error(errors, "role", _("Unknown role “%(role)s”."), "unknown_role", {"role": role})
    _raise(errors)
    # Lock the student's row so that two protocol runs cannot both open a case.
    list(Student.objects.select_for_update().filter(pk=student.pk).values_list("pk"))
    case = (
        Case.objects.filter(school_id=student.school_id, student=student, status=CaseStatus.OPEN)
        .order_by("opened_at", "pk")
        .first()
    )
    if case is None:
        case = Case(school_id=student.school_id, student=student, level=1, title=title.strip(),
                    role=role, opened_at=now, opened_by=_user(actor))
        validate(case)
        case.save()
        audit_create(actor, case, student=student)
    if escalate:
        before = reload(case)
        case.level = min(MAX_LEVEL, case.level + 1)
        case.role = role
        case.save(update_fields=["level", "role"])
        audit_update(actor, before, case, student=student)
    return case


@transaction.atomic
def create_task(school: School, *, kind: str, role: str, title: str, description: str = "",
                student: Student | None = None, case: Case | None = None,
                firing: Firing | None = None, due_on: dt.date | None = None,
                assignee: Any = None, actor: Any = None, now: dt.datetime | None = None) -> Task:
    """Create an open task for ``role`` (or for ``assignee``) at ``school``, with an audit row.

    A task of a case is about the case's student. ``kind`` is a ``TaskKind``, ``role``
    a ``Role``.
    """
    now = _now(now)
    errors: Errors = {}
    if kind not in TaskKind.values:
        add_error(errors, "kind", _("Unknown kind of task “%(kind)s”."), "unknown_kind",
                  {"kind": kind})
    if role not in Role.values:
        add_error(errors, "role", _("Unknown role “%(role)s”."), "unknown_role", {"role": role})
    _required(errors, "title", title, _("Say what has to be done."))
    if case is not None:
        if case.school_id != school.pk:
            add_error(errors, "case", _("This case belongs to another school."), "other_school")
        if student is None:
            student = case.student
        elif case.student_id != student.pk:
            add_error(errors, "case", _("This case is about another student."), "other_student")
    if student is not None and student.school_id != school.pk:
        add_error(errors, "student", _("This student is at another school."), "other_school")
    if firing is not None and firing.school_id != school.pk:
        add_error(errors, "firing", _("This signal belongs to another school."), "other_school")
    _raise(errors)
    task = Task(school=school, kind=kind, role=role, title=title.strip(),
                description=description.strip(), student=student, case=case, firing=firing,
                due_on=due_on, assignee=assignee, created_at=now)
    validate(task)
    task.save()
    audit_create(actor, task, student=student)
    return task


# --- the student's figures, for the case header and a conversation's first line ------------------

@dataclass
class Figures:
    """A student's attendance now: the school year's presence and the last 4 school weeks."""

    lessons: int
    present: int
    percent_present: float | None
    unexcused_hours_4_weeks: float
    late_count: int
    hour_unit: str

    @property
    def hours_text(self) -> str:
        """The unexcused hours in the school's unit: "6 lesuren", "2,5 klokuren"."""
        hours = self.unexcused_hours_4_weeks
        number = f"{round(hours, 1):g}".replace(".", ",")
        n = 1 if hours == 1 else 2
        if self.hour_unit == HourUnit.KLOKUUR:
            return ngettext("%(hours)s clock hour", "%(hours)s clock hours", n) % {"hours": number}
        return ngettext("%(hours)s lesson hour", "%(hours)s lesson hours", n) % {"hours": number}


def current_figures(student: Student, today: dt.date) -> Figures:
    """Count ``student``'s attendance as of ``today`` with ``attendance.counting``: the
    school year so far, and the unexcused hours in the last 4 school weeks (which may reach
    back over a long holiday, as on the student page). A fixed number of queries."""
    school = student.school
    year = school_year_on(school, today)
    lookback = today - dt.timedelta(weeks=16)
    weeks = Calendar(school, lookback, today).school_weeks()
    four_weeks_start = weeks[-4] if len(weeks) >= 4 else (weeks[0] if weeks else monday_of(today))
    start = min(year.start_date, four_weeks_start) if year else four_weeks_start
    outcomes = lesson_outcomes(school, [student.pk], start, today)[student.pk]
    year_count = summarise(outcomes, year.start_date, today) if year else summarise([])
    return Figures(
        lessons=year_count.lessons,
        present=year_count.present,
        percent_present=year_count.percent_present,
        unexcused_hours_4_weeks=summarise(outcomes, four_weeks_start, today).hours_unexcused,
        late_count=year_count.late,
        hour_unit=school.hour_unit,
    )


def attendance_line(student: Student, today: dt.date, figures: Figures | None = None) -> str:
    """The first line of every conversation: "Sam was er 92% van de lessen dit schooljaar;
    6 lesuren ongeoorloofd afwezig in de laatste 4 schoolweken". Presence first."""
    figures = figures or current_figures(student, today)
    if figures.percent_present is None:
        return _("%(name)s has no registered lessons this school year yet.") % {
            "name": student.given_name}
    return _("%(name)s was there for %(percent)s of the lessons this school year; %(hours)s "
             "absent without a valid reason in the last 4 school weeks") % {
        "name": student.given_name,
        "percent": f"{figures.percent_present:.0f}%",
        "hours": figures.hours_text,
    }


# --- cases by hand ---------------------------------------------------------------------------------

@transaction.atomic
def open_case(student: Student, *, title: str, role: str, actor: Any,
              now: dt.datetime | None = None) -> Case:
    """Open a case for ``student`` by hand (level 1). Refused while the student already
    has an open case at the school: work in that one."""
    if actor is not None and not access.may_open_case(actor, student):
        raise deny()
    now = _now(now)
    errors: Errors = {}
    _required(errors, "title", title, _("Give the case a subject."))
    if role not in Role.values:
        add_error(errors, "role", _("Unknown role “%(role)s”."), "unknown_role", {"role": role})
    if Case.objects.filter(school_id=student.school_id, student=student,
                           status=CaseStatus.OPEN).exists():
        add_error(errors, None, _("%(name)s already has an open case; add to that one."),
                  "case_already_open", {"name": student.full_name})
    _raise(errors)
    case = Case(school_id=student.school_id, student=student, level=1, title=title.strip(),
                role=role, opened_at=now, opened_by=_user(actor))
    validate(case)
    case.save()
    audit_create(actor, case, student=student)
    return case


@transaction.atomic
def add_conversation(case: Case, *, held_on: dt.date, kind: str, participants: str,
                     school_view: str = "", parents_view: str = "", student_view: str = "",
                     actor: Any, now: dt.datetime | None = None) -> Conversation:
    """Record a conversation held in ``case``. Its first line, the attendance, is filled in
    from the student's figures (tip 7: every conversation starts with attendance); the
    school's, the parents' and the student's views are kept side by side (tip 1)."""
    _check_case_right(actor, case)
    now = _now(now)
    errors: Errors = {}
    _check_open(case, errors)
    if kind not in ConversationKind.values:
        add_error(errors, "kind", _("Choose what kind of conversation it was."), "unknown_kind")
    _required(errors, "participants", participants, _("Say who took part."))
    if held_on is None:
        add_error(errors, "held_on", _("Give the date of the conversation."), "required")
    elif held_on > _today(now):
        add_error(errors, "held_on",
                  _("A conversation is recorded after it was held; the date cannot be in the "
                    "future."), "future_date")
    elif held_on < timezone.localdate(case.opened_at) - dt.timedelta(days=31):
        add_error(errors, "held_on",
                  _("This date is long before the case was opened; check the date."),
                  "before_case")
    _raise(errors)
    conversation = Conversation(
        school_id=case.school_id, case=case, held_on=held_on, kind=kind,
        participants=participants.strip(), attendance=attendance_line(case.student, held_on),
        school_view=school_view.strip(), parents_view=parents_view.strip(),
        student_view=student_view.strip(), recorded_by=_user(actor), recorded_at=now,
    )
    validate(conversation)
    conversation.save()
    audit_create(actor, conversation, student=case.student)
    return conversation


@transaction.atomic
def add_agreement(case: Case, *, text: str, party: str, review_on: dt.date, actor: Any,
                  now: dt.datetime | None = None) -> Agreement:
    """Make an agreement with the student, the parents or the school, to be reviewed on
    ``review_on`` (today or later)."""
    _check_case_right(actor, case)
    now = _now(now)
    errors: Errors = {}
    _check_open(case, errors)
    _required(errors, "text", text, _("Write down what was agreed."))
    if party not in AgreementParty.values:
        add_error(errors, "party", _("Choose who keeps this agreement."), "unknown_party")
    if review_on is None:
        add_error(errors, "review_on", _("Choose when the agreement is reviewed."), "required")
    elif review_on < _today(now):
        add_error(errors, "review_on", _("The review date cannot be in the past."), "past_date")
    _raise(errors)
    agreement = Agreement(school_id=case.school_id, case=case, text=text.strip(), party=party,
                          review_on=review_on, created_at=now, created_by=_user(actor))
    validate(agreement)
    agreement.save()
    audit_create(actor, agreement, student=case.student)
    return agreement


#: The outcomes of a review: kept, not kept, or changed (the note then says how).
REVIEW_OUTCOMES = (AgreementStatus.KEPT, AgreementStatus.NOT_KEPT, AgreementStatus.CHANGED)


@transaction.atomic
def review_agreement(agreement: Agreement, *, status: str, note: str = "", actor: Any,
                     now: dt.datetime | None = None) -> Agreement:
    """Review a running agreement: kept, not kept, or changed (then the note says how).
    An agreement is reviewed once; make a new one to go on."""
    case = agreement.case
    _check_case_right(actor, case)
    now = _now(now)
    errors: Errors = {}
    _check_open(case, errors)
    if agreement.status != AgreementStatus.OPEN:
        add_error(errors, None, _("This agreement has already been reviewed."),
                  "already_reviewed")
    if status not in REVIEW_OUTCOMES:
        add_error(errors, "status", _("Choose kept, not kept or changed."), "unknown_status")
    elif status == AgreementStatus.CHANGED and not (note or "").strip():
        add_error(errors, "review_note", _("Say how the agreement changed."), "required")
    _raise(errors)
    before = reload(agreement)
    agreement.status = status
    agreement.review_note = (note or "").strip()
    agreement.reviewed_at = now
    validate(agreement)
    agreement.save()
    audit_update(actor, before, agreement, student=case.student)
    return agreement


@transaction.atomic
def involve_partner(case: Case, *, partner: ExternalPartner, reason: str, actor: Any,
                    now: dt.datetime | None = None) -> CasePartner:
    """Involve an external partner (leerplicht, RMC, jeugdarts) in ``case``. Only a partner
    of the school's board who serves this school; the reason is required. The partner then
    sees the case on their own read-only page, with what the law allows (docs/cases.md)."""
    if actor is not None and not (access.may_involve_partners(actor, case.school_id)
                                  and access.may_change_case(actor, case)):
        raise deny()
    now = _now(now)
    errors: Errors = {}
    _check_open(case, errors)
    _required(errors, "reason", reason, _("Say why the partner is involved."))
    if partner is None or not partner.schools.filter(pk=case.school_id).exists() or (
            partner.board_id != case.school.board_id):
        add_error(errors, "partner", _("Choose a partner who works with this school."),
                  "unknown_partner")
    elif CasePartner.objects.filter(case=case, partner=partner).exists():
        add_error(errors, "partner", _("%(partner)s is already involved in this case."),
                  "already_involved", {"partner": partner.name})
    _raise(errors)
    link = CasePartner(school_id=case.school_id, case=case, partner=partner,
                       reason=reason.strip(), added_at=now, added_by=_user(actor))
    validate(link)
    link.save()
    audit_create(actor, link, student=case.student)
    return link


@transaction.atomic
def add_note(case: Case, *, text: str, actor: Any, now: dt.datetime | None = None) -> CaseNote:
    """Add a short note to the case's timeline (what happened, never a diagnosis)."""
    _check_case_right(actor, case)
    now = _now(now)
    errors: Errors = {}
    _check_open(case, errors)
    _required(errors, "text", text, _("Write the note."))
    _raise(errors)
    note = CaseNote(school_id=case.school_id, case=case, text=text.strip(), written_at=now,
                    written_by=_user(actor))
    validate(note)
    note.save()
    audit_create(actor, note, student=case.student)
    return note


@transaction.atomic
def close_case(case: Case, *, outcome: str, evaluation: str, evaluation_parents: str = "",
               evaluation_student: str = "", actor: Any,
               now: dt.datetime | None = None) -> Case:
    """Close ``case`` with its outcome and evaluation (tip 8: evaluate at case level).

    1. Refuse while an agreement is still running: review each one first.
    2. Cancel the case's open tasks (an audit row each).
    3. Close the case with the outcome, the evaluation and, when given, how the
       parents and the student look back.
    """
    _check_case_right(actor, case)
    now = _now(now)
    errors: Errors = {}
    _check_open(case, errors)
    if outcome not in CaseOutcome.values:
        add_error(errors, "outcome", _("Choose the outcome of the case."), "unknown_outcome")
    _required(errors, "evaluation", evaluation, _("Write the evaluation: what worked, what did not."))
    running = case.agreements.filter(status=AgreementStatus.OPEN).count()
    if running:
        add_error(errors, None,
                  ngettext("%(n)d agreement is still running; review it before closing the case.",
                           "%(n)d agreements are still running; review them before closing the "
                           "case.", running) % {"n": running},
                  "agreements_running")
    _raise(errors)
    for task in case.tasks.filter(status=TaskStatus.OPEN):
        _finish_task(task, status=TaskStatus.CANCELLED,
                     note=_("Cancelled: the case was closed."), actor=actor, now=now)
    before = reload(case)
    case.status = CaseStatus.CLOSED
    case.outcome = outcome
    case.evaluation = evaluation.strip()
    case.evaluation_parents = (evaluation_parents or "").strip()
    case.evaluation_student = (evaluation_student or "").strip()
    case.closed_at = now
    case.closed_by = _user(actor)
    validate(case)
    case.save()
    audit_update(actor, before, case, student=case.student)
    return case


# --- tasks -------------------------------------------------------------------------------------------

def _finish_task(task: Task, *, status: str, note: str, actor: Any, now: dt.datetime) -> Task:
    before = reload(task)
    task.status = status
    task.done_note = (note or "").strip()
    task.done_at = now
    task.done_by = _user(actor)
    validate(task)
    task.save()
    audit_update(actor, before, task, student=task.student)
    return task


def _check_task_open(task: Task) -> None:
    if task.status != TaskStatus.OPEN:
        raise ValidationError(_("This task is no longer open."), code="task_not_open")


@transaction.atomic
def complete_task(task: Task, *, note: str = "", actor: Any,
                  now: dt.datetime | None = None) -> Task:
    """Mark a task done, with a short note on how it went (optional)."""
    if actor is not None and not access.tasks_for_user(actor, task.school).filter(
            pk=task.pk).exists():
        raise deny()
    _check_task_open(task)
    return _finish_task(task, status=TaskStatus.DONE, note=note, actor=actor, now=_now(now))


@transaction.atomic
def cancel_task(task: Task, *, note: str = "", actor: Any,
                now: dt.datetime | None = None) -> Task:
    """Cancel a task that is no longer needed (school-wide roles and its assignee)."""
    if actor is not None and not access.tasks_to_cancel_for_user(actor, task.school).filter(
            pk=task.pk).exists():
        raise deny()
    _check_task_open(task)
    return _finish_task(task, status=TaskStatus.CANCELLED, note=note, actor=actor, now=_now(now))


# --- reads ---------------------------------------------------------------------------------------------

#: What each kind of timeline line is called on the page (a word next to every line).
TIMELINE_LABELS = {
    "opened": gettext_lazy("case opened"),
    "closed": gettext_lazy("case closed"),
    "firing": gettext_lazy("protocol signal"),
    "task": gettext_lazy("task"),
    "task_done": gettext_lazy("task done"),
    "task_cancelled": gettext_lazy("task cancelled"),
    "conversation": gettext_lazy("conversation"),
    "agreement": gettext_lazy("agreement"),
    "review": gettext_lazy("review"),
    "partner": gettext_lazy("partner"),
    "note": gettext_lazy("note"),
    "duo": gettext_lazy("DUO report"),
    "message": gettext_lazy("message"),
    "call": gettext_lazy("phone call"),
}


@dataclass
class TimelineItem:
    """One line of a case's timeline; ``kind`` is a key of ``TIMELINE_LABELS``."""

    at: dt.datetime
    kind: str
    text: str
    link: str = ""
    who: str = ""
    date_only: bool = False

    @property
    def label(self) -> str:
        return str(TIMELINE_LABELS.get(self.kind, self.kind))


def _name(user: Any) -> str:
    return user.display_name() if user is not None else _("the protocol")


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def case_timeline(case: Case, *, now: dt.datetime | None = None) -> list[TimelineItem]:
    """Everything that happened in ``case``, newest first, in a fixed number of queries.

    Sources: the case's opening and closing, its protocol signals (their explanation),
    tasks (created, done or cancelled), conversations, agreements (made, reviewed),
    partners involved, notes, DUO reports (text only), and, from the case's opening
    until its closing (or now), the messages sent about the student (subject, channel
    and status; never a message's body) and the attendance desk's calls.
    """
    now = _now(now)
    student = case.student
    end = case.closed_at or now
    items: list[TimelineItem] = [
        TimelineItem(case.opened_at, "opened", _("Case opened: %(title)s") % {"title": case.title},
                     who=_name(case.opened_by)),
    ]
    if case.closed_at:
        items.append(TimelineItem(case.closed_at, "closed",
                                  _("Case closed: %(outcome)s") % {
                                      "outcome": case.get_outcome_display()},
                                  who=_name(case.closed_by)))
    # 1. Protocol signals.
    for firing in case.firings.order_by("fired_at"):
        items.append(TimelineItem(firing.fired_at, "firing",
                                  f"{firing.step_title}: {firing.explanation}",
                                  who=_("the protocol")))
    # 2. Tasks: created, and done or cancelled.
    for task in case.tasks.select_related("done_by"):
        items.append(TimelineItem(task.created_at, "task",
                                  _("Task for the %(role)s: %(title)s") % {
                                      "role": task.get_role_display(), "title": task.title}))
        if task.done_at and task.status == TaskStatus.DONE:
            text = _("Task done: %(title)s") % {"title": task.title}
            items.append(TimelineItem(task.done_at, "task_done",
                                      f"{text} — {task.done_note}" if task.done_note else text,
                                      who=_name(task.done_by)))
        elif task.done_at and task.status == TaskStatus.CANCELLED:
            text = _("Task cancelled: %(title)s") % {"title": task.title}
            items.append(TimelineItem(task.done_at, "task_cancelled",
                                      f"{text} — {task.done_note}" if task.done_note else text,
                                      who=_name(task.done_by)))
    # 3. Conversations.
    for talk in case.conversations.select_related("recorded_by"):
        same_day = timezone.localdate(talk.recorded_at) == talk.held_on
        items.append(TimelineItem(
            talk.recorded_at if same_day else _noon(talk.held_on), "conversation",
            _("Conversation (%(kind)s): %(who)s") % {
                "kind": talk.get_kind_display(), "who": talk.participants},
            link=f"#conversation-{talk.pk}", who=_name(talk.recorded_by), date_only=not same_day,
        ))
    # 4. Agreements: made and reviewed.
    for agreement in case.agreements.select_related("created_by"):
        items.append(TimelineItem(
            agreement.created_at, "agreement",
            _("Agreement (%(party)s): %(text)s") % {
                "party": agreement.get_party_display(), "text": agreement.text},
            link=f"#agreement-{agreement.pk}", who=_name(agreement.created_by)))
        if agreement.reviewed_at:
            text = _("Agreement reviewed — %(status)s: %(text)s") % {
                "status": agreement.get_status_display(), "text": agreement.text}
            items.append(TimelineItem(
                agreement.reviewed_at, "review",
                f"{text} ({agreement.review_note})" if agreement.review_note else text,
                link=f"#agreement-{agreement.pk}"))
    # 5. Partners involved.
    for link in case.partners.select_related("partner", "added_by"):
        items.append(TimelineItem(
            link.added_at, "partner",
            _("%(partner)s involved: %(reason)s") % {"partner": str(link.partner),
                                                      "reason": link.reason},
            who=_name(link.added_by)))
    # 6. Notes.
    for note in case.notes.select_related("written_by"):
        items.append(TimelineItem(note.written_at, "note", note.text, who=_name(note.written_by)))
    # 7. DUO reports of the case (text only).
    for dossier in case.duo_dossiers.all():
        items.append(TimelineItem(
            dossier.sent_at or dossier.created_at, "duo",
            _("DUO report %(kind)s, %(start)s to %(end)s: %(status)s") % {
                "kind": dossier.get_kind_display(), "start": f"{dossier.start_date:%d-%m-%Y}",
                "end": f"{dossier.end_date:%d-%m-%Y}", "status": dossier.get_status_display()}))
    # 8. Messages about the student while the case is open: subject, channel, status only.
    messages = (
        Message.objects.filter(school_id=case.school_id, student_id=student.pk,
                               created_at__gte=case.opened_at, created_at__lte=end)
        .only("pk", "created_at", "sent_at", "subject", "channel", "status", "event")
    )
    for message in messages:
        items.append(TimelineItem(
            message.sent_at or message.created_at, "message",
            _("Message “%(subject)s” by %(channel)s: %(status)s") % {
                "subject": message.subject or message.get_event_display(),
                "channel": message.get_channel_display(), "status": message.get_status_display()}))
    # 9. Calls by the attendance desk in that period.
    calls = CallLog.objects.filter(
        school_id=case.school_id, student_id=student.pk, called_at__gte=case.opened_at,
        called_at__lte=end,
    ).select_related("guardian", "called_by")
    for call in calls:
        text = _("Call about %(day)s: %(outcome)s") % {"day": f"{call.date:%d-%m-%Y}",
                                                         "outcome": call.get_outcome_display()}
        if call.guardian is not None:
            text = f"{text} ({call.guardian.full_name})"
        items.append(TimelineItem(call.called_at, "call", text, who=_name(call.called_by)))
    items.sort(key=lambda item: item.at, reverse=True)
    return items


def case_list(cases: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    """Narrow the visible ``cases`` for the list: open first, then newest; annotated with
    ``overdue_reviews`` (running agreements past their review date), ``overdue_tasks``
    (open tasks past their due date), ``open_tasks`` and ``next_review``."""
    return (
        cases.select_related("student")
        .annotate(
            overdue_reviews=Count("agreements", distinct=True, filter=Q(
                agreements__status=AgreementStatus.OPEN, agreements__review_on__lt=today)),
            overdue_tasks=Count("tasks", distinct=True, filter=Q(
                tasks__status=TaskStatus.OPEN, tasks__due_on__lt=today)),
            open_tasks=Count("tasks", distinct=True, filter=Q(tasks__status=TaskStatus.OPEN)),
            next_review=Min("agreements__review_on",
                            filter=Q(agreements__status=AgreementStatus.OPEN)),
        )
        # "open" comes after "closed" in the alphabet, so descending puts open cases first.
        .order_by("-status", "-opened_at", "pk")
    )


def task_list(tasks: QuerySet[Task], which: str, user: Any, today: dt.date) -> QuerySet[Task]:
    """Narrow the visible ``tasks``: ``mine`` (the user's open tasks), ``overdue`` (open and
    past their due date), ``done`` (done tasks, newest first) or ``open`` (all open)."""
    tasks = tasks.select_related("student", "case", "assignee")
    if which == "done":
        return tasks.filter(status=TaskStatus.DONE).order_by("-done_at", "-pk")
    tasks = tasks.filter(status=TaskStatus.OPEN)
    if which == "mine":
        tasks = tasks.filter(Q(assignee=user) | Q(assignee__isnull=True))
    elif which == "overdue":
        tasks = tasks.filter(due_on__lt=today)
    return tasks.order_by("due_on", "pk")


def case_tasks(case: Case) -> list[Task]:
    """The case's tasks, open ones first (by due date), then done and cancelled ones."""
    tasks = list(case.tasks.select_related("done_by", "assignee"))
    return sorted(tasks, key=lambda t: (t.status != TaskStatus.OPEN,
                                        t.due_on or dt.date.max, -(t.pk or 0)))


def partners_to_involve(case: Case) -> list[ExternalPartner]:
    """Partners of the school's board who serve the case's school and are not involved yet."""
    involved = case.partners.values("partner_id")
    return list(
        ExternalPartner.objects.filter(board_id=case.school.board_id, schools=case.school_id)
        .exclude(pk__in=involved)
        .order_by("kind", "name")
    )


def shared_dossiers(case: Case, partner: ExternalPartner) -> list[Any]:
    """The DUO reports of ``case`` a partner may see: those sent to DUO, and only for the
    partners who receive such reports (leerplicht and RMC), never the jeugdarts."""
    if partner.kind not in {"leerplicht", "rmc"}:
        return []
    return list(case.duo_dossiers.filter(sent_at__isnull=False).order_by("-start_date"))
