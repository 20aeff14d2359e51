"""The events that write messages: an unexplained absence, the monthly overview, a compliment
and a register reminder. Each ``queue_*`` function finds who should hear what, renders the
text in the recipient's language and queues it through ``services.queue_message``
(idempotent on the dedupe key), and returns how many messages it wrote.

Run by ``manage.py run_notifications`` (cron) and, for absences, by a task enqueued
when a register is saved. The delivery worker asks :func:`still_wanted` right before
sending, so a message about an absence whose reason became known in the meantime stays
unsent.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from aanwezig.attendance.counting import count_attendance_many, lesson_outcomes, summarise
from aanwezig.attendance.models import AbsenceReport, Mark, MarkStatus
from aanwezig.attendance.queries import Unexplained, desk_day, missing_registers
from aanwezig.attendance.services import UNKNOWN_REASON
from aanwezig.lib.dates import monday_of
from aanwezig.notifications import texts
from aanwezig.notifications.config import settings_for
from aanwezig.notifications.models import Event, Message, RecipientKind
from aanwezig.notifications.services import Recipient, queue_message, recipients_for
from aanwezig.roster.models import (
    Channel,
    GroupMentor,
    Lesson,
    LessonStatus,
    Membership,
    Student,
    active_membership_q,
)
from aanwezig.schools.calendar import Calendar, school_year_on
from aanwezig.schools.models import School

#: A register counts as missing this many minutes after its lesson started.
REGISTER_REMINDER_AFTER = dt.timedelta(minutes=15)
#: A compliment: the last 4 school weeks at least 95% present after the 4 before at most 85%.
COMPLIMENT_RECENT_MIN, COMPLIMENT_BEFORE_MAX = 95.0, 85.0
COMPLIMENT_WEEKS = 4
#: Too few lessons say nothing: both stretches need this many registered lessons.
COMPLIMENT_MIN_LESSONS = 10
#: At most one compliment per student in this time.
COMPLIMENT_EVERY = dt.timedelta(weeks=8)


def _local(school: School, now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now, zoneinfo.ZoneInfo(school.timezone))


def _audience(recipient: Recipient) -> str:
    return texts.STUDENT if recipient.kind == RecipientKind.STUDENT else texts.PARENT


def _greeting(recipient: Recipient) -> str:
    if recipient.kind == RecipientKind.GUARDIAN and recipient.guardian is not None:
        return recipient.guardian.full_name
    if recipient.kind == RecipientKind.STUDENT and recipient.student is not None:
        return recipient.student.given_name
    if recipient.staff is not None:
        return recipient.staff.first_name or recipient.staff.get_full_name()
    return ""


def _queue_rendered(school: School, event: str, recipient: Recipient, context: dict[str, Any],
                    **fields: Any) -> Message | None:
    """Render ``event`` for one recipient (their language, audience and channel) and queue it."""
    context = {**context, "ouder": _greeting(recipient) or context.get("ouder", ""),
               "naam": _greeting(recipient) or context.get("naam", "")}
    subject, text, html = texts.render_message(
        event, recipient.language, context, school, audience=_audience(recipient),
        sms=recipient.channel == Channel.SMS, channel=recipient.channel,
    )
    sender = texts.phrases(recipient.language, context)["afzender"]
    return queue_message(
        school=school, event=event, recipient=recipient, subject=subject, body_text=text,
        body_html=html, sender_name=f"{sender} · {school.name}", **fields,
    )


def mentors_of(student_ids: Iterable[int], day: dt.date) -> dict[int, Any]:
    """The first mentor (by group name) of each student's groups on ``day``; two queries."""
    groups: dict[int, list[int]] = defaultdict(list)
    for student_id, group_id in Membership.objects.filter(
            active_membership_q(day), student_id__in=list(student_ids)
    ).values_list("student_id", "group_id"):
        groups[group_id].append(student_id)
    first: dict[int, tuple[str, int, Any]] = {}
    for link in GroupMentor.objects.filter(group_id__in=list(groups)).select_related(
            "user", "group"):
        key = (link.group.name, link.pk, link.user)
        for student_id in groups[link.group_id]:
            if student_id not in first or key[:2] < first[student_id][:2]:
                first[student_id] = key
    return {student_id: key[2] for student_id, key in first.items()}


