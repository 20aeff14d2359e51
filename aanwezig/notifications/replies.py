"""Parents' replies: imported from the reply inbox, attached to their message and student,
and marked handled by the office."""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from aanwezig.audit.services import record_change
from aanwezig.notifications.models import Message, Reply
from aanwezig.schools.services import deny

#: Our Message-IDs look like ``<message-123@host>``.
MESSAGE_ID = re.compile(r"<message-(\d+)@[^>]+>")
#: Quoted earlier mail starts at a line like "On ... wrote:" / "Op ... schreef ...:" or "> ".
QUOTE_START = re.compile(r"^(>|On .+wrote:|Op .+schreef.*:|-----Original Message-----)",
                         re.MULTILINE)


@dataclass
class ImportResult:
    attached: int = 0
    duplicates: int = 0
    unmatched: int = 0


def _referenced_message_ids(mail: EmailMessage) -> list[int]:
    headers = " ".join(str(mail.get(name, "")) for name in ("In-Reply-To", "References"))
    return [int(pk) for pk in MESSAGE_ID.findall(headers)]


def reply_text(mail: EmailMessage) -> str:
    """The new part of the reply: the plain-text body without the quoted original."""
    part = mail.get_body(preferencelist=("plain", "html"))
    text = part.get_content() if part is not None else ""
    if part is not None and part.get_content_type() == "text/html":
        text = re.sub(r"<[^>]+>", " ", text)
    match = QUOTE_START.search(text)
    if match and match.start() > 0:
        text = text[: match.start()]
    return text.strip()[:10_000]


def _received_at(mail: EmailMessage) -> Any:
    try:
        return parsedate_to_datetime(str(mail["Date"])) if mail["Date"] else timezone.now()
    except (TypeError, ValueError):
        return timezone.now()


@transaction.atomic
def attach_reply(mail: EmailMessage) -> str:
    """Attach one e-mail to the message it answers: "attached", "duplicate" or "unmatched"."""
    ids = _referenced_message_ids(mail)
    message = (Message.objects.filter(pk__in=ids, student__isnull=False)
               .select_related("student").order_by("-pk").first()) if ids else None
    if message is None or message.student is None:
        return "unmatched"
    body = reply_text(mail)
    received = _received_at(mail)
    if Reply.objects.filter(message=message, received_at=received, body=body).exists():
        return "duplicate"
    reply = Reply.objects.create(
        school_id=message.school_id, message=message, student=message.student,
        guardian_id=message.guardian_id, body=body, received_at=received,
    )
    record_change(actor=None, action="create", obj=reply, student=message.student)
    return "attached"


def read_mails(path: Path) -> list[EmailMessage]:
    """The e-mails in an mbox file or in a folder of ``.eml`` files."""
    if path.is_dir():
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(path.glob("*.eml"))]  # type: ignore[misc]
    box = mailbox.mbox(str(path), factory=None, create=False)
    return [email.message_from_bytes(m.as_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for m in box]


def import_replies(path: Path) -> ImportResult:
    """Attach every e-mail in ``path``; each in its own transaction."""
    result = ImportResult()
    for mail in read_mails(path):
        outcome = attach_reply(mail)
        if outcome == "attached":
            result.attached += 1
        elif outcome == "duplicate":
            result.duplicates += 1
        else:
            result.unmatched += 1
    return result


@transaction.atomic
def mark_reply_handled(reply: Reply, *, actor: Any) -> Reply:
    """The office has dealt with the reply (afgehandeld)."""
    from aanwezig import access

    if actor is not None and not access.is_school_wide(actor, reply.school_id):
        raise deny()
    if reply.handled_at is None:
        reply.handled_at = timezone.now()
        reply.handled_by = actor if getattr(actor, "is_authenticated", False) else None
        reply.save(update_fields=["handled_at", "handled_by"])
        record_change(actor=actor, action="handle", obj=reply, student=reply.student)
    return reply
