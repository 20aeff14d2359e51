"""The worker's side of the outbox: claim a row, send it, record the outcome.

Exactly-once as far as the worker can make it:

1. A row is claimed by a conditional update (queued → sending). Only one worker wins.
2. The transport sends; the row is marked ``sent`` in its own commit right after the
   transport returns, so the window between the provider's acceptance and our commit
   is a single UPDATE.
3. A worker killed between claim and commit leaves the row in ``sending``. The sweep in
   :func:`deliver_due` puts rows older than ``STALE_AFTER`` back to ``queued``, so they
   are sent again. If the kill came after the provider accepted the message, the
   resend carries the same Message-ID (see ``channels/email``) and is recognisable.

Nothing here runs inside the caller's transaction: each step commits on its own.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from aanwezig.notifications import texts
from aanwezig.notifications.channels import (
    IMMEDIATE_CHANNELS,
    DeliveryError,
    get_transport,
)
from aanwezig.notifications.models import Message, MessageStatus, RecipientKind
from aanwezig.notifications.services import (
    after_quiet_hours,
    create_message,
    guardian_channels,
    record_invalid_contact,
    student_channels,
)
from aanwezig.roster.models import Channel

logger = logging.getLogger(__name__)

#: Waits after the 1st, 2nd, ... failed attempt; after the last one the message has failed.
BACKOFF = [dt.timedelta(minutes=m) for m in (1, 5, 15, 60, 240)]
MAX_ATTEMPTS = 5
#: A row in ``sending`` for longer than this was left by a worker that died.
STALE_AFTER = dt.timedelta(minutes=10)


class Outcome:
    SKIPPED = "skipped"  # not queued, not due, or claimed by another worker
    HELD = "held"  # a batched channel (letters): waits for the next print batch
    CANCELLED = "cancelled"
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


def claim(pk: int) -> Message | None:
    """Claim a due queued message for this worker, or return None when another has it."""
    now = timezone.now()
    claimed = Message.objects.filter(
        pk=pk, status=MessageStatus.QUEUED, next_attempt_at__lte=now
    ).update(status=MessageStatus.SENDING, claimed_at=now)
    if claimed != 1:
        return None
    return Message.objects.select_related("school", "guardian", "student").get(pk=pk)


def still_wanted(message: Message) -> bool:
    """Ask the event's owner whether the message still makes sense (the student arrived?)."""
    try:
        events = importlib.import_module("aanwezig.notifications.events")
    except ModuleNotFoundError as exc:
        if exc.name != "aanwezig.notifications.events":
            raise
        return True
    hook = getattr(events, "still_wanted", None)
    return True if hook is None else bool(hook(message))


def deliver(pk: int) -> str:
    """Deliver one message if it is due and nobody else is delivering it; return the outcome."""
    channel = Message.objects.filter(pk=pk).values_list("channel", flat=True).first()
    if channel is not None and channel not in IMMEDIATE_CHANNELS:
        # Letters are delivered by printing a batch (``letters.print_letter_batch``), not here;
        # the row is left untouched, queued and without a batch.
        return Outcome.HELD
    message = claim(pk)
    if message is None:
        return Outcome.SKIPPED
    try:
        if not still_wanted(message):
            _finish(message, status=MessageStatus.CANCELLED, last_error="no longer needed")
            return Outcome.CANCELLED
        get_transport(message.channel).send(message)
    except DeliveryError as exc:
        return _failed(message, exc)
    except Exception as exc:
        logger.exception("Delivering message %s failed unexpectedly", pk)
        return _failed(message, DeliveryError(f"unexpected error: {exc!r}", permanent=False))
    # Commit at once: this UPDATE is all that stands between acceptance and "sent".
    Message.objects.filter(pk=pk, status__in=[MessageStatus.SENDING, MessageStatus.QUEUED]).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1,
        last_error="", claimed_at=None,
    )
    return Outcome.SENT


def _finish(message: Message, *, status: str, last_error: str = "", **fields: object) -> None:
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=status, last_error=last_error[:500], claimed_at=None, **fields
    )


