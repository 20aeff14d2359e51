"""An adult student's consent per parent, and asking for it on the 18th birthday.

From the 18th birthday (``Student.is_adult_on``) a parent sees the student's attendance only
with ``StudentGuardian.adult_consent_view`` and is contacted only with
``adult_consent_contact``. The gatekeeper (``access.children_for_user``) and the message
pipeline (``notifications.services.recipients_for``) read these flags on every request and
every message, so a change here takes effect at once.

* :func:`set_consent` — the student (in the portal) or the school (on the student's behalf)
  changes the two switches per parent; audited, with when, by whom and how.
* :func:`needs_choice` — whether the student still has to choose (the portal's banner).
* :func:`ask_adult_consent` — the daily run: ask every student who turned 18 (or is older and
  was never asked) once, with a message to the student (event ``adult_consent``).

Docs: docs/portal-student.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig import access
from aanwezig.audit.services import record_change
from aanwezig.lib.dates import ADULT_AGE
from aanwezig.notifications import texts
from aanwezig.notifications.events import _queue_rendered
from aanwezig.notifications.models import Message, MessageStatus, RecipientKind
from aanwezig.notifications.services import cancel_message, recipients_for
from aanwezig.roster.models import ConsentVia, Student, StudentGuardian
from aanwezig.schools.models import School
from aanwezig.schools.services import audit_update, deny, reload

#: ``Message.event`` of the question on the 18th birthday, and the folder of its texts.
EVENT = "adult_consent"
#: The note on a queued message to a parent that was cancelled because consent was withdrawn.
CANCEL_REASON = "the adult student withdrew consent for contact"

#: How a parent's current consent is worded in the birthday message (``{ouders}``), per
#: language and (may view, may be contacted). Addressed to the student ("je"/"you").
STATE_PHRASES: dict[str, dict[tuple[bool, bool], str]] = {
    "nl": {
        (False, False): "ziet je aanwezigheid niet en krijgt geen berichten van school over jou",
        (True, False): "ziet je aanwezigheid, maar krijgt geen berichten van school over jou",
        (False, True): "ziet je aanwezigheid niet, maar krijgt wel berichten van school over jou",
        (True, True): "ziet je aanwezigheid en krijgt berichten van school over jou",
    },
    "en": {
        (False, False): "does not see your attendance and gets no messages from school about you",
        (True, False): "sees your attendance, but gets no messages from school about you",
        (False, True): "does not see your attendance, but does get messages from school about "
                       "you",
        (True, True): "sees your attendance and gets messages from school about you",
    },
    "tr": {
        (False, False): "devam durumunu görmüyor ve okuldan senin hakkında mesaj almıyor",
        (True, False): "devam durumunu görüyor, ama okuldan senin hakkında mesaj almıyor",
        (False, True): "devam durumunu görmüyor, ama okuldan senin hakkında mesaj alıyor",
        (True, True): "devam durumunu görüyor ve okuldan senin hakkında mesaj alıyor",
    },
    "ar": {
        (False, False): "لا يرى حضورك ولا تصله رسائل من المدرسة عنك",
        (True, False): "يرى حضورك، لكن لا تصله رسائل من المدرسة عنك",
        (False, True): "لا يرى حضورك، لكن تصله رسائل من المدرسة عنك",
        (True, True): "يرى حضورك وتصله رسائل من المدرسة عنك",
    },
    "pl": {
        (False, False): "nie widzi Twojej obecności i nie dostaje wiadomości ze szkoły o Tobie",
        (True, False): "widzi Twoją obecność, ale nie dostaje wiadomości ze szkoły o Tobie",
        (False, True): "nie widzi Twojej obecności, ale dostaje wiadomości ze szkoły o Tobie",
        (True, True): "widzi Twoją obecność i dostaje wiadomości ze szkoły o Tobie",
    },
    "uk": {
        (False, False): "не бачить твоєї відвідуваності й не отримує повідомлень від школи про тебе",
        (True, False): "бачить твою відвідуваність, але не отримує повідомлень від школи про тебе",
        (False, True): "не бачить твоєї відвідуваності, але отримує повідомлення від школи про "
                       "тебе",
        (True, True): "бачить твою відвідуваність і отримує повідомлення від школи про тебе",
    },
}


# --- reading ---------------------------------------------------------------------------------------

def consent_links(student: Student) -> list[StudentGuardian]:
    """The student's parents and carers, in a stable order, for the consent page."""
    return list(
        StudentGuardian.objects.filter(school_id=student.school_id, student=student)
        .select_related("guardian").order_by("guardian__last_name", "guardian__given_name", "pk")
    )


