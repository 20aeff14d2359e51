"""The e-mail channel against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage

import pytest
import time_machine
from aiosmtpd.controller import Controller

from aanwezig.notifications import delivery
from aanwezig.notifications.channels import DeliveryError, get_transport, reset_transports
from aanwezig.notifications.models import InvalidContact, Message
from aanwezig.notifications.services import queue_message, recipients_for
from conftest import TODAY


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RecordingHandler:
    """Accepts mail, except for recipients starting with ``bounce`` (550) or ``busy`` (450)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.peers: list[object] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 No such user"
        if address.startswith("busy"):
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.peers.append(session.peer)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.DEFAULT_FROM_EMAIL = "aanwezig <noreply@aanwezig.example>"
    reset_transports()
    yield handler
    reset_transports()
    controller.stop()


@pytest.fixture(autouse=True)
def _ten_o_clock():
    with time_machine.travel("2026-11-18 10:00 +01:00", tick=False):
        yield


def _queue(world, *, address=None, language="nl", body="Beste ouder,\nSam was er niet.",
           sender_name="Mira Mentor", subject="Sam vandaag"):
    (recipient,) = recipients_for(world.child_a, TODAY)
    if address is not None:
        recipient.address = address
    recipient.language = language
    return queue_message(school=world.school_a, event="unexplained_absence", recipient=recipient,
                         subject=subject, body_text=body, dedupe_key=f"k:{address}",
                         sender_name=sender_name, urgent=True)


def test_email_arrives_with_text_and_html_and_the_headers(world, smtp_server, settings):
    settings.REPLY_TO_EMAIL = "antwoord@aanwezig.example"
    message = _queue(world)
    assert delivery.deliver(message.pk) == "sent"

    (received,) = smtp_server.messages
    assert received["To"] == world.parent.email
    assert received["From"].addresses[0].display_name == "Mira Mentor – Het Testcollege"
    assert received["From"].addresses[0].addr_spec == "noreply@aanwezig.example"
    assert received["Reply-To"] == "antwoord@aanwezig.example"
    assert received["Message-ID"] == f"<message-{message.pk}@aanwezig.example>"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Subject"] == "Sam vandaag"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Sam was er niet." in text
    assert "Sam was er niet." in html and "<p>" in html
    assert Message.objects.get(pk=message.pk).status == "sent"


def test_reply_to_is_the_schools_address_by_default(world, smtp_server, settings):
    settings.REPLY_TO_EMAIL = ""
    world.school_a.email = "verzuim@testcollege.example"
    world.school_a.save()
    assert delivery.deliver(_queue(world).pk) == "sent"
    assert smtp_server.messages[0]["Reply-To"] == "verzuim@testcollege.example"


def test_utf8_names_and_arabic_text_arrive_intact(world, smtp_server):
    world.school_a.name = "Scholengemeenschap Zuidkust – Ünal & Ørsted"
    world.school_a.save()
    arabic = "عزيزي ولي الأمر،\nلم يحضر سام إلى المدرسة اليوم. نتمنى أن يكون بخير."
    message = _queue(world, language="ar", body=arabic, sender_name="Çiğdem Yılmaz",
                     subject="غياب سام اليوم")
    assert delivery.deliver(message.pk) == "sent"

    (received,) = smtp_server.messages
    assert received["Subject"] == "غياب سام اليوم"
    assert received["From"].addresses[0].display_name == (
        "Çiğdem Yılmaz – Scholengemeenschap Zuidkust – Ünal & Ørsted")
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.strip() == arabic
    html = received.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "لم يحضر سام إلى المدرسة اليوم." in html


def test_a_refused_recipient_is_permanent_and_falls_back_to_sms(world, smtp_server):
    message = _queue(world, address="bounce@example.test")
    assert delivery.deliver(message.pk) == "failed"
    assert smtp_server.messages == []
    assert InvalidContact.objects.get().address == "bounce@example.test"
    assert Message.objects.get(fallback_of=message).channel == "sms"


def test_a_4xx_answer_is_temporary(world, smtp_server):
    message = _queue(world, address="busy@example.test")
    assert delivery.deliver(message.pk) == "retry"
    assert not InvalidContact.objects.exists()


def test_a_server_that_is_down_is_a_temporary_problem(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    reset_transports()
    message = _queue(world)
    with pytest.raises(DeliveryError) as exc:
        get_transport("email").send(message)
    assert not exc.value.permanent
    reset_transports()


def test_one_connection_serves_consecutive_messages(world, smtp_server):
    first = _queue(world, address="een@example.test")
    second = _queue(world, address="twee@example.test")
    assert delivery.deliver(first.pk) == "sent"
    assert delivery.deliver(second.pk) == "sent"
    assert [m["To"] for m in smtp_server.messages] == ["een@example.test", "twee@example.test"]
    assert smtp_server.peers[0] == smtp_server.peers[1]  # no QUIT and reconnect in between