def _failed(message: Message, exc: DeliveryError) -> str:
    """Record a failed attempt: retry later, or give up and try the next channel."""
    attempts = message.attempts + 1
    error = str(exc)[:500]
    logger.warning("Message %s via %s failed (attempt %s): %s",
                   message.pk, message.channel, attempts, error)
    with transaction.atomic():
        if exc.permanent:
            record_invalid_contact(message, error)
            _finish(message, status=MessageStatus.FAILED, last_error=error, attempts=attempts)
            queue_fallback(message)
            return Outcome.FAILED
        if attempts >= MAX_ATTEMPTS:
            _finish(message, status=MessageStatus.FAILED, last_error=error, attempts=attempts)
            return Outcome.FAILED
        when = timezone.now() + BACKOFF[attempts - 1]
        if message.channel == Channel.SMS:
            when = after_quiet_hours(message.school, when)
        _finish(message, status=MessageStatus.QUEUED, last_error=error, attempts=attempts,
                next_attempt_at=when)
        return Outcome.RETRY


def queue_fallback(message: Message) -> Message | None:
    """Queue the same text on the recipient's next channel, or a call task when none is left.

    Channels already tried for this message (the original and earlier fallbacks share
    the dedupe key) are skipped, as are contact details known to be invalid.
    """
    tried = set(
        Message.objects.filter(school=message.school, dedupe_key=message.dedupe_key)
        .values_list("channel", flat=True)
    )
    # A letter waits for the next print batch; a call from the desk reaches the family sooner.
    exclude = tried | {Channel.LETTER}
    options: list[tuple[str, str]] = []
    if message.recipient_kind == RecipientKind.GUARDIAN and message.guardian is not None:
        options = guardian_channels(message.guardian, exclude=exclude)
    elif message.recipient_kind == RecipientKind.STUDENT and message.student is not None:
        options = student_channels(message.student, exclude=exclude)
    else:
        return None  # staff: their own colleagues will notice
    if options:
        channel, address = options[0]
    elif Channel.PHONE not in tried:
        channel = Channel.PHONE
        address = message.guardian.phone if message.guardian is not None else ""
    else:
        return None
    now = timezone.now()
    when = after_quiet_hours(message.school, now) if channel == Channel.SMS else now
    # The copy tells how to reply on its own channel ("reply to this e-mail" only in e-mail).
    audience = texts.STUDENT if message.recipient_kind == RecipientKind.STUDENT else texts.PARENT
    body_text = texts.reply_for_channel(message.body_text, message.language, message.school,
                                        audience=audience, old=message.channel, new=channel)
    body_html = message.body_html
    if body_text != message.body_text and body_html:
        body_html = texts.to_html(message.subject, body_text, message.language)
    fallback = create_message(
        school=message.school, event=message.event, channel=channel, student=message.student,
        recipient_kind=message.recipient_kind, guardian=message.guardian, staff=message.staff,
        address=address, language=message.language, subject=message.subject,
        body_text=body_text, body_html=body_html,
        sender_name=message.sender_name, about_date=message.about_date,
        dedupe_key=message.dedupe_key, urgent=message.urgent, next_attempt_at=when,
        created_at=now, fallback_of=message,
    )
    return fallback


def release_stale(stale_after: dt.timedelta = STALE_AFTER) -> int:
    """Put rows left in ``sending`` by a worker that died back in the queue."""
    cutoff = timezone.now() - stale_after
    stale = Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=cutoff)
    pks = list(stale.values_list("pk", flat=True))
    if pks:
        logger.warning("Putting %s message(s) left in sending back in the queue: %s",
                       len(pks), pks)
        Message.objects.filter(pk__in=pks, status=MessageStatus.SENDING,
                               claimed_at__lt=cutoff).update(
            status=MessageStatus.QUEUED, claimed_at=None
        )
    return len(pks)


def deliver_due(limit: int | None = None, *, stale_after: dt.timedelta = STALE_AFTER) -> int:
    """Deliver every due queued message (at most ``limit``); return how many were sent.

    1. Rows stuck in ``sending`` longer than ``stale_after`` go back to ``queued``.
    2. Every queued row whose ``next_attempt_at`` has come is delivered, oldest first.
    """
    release_stale(stale_after)
    due = (
        Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=timezone.now())
        .filter(channel__in=sorted(IMMEDIATE_CHANNELS))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    pks = list(due[:limit] if limit is not None else due)
    return sum(1 for pk in pks if deliver(pk) == Outcome.SENT)