def needs_choice(student: Student, day: dt.date,
                 links: list[StudentGuardian] | None = None) -> bool:
    """Whether an adult student has not yet chosen for every parent: the portal shows a banner
    until they do (saving the consent page once is a choice, also when nothing changes)."""
    if not student.is_adult_on(day):
        return False
    links = consent_links(student) if links is None else links
    return any(link.consent_changed_at is None for link in links)


# --- changing ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Choice:
    """What the student chose for one parent."""

    view: bool
    contact: bool


def _via(actor: Any, student: Student, links: list[StudentGuardian]) -> str:
    """How the change is made: the student themself (portal) or school staff who may change
    the links; anyone else gets the usual refusal."""
    own = access.own_student(actor)
    if own is not None and own.pk == student.pk:
        return ConsentVia.PORTAL
    if links and all(access.may_change(actor, link) for link in links):
        return ConsentVia.SCHOOL
    raise deny()


@transaction.atomic
def set_consent(student: Student, choices: Mapping[int, Choice], *, actor: Any,
                now: dt.datetime | None = None) -> list[StudentGuardian]:
    """Store an adult student's choice per parent; return the links whose consent changed.

    ``choices`` maps a ``StudentGuardian`` pk of this student to the two switches.

    1. Refused (Dutch ``ValidationError``) when the student is under 18 today, when a choice
       names a parent who is not linked to the student, or when there is nothing to choose.
    2. Only the student themself (portal) or staff who may change the links (school) may do
       this (``PermissionDenied`` otherwise).
    3. Per parent: the switches, when (``consent_changed_at``), by whom and how are stored
       and an audit row (``action="consent"``) is written with what changed. Saving without a
       change still records the moment for a parent never chosen for (the choice is made).
    4. Withdrawing contact cancels the messages to that parent about the student that have
       not gone out yet, so the parent receives nothing from that moment.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not student.is_adult_on(day):
        raise ValidationError(
            _("Only a student of %(age)s or older decides who may see their attendance."),
            code="not_adult", params={"age": ADULT_AGE},
        )
    links = list(
        StudentGuardian.objects.select_for_update()
        .filter(school_id=student.school_id, student=student).order_by("pk")
    )
    by_pk = {link.pk: link for link in links}
    unknown = [pk for pk in choices if pk not in by_pk]
    if unknown:
        raise ValidationError(_("This parent or carer is not linked to you."), code="unknown_link")
    if not choices:
        raise ValidationError(_("There is no parent or carer to choose for."), code="no_links")
    via = _via(actor, student, [by_pk[pk] for pk in choices])
    changed: list[StudentGuardian] = []
    for pk, choice in choices.items():
        link = by_pk[pk]
        before = reload(link)
        same = (link.adult_consent_view == choice.view
                and link.adult_consent_contact == choice.contact)
        if same and link.consent_changed_at is not None:
            continue
        link.adult_consent_view = bool(choice.view)
        link.adult_consent_contact = bool(choice.contact)
        link.consent_changed_at = now
        link.consent_changed_by = actor if getattr(actor, "is_authenticated", False) else None
        link.consent_changed_via = via
        link.save(update_fields=["adult_consent_view", "adult_consent_contact",
                                 "consent_changed_at", "consent_changed_by", "consent_changed_via"])
        audit_update(actor, before, link, student=student, action="consent")
        if before.adult_consent_contact and not link.adult_consent_contact:
            cancel_pending_messages(link)
        if not same:
            changed.append(link)
    return changed


def cancel_pending_messages(link: StudentGuardian) -> int:
    """Cancel the queued messages to ``link``'s parent about the student; return how many."""
    pending = Message.objects.filter(
        school_id=link.school_id, student_id=link.student_id, guardian_id=link.guardian_id,
        recipient_kind=RecipientKind.GUARDIAN, status=MessageStatus.QUEUED,
    )
    return sum(1 for message in pending if cancel_message(message, reason=CANCEL_REASON))


