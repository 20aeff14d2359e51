"""The portal inbox: the messages a parent or student got from school, and their replies.

Reads and the one write of the inbox pages. Who sees what follows the gatekeeper's rules:

* a parent sees the messages sent to them (``Message.guardian``) about a child they may
  still follow: a child under 18, or an adult child who allows them to see attendance or
  to be contacted — withdrawing both hides earlier messages about that child too;
* a student sees the messages sent to them (``recipient_kind`` student);
* messages that never went out (cancelled, failed) and the desk's call tasks are left out.

Anything else, and anyone else's message, is the usual 404. A reply is stored as a
``notifications.Reply`` on the message and its student, where the school reads it on the
student's message page and marks it handled (``notifications.views.reply_handled``).

Docs: docs/portal-student.md ("The inbox").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig import access
from aanwezig.notifications.models import Message, MessageStatus, RecipientKind, Reply
from aanwezig.portal.forms_student import REPLY_MAX
from aanwezig.roster.models import Channel, StudentGuardian
from aanwezig.schools.services import audit_create

#: Messages that reached (or are on their way to) the person; the rest never went out.
SHOWN_STATUSES = (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT)


def followed_student_ids(guardian: Any, day: dt.date) -> list[int]:
    """The students a guardian may still hear about: under 18, or an adult who allows them to
    see attendance or to be contacted."""
    links = StudentGuardian.objects.filter(guardian=guardian).select_related("student")
    return [link.student_id for link in links
            if not link.student.is_adult_on(day) or link.adult_consent_view
            or link.adult_consent_contact]


def has_inbox(user: Any) -> bool:
    """Parents (a guardian record) and students (a student record) have an inbox."""
    if not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "guardian", None) is not None or access.own_student(user) is not None


def inbox_messages(user: Any, day: dt.date | None = None) -> QuerySet[Message]:
    """The user's messages, newest first (empty for anyone without an inbox)."""
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    day = day or timezone.localdate()
    wanted = Q(pk__in=[])
    guardian = getattr(user, "guardian", None)
    if guardian is not None:
        wanted |= Q(recipient_kind=RecipientKind.GUARDIAN, guardian=guardian) & (
            Q(student_id__in=followed_student_ids(guardian, day)) | Q(student__isnull=True))
    student = access.own_student(user)
    if student is not None:
        wanted |= Q(recipient_kind=RecipientKind.STUDENT, student=student)
    return (
        Message.objects.filter(wanted, status__in=SHOWN_STATUSES)
        .exclude(channel=Channel.PHONE)
        .select_related("student", "school")
        .order_by("-created_at", "-pk")
    )


def get_inbox_message(user: Any, pk: int) -> Message:
    """One of the user's messages, or the usual 404 (missing and not yours look the same)."""
    message = inbox_messages(user).filter(pk=pk).first()
    if message is None:
        raise Http404(access.NOT_FOUND)
    return message


def replies_to(message: Message) -> list[Reply]:
    """The replies to ``message``, oldest first, so the conversation reads top to bottom."""
    return list(message.replies.order_by("received_at", "pk"))


@transaction.atomic
def reply_to_message(message: Message, *, body: str, actor: Any,
                     now: dt.datetime | None = None) -> Reply:
    """Store the actor's reply to one of their messages; the school sees it with the student.

    Refused with a Dutch ``ValidationError`` when the text is empty or too long, or when the
    message is about no student (nothing for the school to attach it to); a message that is
    not the actor's is the usual 404.
    """
    message = get_inbox_message(actor, message.pk)
    text = (body or "").strip()
    if not text:
        raise ValidationError(_("Write a reply first."), code="empty")
    if len(text) > REPLY_MAX:
        raise ValidationError(_("Keep your reply under %(max)s characters."), code="too_long",
                              params={"max": REPLY_MAX})
    if message.student_id is None:
        raise ValidationError(_("This message cannot be answered here; please call the school."),
                              code="no_student")
    reply = Reply.objects.create(
        school_id=message.school_id, message=message, student_id=message.student_id,
        guardian_id=message.guardian_id if message.recipient_kind == RecipientKind.GUARDIAN
        else None,
        body=text, received_at=now or timezone.now(),
    )
    audit_create(actor, reply, student=message.student)
    return reply