# --- an unexplained absence ---------------------------------------------------------------------

def queue_unexplained_absences(school: School, now: dt.datetime, *,
                               student_ids: Iterable[int] | None = None) -> int:
    """Queue a message to each recipient of every student absent today without a known reason.

    1. The desk's list of the day (``desk_day``): absent without a reason or with
       "onbekend", and no active absence report (a parent's sick report included).
    2. Only students whose first missed lesson started ``grace_minutes`` ago or more:
       a late sick report or a late arrival should not cause a message.
    3. One message per recipient per student per day (the dedupe key), urgent, so the
       weekly cap does not hold back news about today.
    4. With ``absence_call_task``, one call task per student for the desk.
    """
    config = settings_for(school)
    local = _local(school, now)
    day = local.date()
    wanted = set(student_ids) if student_ids is not None else None
    tz = zoneinfo.ZoneInfo(school.timezone)
    due: list[Unexplained] = []
    for item in desk_day(school, day).unexplained:
        if wanted is not None and item.student.pk not in wanted:
            continue
        started = dt.datetime.combine(day, item.first_missed, tzinfo=tz)
        if local >= started + dt.timedelta(minutes=config.grace_minutes):
            due.append(item)
    if not due:
        return 0
    mentors = mentors_of([item.student.pk for item in due], day)
    queued = 0
    for item in due:
        student = item.student
        student.school = school
        base = texts.student_context(student, day, mentor=mentors.get(student.pk) or False)
        base["tijd"] = f"{item.first_missed:%H:%M}"
        key = f"unexplained:{student.pk}:{day.isoformat()}"
        for recipient in recipients_for(student, day):
            context = {**base, **texts.school_context(school, recipient.language)}
            if _queue_rendered(school, Event.UNEXPLAINED_ABSENCE, recipient, context,
                               student=student, about_date=day, dedupe_key=key, urgent=True):
                queued += 1
        if config.absence_call_task and _queue_call_task(school, item, day, key):
            queued += 1
    return queued


def _queue_call_task(school: School, item: Unexplained, day: dt.date, key: str) -> Message | None:
    """Put the student on the desk's call list: who to phone and which lessons were missed."""
    student = item.student
    with override("nl"):
        lessons = ", ".join(f"{lesson.start_time:%H:%M} {lesson.subject}" for lesson in item.lessons)
        lines = [_("%(name)s is absent without a known reason since %(time)s.")
                 % {"name": student.full_name, "time": f"{item.first_missed:%H:%M}"},
                 _("Missed: %(lessons)s.") % {"lessons": lessons}]
        if item.is_adult:
            lines.append(_("%(name)s is 18 or older: call %(name)s, or a parent only with "
                           "consent.") % {"name": student.given_name})
        for contact in item.guardians:
            lines.append(f"- {contact.guardian.full_name} ({contact.relation}): "
                         f"{contact.phone or _('no phone number')}")
        subject = _("Call about %(name)s") % {"name": student.full_name}
    recipient = Recipient(kind=RecipientKind.STAFF, guardian=None, student=student, staff=None,
                          language="nl", channel=Channel.PHONE, address="")
    return queue_message(
        school=school, event=Event.UNEXPLAINED_ABSENCE, recipient=recipient, subject=subject,
        body_text="\n".join(lines), student=student, about_date=day,
        dedupe_key=f"{key}:desk", urgent=True,
    )


def still_unexplained(student_id: int, day: dt.date) -> bool:
    """Whether the student is still absent on ``day`` without a known reason (two queries)."""
    reported = AbsenceReport.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        student_id=student_id, withdrawn=False, start_date__lte=day,
    ).exists()
    if reported:
        return False
    return Mark.objects.filter(
        Q(reason__isnull=True) | Q(reason__code=UNKNOWN_REASON),
        student_id=student_id, date=day, status=MarkStatus.ABSENT, report__isnull=True,
        lesson__status=LessonStatus.SCHEDULED,
    ).exists()


