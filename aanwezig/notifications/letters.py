"""Printing letters: every letter message of a school waiting for print goes into one PDF batch.

A letter message is ``queued`` without a batch until it is printed. Printing claims the
waiting letters (queued → sending, like the worker does), drops the ones no longer needed
(``still_wanted``), renders one PDF with one letter per page, stores it under
``LETTERS_DIR`` and marks the letters ``sent`` with the batch, in one transaction. A
letter is in exactly one batch; a second run does not print it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from aanwezig.audit.services import record_change
from aanwezig.notifications.channels import get_transport
from aanwezig.notifications.channels.letter.transport import LetterTransport
from aanwezig.notifications.models import LetterBatch, Message, MessageStatus
from aanwezig.notifications.services import cancel_message
from aanwezig.roster.models import Channel
from aanwezig.schools.models import School


class NothingToPrint(Exception):
    """There are no letters waiting for print at this school."""


def waiting_letters(school: School) -> QuerySet[Message]:
    """Letter messages of the school that wait for the next print batch, oldest first."""
    return (
        Message.objects.filter(school=school, channel=Channel.LETTER, status=MessageStatus.QUEUED,
                               letter_batch__isnull=True)
        .select_related("guardian", "student")
        .order_by("created_at", "pk")
    )


def batch_path(batch: LetterBatch) -> Path:
    """Where the batch's PDF is on disk (never under a public URL)."""
    return Path(settings.LETTERS_DIR) / batch.pdf


def print_letter_batch(school: School, *, actor: Any) -> LetterBatch:
    """Put every letter waiting at ``school`` in one new printed batch; ``NothingToPrint`` if none."""
    from aanwezig.notifications.delivery import still_wanted

    candidates = list(waiting_letters(school))
    for message in candidates:
        if not still_wanted(message):
            cancel_message(message, reason="no longer needed")
    pks = [m.pk for m in candidates if m.status == MessageStatus.QUEUED]
    now = timezone.now()
    # Claim them as the worker claims a message, so a concurrent run cannot print them too.
    Message.objects.filter(pk__in=pks, status=MessageStatus.QUEUED,
                           letter_batch__isnull=True).update(status=MessageStatus.SENDING,
                                                             claimed_at=now)
    letters = list(
        Message.objects.filter(pk__in=pks, status=MessageStatus.SENDING, claimed_at=now)
        .select_related("guardian", "student").order_by("created_at", "pk")
    )
    if not letters:
        raise NothingToPrint(school.pk)
    try:
        transport = get_transport(Channel.LETTER)
        assert isinstance(transport, LetterTransport)
        html = transport.render_html(school, letters, printed_on=timezone.localdate(now))
        pdf = transport.render_pdf(html)
        with transaction.atomic():
            batch = LetterBatch.objects.create(school=school, created_at=now, count=len(letters),
                                               created_by=actor if getattr(
                                                   actor, "is_authenticated", False) else None,
                                               pdf="")
            batch.pdf = f"{school.pk}/letters-{now:%Y%m%d-%H%M%S}-{batch.pk}.pdf"
            batch.save(update_fields=["pdf"])
            path = batch_path(batch)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pdf)
            Message.objects.filter(pk__in=[m.pk for m in letters],
                                   status=MessageStatus.SENDING).update(
                status=MessageStatus.SENT, sent_at=now, letter_batch=batch, claimed_at=None,
                attempts=F("attempts") + 1, last_error="",
            )
            record_change(actor=actor, action="print_letters", obj=batch,
                          changes={"count": len(letters), "messages": [m.pk for m in letters]})
    except BaseException:
        # Nothing printed: the letters wait for the next run.
        Message.objects.filter(pk__in=[m.pk for m in letters], status=MessageStatus.SENDING,
                               letter_batch__isnull=True).update(status=MessageStatus.QUEUED,
                                                                 claimed_at=None)
        raise
    return batch


def batches(school: School) -> QuerySet[LetterBatch]:
    return LetterBatch.objects.filter(school=school).select_related("created_by")
