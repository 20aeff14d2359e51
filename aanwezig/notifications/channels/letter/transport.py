"""Letters are printed in batches: one PDF, one letter per page, that the school prints and posts.

Nothing leaves the building by itself, so the worker never hands a letter to this
transport (``batched``). A letter message stays ``queued`` without a batch until
``notifications.letters.print_letter_batch`` puts it in a batch; that run renders the
PDF here and marks the message ``sent``. Delivered means: in a printed batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.template.loader import render_to_string

from aanwezig.notifications.channels.base import Transport
from aanwezig.notifications.models import Message
from aanwezig.notifications.texts import RTL_LANGUAGES
from aanwezig.schools.models import School


class LetterTransport(Transport):
    channel = "letter"
    batched = True

    def send(self, message: Message) -> None:
        # Never called by the worker (``batched``); printing a batch is the hand-over.
        return None

    def render_html(self, school: School, messages: Sequence[Message], *,
                    printed_on: dt.date) -> str:
        """The HTML of a batch: one ``<section>`` per letter, each starting on a new page."""
        letters = [
            {
                "message": message,
                "name": recipient_name(message),
                "address": recipient_address(message),
                "direction": "rtl" if message.language in RTL_LANGUAGES else "ltr",
            }
            for message in messages
        ]
        return render_to_string("notifications/letter_batch.html",
                                {"school": school, "letters": letters, "printed_on": printed_on})

    def render_pdf(self, html: str) -> bytes:
        """Render the batch HTML to PDF with WeasyPrint (imported here: only printing needs it)."""
        from weasyprint import HTML

        pdf = HTML(string=html).write_pdf()
        assert pdf is not None
        return pdf


def recipient_name(message: Message) -> str:
    if message.guardian is not None:
        return message.guardian.full_name
    if message.student is not None:
        return message.student.full_name
    return ""


def recipient_address(message: Message) -> list[str]:
    """The postal address as lines; empty when the school has not recorded one."""
    text = message.guardian.address if message.guardian is not None else ""
    return [line.strip() for line in text.splitlines() if line.strip()]
