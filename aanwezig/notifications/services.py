"""Writes of the outbox: who receives a message, queueing it, cancelling it.

Callers write messages in the same transaction as the event that causes them; delivery
starts only after that transaction commits (``transaction.on_commit``), and the worker
reloads the row by its primary key.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from aanwezig.audit.services import record_change
from aanwezig.notifications.config import Settings, settings_for
from aanwezig.notifications.models import InvalidContact, Message, MessageStatus, RecipientKind
from aanwezig.roster.models import Channel, Guardian, Student
from aanwezig.schools.models import School

#: The order in which a guardian's channels are tried after the preferred one.
FALLBACK_ORDER = [Channel.EMAIL, Channel.SMS, Channel.PORTAL, Channel.LETTER]
#: The note on a letter that waits for the next print batch (``letters.print_letter_batch``).
LETTER_NOTE = "waits for the next print batch"


@dataclass
class Recipient:
    """One person a message goes to, with the language and channel to use."""

    kind: str  # "guardian" | "student" | "staff"
    guardian: Guardian | None
    student: Student | None
    staff: Any | None  # accounts.User
    language: str
    channel: str
    address: str

    def tag(self) -> str:
        """A short stable identity of the person, used to make dedupe keys per recipient."""
        if self.kind == RecipientKind.GUARDIAN and self.guardian is not None:
            return f"g{self.guardian.pk}"
        if self.kind == RecipientKind.STUDENT and self.student is not None:
            return f"s{self.student.pk}"
        if self.staff is not None:
            return f"u{self.staff.pk}"
        return "x"


# --- recipients -----------------------------------------------------------------------------------

def invalid_addresses(guardian: Guardian) -> set[tuple[str, str]]:
    """(channel, address) pairs of this guardian that failed permanently."""
    return set(guardian.invalid_contacts.values_list("channel", "address"))


def guardian_address(guardian: Guardian, channel: str) -> str:
    if channel == Channel.EMAIL:
        return guardian.email
    if channel in (Channel.SMS, Channel.PHONE):
        return guardian.phone
    return ""


def guardian_channels(
    guardian: Guardian, *, exclude: Iterable[str] = (), invalid: set[tuple[str, str]] | None = None
) -> list[tuple[str, str]]:
    """The guardian's usable (channel, address) pairs, best first.

    The preferred channel comes first, then e-mail, text message, portal (only with a
    login) and letter. A channel is skipped when its contact detail is missing or was
    found invalid. A preference for phone calls means text messages for automatic
    messages: calls are the desk's work, not the worker's.
    """
    invalid = invalid_addresses(guardian) if invalid is None else invalid
    preferred = guardian.preferred_channel
    if preferred == Channel.PHONE:
        preferred = Channel.SMS
    order = [preferred] + [c for c in FALLBACK_ORDER if c != preferred]
    usable: list[tuple[str, str]] = []
    for channel in order:
        if channel in exclude:
            continue
        if channel in (Channel.EMAIL, Channel.SMS):
            address = guardian_address(guardian, channel)
            if not address or (channel, address) in invalid:
                continue
        elif channel == Channel.PORTAL:
            if guardian.user_id is None:
                continue
            address = ""
        else:
            address = ""
        usable.append((str(channel), address))
    return usable


def student_channels(student: Student, *, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The adult student's channels: e-mail to their login's address, else the portal."""
    user = student.user
    options: list[tuple[str, str]] = []
    if user is not None and user.email:
        options.append((Channel.EMAIL, user.email))
    options.append((Channel.PORTAL, ""))
    return [(str(c), a) for c, a in options if c not in exclude]


def recipients_for(student: Student, day: dt.date) -> list[Recipient]:
    """Return who hears about ``student`` on ``day``, each with language and best channel.

    1. Every linked guardian whose link has ``receives_messages``: both separated parents
       when both have authority; a parent without authority only when the school set
       ``receives_messages`` for them (the flag is stored per link and respected as is).
    2. When the student is 18 or older on ``day``, a guardian only with the student's
       ``adult_consent_contact``; the student is then a recipient themself.
    """
    recipients: list[Recipient] = []
    links = (
        student.guardian_links.select_related("guardian")
        .filter(receives_messages=True)
        .order_by("pk")
    )
    adult = student.is_adult_on(day)
    for link in links:
        if not link.may_contact_on(day):
            continue
        guardian = link.guardian
        channel, address = guardian_channels(guardian)[0]
        recipients.append(Recipient(
            kind=RecipientKind.GUARDIAN, guardian=guardian, student=student, staff=None,
            language=guardian.language, channel=channel, address=address,
        ))
    if adult:
        channel, address = student_channels(student)[0]
        user = student.user
        language = getattr(user, "language", "") or "nl"
        recipients.append(Recipient(
            kind=RecipientKind.STUDENT, guardian=None, student=student, staff=None,
            language=language, channel=channel, address=address,
        ))
    return recipients


# --- queueing -------------------------------------------------------------------------------------

def _tz(school: School) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(school.timezone)