# --- asking on the 18th birthday ----------------------------------------------------------------

def adult_born_by(day: dt.date) -> dt.date:
    """The latest date of birth of someone who is 18 on ``day`` (29 February counts on 1 March)."""
    try:
        return day.replace(year=day.year - ADULT_AGE)
    except ValueError:  # 29 February in a leap year, 18 years back is no leap year
        return dt.date(day.year - ADULT_AGE, 2, 28)


def links_to_ask(day: dt.date, school: School | None = None) -> QuerySet[StudentGuardian]:
    """Links of enrolled students who are 18 or older on ``day`` whose student was never asked
    about that parent and never chose: on the birthday itself, and once for anyone older who
    was missed (a new parent linked later is asked about too)."""
    links = StudentGuardian.objects.filter(
        Q(student__enrolment_end__isnull=True) | Q(student__enrolment_end__gte=day),
        consent_asked_at__isnull=True, consent_changed_at__isnull=True,
        student__birth_date__lte=adult_born_by(day), student__enrolment_start__lte=day,
    )
    if school is not None:
        links = links.filter(school=school)
    return links.select_related("student", "student__school", "student__user", "guardian")


def parents_lines(links: list[StudentGuardian], language: str) -> str:
    """``{ouders}``: one line per parent with what they see and get now, in ``language``."""
    phrases = STATE_PHRASES[texts.normal_language(language)]
    return "\n".join(
        f"- {link.guardian.full_name}: "
        f"{phrases[(link.adult_consent_view, link.adult_consent_contact)]}"
        for link in links
    )


def ask_student(student: Student, links: list[StudentGuardian], day: dt.date,
                now: dt.datetime) -> bool:
    """Queue the question to ``student`` about ``links`` and mark them asked; False when
    nothing could be queued now (a later run tries again)."""
    recipient = next((r for r in recipients_for(student, day)
                      if r.kind == RecipientKind.STUDENT), None)
    if recipient is None:
        return False
    school = student.school
    context = {**texts.student_context(student, day),
               **texts.school_context(school, recipient.language),
               "ouders": parents_lines(links, recipient.language)}
    key = f"{EVENT}:{student.pk}:{max(link.pk for link in links)}"
    with transaction.atomic():
        message = _queue_rendered(school, EVENT, recipient, context, student=student,
                                  about_date=day, dedupe_key=key, urgent=True)
        if message is None and not Message.objects.filter(
                school=school, dedupe_key=f"{key}:{recipient.tag()}"[:200]).exists():
            return False
        for link in links:
            StudentGuardian.objects.filter(pk=link.pk).update(consent_asked_at=now)
            link.consent_asked_at = now
            record_change(actor=None, action="ask_consent", obj=link, student=student,
                          changes={"consent_asked_at": now.isoformat()})
    return True


def ask_adult_consent(day: dt.date | None = None, *, school: School | None = None,
                      now: dt.datetime | None = None, dry_run: bool = False) -> list[Student]:
    """Ask every student who is 18 on ``day`` and was not asked yet; return the students.

    One message per student (event ``adult_consent``, to the student only, in their
    language, urgent: their parents' access changed that day), listing each parent with what
    they see and get now. The links are marked asked (``consent_asked_at``), so the next run
    asks nobody twice; the dedupe key makes a second queue a no-op as well.
    """
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    per_student: dict[int, list[StudentGuardian]] = defaultdict(list)
    students: dict[int, Student] = {}
    for link in links_to_ask(day, school).order_by("student_id", "pk"):
        if link.student.is_adult_on(day):
            per_student[link.student_id].append(link)
            students[link.student_id] = link.student
    asked: list[Student] = []
    for student_id, links in per_student.items():
        student = students[student_id]
        if dry_run or ask_student(student, links, day, now):
            asked.append(student)
    return asked
