"""E-mail through Django's mail backend (SMTP in production).

Each message carries ``Message-ID: <message-{pk}@{host}>``, derived from the outbox row.
If the worker dies after the provider accepted a message but before the row was marked
sent, the row is sent again with the same Message-ID, so the resend is recognisable as
the same message (mail clients and providers collapse identical Message-IDs).
"""

from __future__ import annotations

import contextlib
import smtplib
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.html import escape, linebreaks

from aanwezig.notifications.channels.base import DeliveryError, Transport
from aanwezig.notifications.models import Message

SMTP_TIMEOUT_SECONDS = 30
RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


def message_id(message: Message) -> str:
    """Return the stable Message-ID of an outbox row."""
    return f"<message-{message.pk}@{sender_domain()}>"


def sender_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def from_header(message: Message) -> str:
    """``"{sender} – {school}" <DEFAULT_FROM_EMAIL's address>``: the school is the sender."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    school_name = message.school.name
    name = f"{message.sender_name} – {school_name}" if message.sender_name else school_name
    return formataddr((name, address))


def html_body(message: Message) -> str:
    """The HTML part: the row's HTML, or the text as paragraphs in the right direction."""
    if message.body_html:
        return message.body_html
    direction = "rtl" if message.language in RTL_LANGUAGES else "ltr"
    return (
        f'<!doctype html>\n<html lang="{escape(message.language)}" dir="{direction}">'
        f'<head><meta charset="utf-8"><title>{escape(message.subject)}</title></head>'
        f"<body>{linebreaks(message.body_text, autoescape=True)}</body></html>\n"
    )


def build_email(message: Message, connection: object = None) -> EmailMultiAlternatives:
    reply_to = settings.REPLY_TO_EMAIL or message.school.email
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=from_header(message),
        to=[message.address],
        reply_to=[reply_to] if reply_to else None,
        headers={
            "Message-ID": message_id(message),
            # Out-of-office replies stay away (RFC 3834; the second header is Exchange's).
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
        connection=connection,
    )
    email.attach_alternative(html_body(message), "text/html")
    return email


class EmailTransport(Transport):
    """Sends through one connection kept open between messages.

    Keeping the connection open means ``send`` returns right after the server's
    acceptance (no QUIT round trip), which keeps the window between acceptance and
    the worker's commit as small as possible.
    """

    channel = "email"

    def __init__(self) -> None:
        self._connection: object | None = None

    def _open(self) -> object:
        connection = self._connection
        if connection is not None and not self._alive(connection):
            self.close()
            connection = None
        if connection is None:
            connection = get_connection(fail_silently=False, timeout=SMTP_TIMEOUT_SECONDS)
            connection.open()
            self._connection = connection
        return connection

    @staticmethod
    def _alive(connection: object) -> bool:
        smtp = getattr(connection, "connection", None)
        if smtp is None:
            # Not an SMTP backend (locmem, console): nothing to keep alive.
            return True
        try:
            return smtp.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False

    def close(self) -> None:
        if self._connection is not None:
            # A broken connection is dropped either way.
            with contextlib.suppress(Exception):
                self._connection.close()  # type: ignore[attr-defined]
            self._connection = None

    def send(self, message: Message) -> None:
        if not message.address:
            raise DeliveryError("no e-mail address", permanent=True)
        try:
            connection = self._open()
            build_email(message, connection).send()
        except ValueError as exc:
            # Django refuses an address it cannot parse before talking to the server.
            raise DeliveryError(f"invalid e-mail address: {exc}", permanent=True) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _text in exc.recipients.values()]
            permanent = bool(codes) and all(500 <= code < 600 for code in codes)
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=permanent) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            # Sender refused, data refused, 4xx: our side or the server's; try again later.
            raise DeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(f"SMTP connection problem: {exc}", permanent=False) from exc