def still_wanted(message: Message) -> bool:
    """Whether ``message`` should still go out; the worker asks right before sending.

    An unexplained-absence message (and its call task) is dropped once the reason is
    known: a report came in, the desk set a reason, or the student turned out to be
    there. A register reminder is dropped once the teacher has taken every register it
    was about. Every other message is still wanted.
    """
    if message.event == Event.UNEXPLAINED_ABSENCE and message.student_id and message.about_date:
        return still_unexplained(message.student_id, message.about_date)
    if message.event == Event.REGISTER_REMINDER and message.staff_id and message.about_date:
        return Lesson.objects.filter(
            school_id=message.school_id, teacher_id=message.staff_id, date=message.about_date,
            status=LessonStatus.SCHEDULED, registration__isnull=True,
            start_time__lte=_local(message.school, message.created_at).time(),
        ).exists()
    return True


@task()
def queue_unexplained_absences_task(school_id: int, student_ids: list[int]) -> int:
    """Queue absence messages for these students now (the grace period still applies)."""
    school = School.objects.get(pk=school_id)
    return queue_unexplained_absences(school, timezone.now(), student_ids=student_ids)


def after_register(lesson: Lesson, absent_ids: Iterable[int]) -> None:
    """After a register of today is saved, check its absentees once the transaction commits.

    Students within the grace period are left to the next ``run_notifications``.
    """
    ids = sorted(set(absent_ids))
    if not ids or lesson.date != timezone.localdate():
        return
    school_id = lesson.school_id
    transaction.on_commit(lambda: queue_unexplained_absences_task.enqueue(school_id, ids))


# --- the monthly overview -----------------------------------------------------------------------

def queue_monthly_overviews(school: School, month_start: dt.date) -> int:
    """Queue each family's overview of their child's attendance this school year.

    The overview counts from the start of the school year through the day before
    ``month_start``, leads with presence ("Sam was er 96 van de 100 lessen"), gives the
    number of lessons missed, what the parent can do and whom to contact (the mentor).
    Parents who turned ``monthly_overview`` off get nothing; an adult student gets their
    own. One per student, recipient and month.
    """
    end = month_start - dt.timedelta(days=1)
    year = school_year_on(school, end)
    if year is None:
        return 0
    students = list(
        Student.objects.filter(
            Q(enrolment_end__isnull=True) | Q(enrolment_end__gte=month_start),
            school=school, enrolment_start__lte=month_start,
        ).order_by("pk")
    )
    counts = count_attendance_many(school, [s.pk for s in students], year.start_date, end)
    mentors = mentors_of([s.pk for s in students], month_start)
    queued = 0
    for student in students:
        count = counts.get(student.pk)
        if count is None or not count.lessons:
            continue
        student.school = school
        base = texts.student_context(student, end, mentor=mentors.get(student.pk) or False)
        base.update(aanwezig=count.present, lessen=count.lessons, gemist=count.absent)
        for recipient in recipients_for(student, month_start):
            guardian = recipient.guardian
            if guardian is not None and not guardian.monthly_overview:
                continue
            if recipient.kind not in (RecipientKind.GUARDIAN, RecipientKind.STUDENT):
                continue
            context = {**base, **texts.school_context(school, recipient.language)}
            if _queue_rendered(school, Event.MONTHLY_OVERVIEW, recipient, context,
                               student=student, about_date=month_start,
                               dedupe_key=f"monthly:{student.pk}:{month_start:%Y-%m}"):
                queued += 1
    return queued


# --- compliments --------------------------------------------------------------------------------