def after_quiet_hours(school: School, when: dt.datetime, config: Settings | None = None) -> dt.datetime:
    """Return ``when``, or the next end of the quiet hours when ``when`` falls inside them."""
    config = config or settings_for(school)
    tz = _tz(school)
    local = timezone.localtime(when, tz)
    if not config.in_quiet_hours(local.time()):
        return when
    day = local.date()
    if local.time() >= config.quiet_end:
        # The evening part of the quiet hours: they end tomorrow morning.
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, config.quiet_end, tzinfo=tz)


def week_start(school: School, when: dt.datetime) -> dt.datetime:
    """Monday 00:00 (school time) of the week containing ``when``."""
    local = timezone.localtime(when, _tz(school)).date()
    monday = local - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday, dt.time(0), tzinfo=_tz(school))


def family_messages_this_week(school: School, recipient: Recipient, now: dt.datetime) -> int:
    """Non-urgent messages this recipient (their family) got from the school this week.

    Fallbacks repeat a message on another channel and call tasks are for the desk, so
    neither counts; cancelled messages were never delivered and do not count either.
    """
    rows = Message.objects.filter(
        school=school, urgent=False, created_at__gte=week_start(school, now),
        fallback_of__isnull=True,
    ).exclude(status=MessageStatus.CANCELLED).exclude(channel=Channel.PHONE)
    if recipient.kind == RecipientKind.GUARDIAN:
        rows = rows.filter(recipient_kind=RecipientKind.GUARDIAN, guardian=recipient.guardian)
    elif recipient.kind == RecipientKind.STUDENT:
        rows = rows.filter(recipient_kind=RecipientKind.STUDENT, student=recipient.student)
    else:
        return 0
    return rows.count()


def create_message(**fields: Any) -> Message | None:
    """Insert one outbox row and schedule its delivery after commit; None when it exists.

    The insert runs in a savepoint, so a concurrent duplicate (the unique constraint on
    school, channel and dedupe key) leaves the caller's transaction usable.
    """
    from aanwezig.notifications.tasks import deliver_message_task

    if fields["channel"] == Channel.LETTER:
        fields.setdefault("last_error", LETTER_NOTE)
    try:
        with transaction.atomic():
            message = Message.objects.create(**fields)
    except IntegrityError:
        return None
    pk = message.pk
    if fields["channel"] != Channel.LETTER:
        transaction.on_commit(lambda: deliver_message_task.enqueue(pk))
    return message


def queue_message(
    *,
    school: School,
    event: str,
    recipient: Recipient,
    subject: str,
    body_text: str,
    body_html: str = "",
    student: Student | None = None,
    about_date: dt.date | None = None,
    dedupe_key: str,
    sender_name: str = "",
    urgent: bool = False,
    not_before: dt.datetime | None = None,
) -> Message | None:
    """Write one message to the outbox in the caller's transaction; deliver after commit.

    Returns None and writes nothing when:

    1. this recipient already has a message with ``dedupe_key`` (on any channel; the key
       is stored per recipient, so one key can serve all recipients of an event), or
    2. the message is not urgent and the family reached the school's weekly cap.

    A text message that would go out in the quiet hours waits until they end.
    """
    now = timezone.now()
    config = settings_for(school)
    key = f"{dedupe_key}:{recipient.tag()}"[:200]
    if Message.objects.filter(school=school, dedupe_key=key).exists():
        return None
    if not urgent and family_messages_this_week(school, recipient, now) >= config.weekly_cap:
        return None
    when = max(now, not_before) if not_before else now
    if recipient.channel == Channel.SMS:
        when = after_quiet_hours(school, when, config)
    message = create_message(
        school=school,
        event=event,
        channel=recipient.channel,
        student=student or recipient.student,
        recipient_kind=recipient.kind,
        guardian=recipient.guardian,
        staff=recipient.staff,
        address=recipient.address,
        language=recipient.language,
        subject=subject[:200],
        body_text=body_text,
        body_html=body_html,
        sender_name=sender_name[:200],
        about_date=about_date,
        dedupe_key=key,
        urgent=urgent,
        next_attempt_at=when,
        created_at=now,
    )
    if message is not None:
        record_change(
            actor=None, action="queue", obj=message, student=message.student,
            changes={"event": event, "channel": message.channel,
                     "recipient": recipient.kind, "urgent": urgent},
        )
    return message


@transaction.atomic
def cancel_message(message: Message, *, reason: str) -> bool:
    """Cancel a message that has not gone out yet; False when it was already on its way."""
    cancelled = Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
        status=MessageStatus.CANCELLED, last_error=reason[:500]
    ) == 1
    if cancelled:
        message.status = MessageStatus.CANCELLED
        message.last_error = reason[:500]
        record_change(actor=None, action="cancel", obj=message, student=message.student,
                      changes={"reason": reason})
    return cancelled


def record_invalid_contact(message: Message, error: str) -> InvalidContact | None:
    """Remember that a guardian's address failed permanently, so it is not chosen again."""
    if message.guardian_id is None or not message.address:
        return None
    contact, _created = InvalidContact.objects.get_or_create(
        guardian_id=message.guardian_id, channel=message.channel, address=message.address,
        defaults={"school": message.school, "error": error[:500], "created_at": timezone.now()},
    )
    return contact