def queue_compliments(school: School, day: dt.date) -> int:
    """Queue a compliment for every student whose attendance clearly improved.

    Clearly: the last 4 school weeks (through ``day``) at least 95% present, after the 4
    school weeks before at most 85%, with at least 10 registered lessons in each. At most
    one compliment per student in 8 weeks.
    """
    weeks = Calendar(school, day - dt.timedelta(weeks=26), day).school_weeks()
    weeks = [w for w in weeks if w <= monday_of(day)]
    if len(weeks) < 2 * COMPLIMENT_WEEKS:
        return 0
    recent_start = weeks[-COMPLIMENT_WEEKS]
    before_start = weeks[-2 * COMPLIMENT_WEEKS]
    students = list(
        Student.objects.filter(
            Q(enrolment_end__isnull=True) | Q(enrolment_end__gte=day),
            school=school, enrolment_start__lte=day,
        )
    )
    since = timezone.now() - COMPLIMENT_EVERY
    complimented = set(
        Message.objects.filter(school=school, event=Event.COMPLIMENT, created_at__gte=since)
        .values_list("student_id", flat=True)
    )
    outcomes = lesson_outcomes(school, [s.pk for s in students], before_start, day)
    improved: list[tuple[Student, Any]] = []
    for student in students:
        if student.pk in complimented:
            continue
        recent = summarise(outcomes[student.pk], recent_start, day)
        before = summarise(outcomes[student.pk], before_start, recent_start - dt.timedelta(days=1))
        if (recent.lessons >= COMPLIMENT_MIN_LESSONS and before.lessons >= COMPLIMENT_MIN_LESSONS
                and (recent.percent_present or 0) >= COMPLIMENT_RECENT_MIN
                and (before.percent_present or 0) <= COMPLIMENT_BEFORE_MAX):
            improved.append((student, recent))
    if not improved:
        return 0
    mentors = mentors_of([s.pk for s, _ in improved], day)
    queued = 0
    for student, recent in improved:
        student.school = school
        base = texts.student_context(student, day, mentor=mentors.get(student.pk) or False)
        base.update(aanwezig=recent.present, lessen=recent.lessons, gemist=recent.absent)
        for recipient in recipients_for(student, day):
            context = {**base, **texts.school_context(school, recipient.language)}
            if _queue_rendered(school, Event.COMPLIMENT, recipient, context, student=student,
                               about_date=day, dedupe_key=f"compliment:{student.pk}:{day}"):
                queued += 1
    return queued


# --- register reminders -------------------------------------------------------------------------

def queue_register_reminders(school: School, now: dt.datetime) -> int:
    """E-mail each teacher whose lessons of today started more than 15 minutes ago without a
    register; once per teacher per day."""
    local = _local(school, now)
    day = local.date()
    queued = 0
    for teacher, lessons in missing_registers(school, day, now=now - REGISTER_REMINDER_AFTER):
        address = teacher.email or (teacher.username if "@" in teacher.username else "")
        if not address:
            continue
        language = texts.normal_language(getattr(teacher, "language", "") or "nl")
        recipient = Recipient(kind=RecipientKind.STAFF, guardian=None, student=None,
                              staff=teacher, language=language, channel=Channel.EMAIL,
                              address=address)
        context = {
            **texts.school_context(school, language), "mentor": "", "datum": texts.format_date(day),
            "registraties": "\n".join(
                f"- {lesson.start_time:%H:%M}–{lesson.end_time:%H:%M} {lesson.group.name} "
                f"{lesson.subject}" for lesson in lessons),
        }
        if _queue_rendered(school, Event.REGISTER_REMINDER, recipient, context, about_date=day,
                           dedupe_key=f"register:{teacher.pk}:{day.isoformat()}"):
            queued += 1
    return queued


def run_all(school: School, now: dt.datetime, *, monthly: bool = False,
            compliments: bool = False) -> dict[str, int]:
    """Everything ``run_notifications`` does for one school, each step in its own transaction."""
    done: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        done["unexplained_absence"] = queue_unexplained_absences(school, now)
    with transaction.atomic():
        done["register_reminder"] = queue_register_reminders(school, now)
    day = _local(school, now).date()
    if monthly:
        with transaction.atomic():
            done["monthly_overview"] = queue_monthly_overviews(school, day)
    if compliments:
        with transaction.atomic():
            done["compliment"] = queue_compliments(school, day)
    return dict(done)
