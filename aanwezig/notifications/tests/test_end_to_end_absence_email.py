"""From a saved register to an e-mail on a real SMTP server, in the parent's language.

The teacher saves the register through the lesson page; the register's commit enqueues
the absence check, which queues the messages, whose commit enqueues their delivery
(the immediate task backend runs each task at once). An SMTP server on loopback
(aiosmtpd) receives what the e-mail channel sends.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.notifications.config import save_settings
from aanwezig.notifications.delivery import deliver_due
from aanwezig.notifications.models import Event, Message, MessageStatus, RecipientKind
from aanwezig.roster.models import Channel
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def turkish_parent(world):
    parent = world.parent
    parent.language = "tr"
    parent.preferred_channel = Channel.EMAIL
    parent.email = "petra.jansen@example.test"
    parent.save()
    return parent


def save_register(client: Client, lesson, absent) -> None:
    """The teacher's htmx POST: everyone present except ``absent``."""
    client.force_login(lesson.teacher)
    url = reverse("lesson", args=[lesson.school_id, lesson.pk])
    response = client.post(url, {f"s-{absent.pk}": "absent"}, headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_a_turkish_parent_gets_one_e_mail_in_turkish(world, turkish_parent, inbox, client,
                                                     django_capture_on_commit_callbacks):
    create_default_absence_reasons(world.school_a)
    save_settings(world.school_a, {"grace_minutes": 0}, actor=None)
    ten_forty = dt.datetime.combine(TODAY, dt.time(10, 40), tzinfo=AMS)
    with time_machine.travel(ten_forty, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            save_register(client, world.lesson_a, world.child_a)
        assert deliver_due() == 0  # the task delivered it already; nothing is sent twice

    (received,) = inbox.messages
    assert received["To"].addresses[0].addr_spec == "petra.jansen@example.test"
    assert received["Subject"] == "Sam bugün okulda yoktu"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Sayın Petra Jansen" in text
    assert "Sam bugün saat 10:30 dersinde yoktu" in text
    assert "Sam bugün" in html and 'lang="tr"' in html
    assert received["From"].addresses[0].display_name.endswith("Het Testcollege")
    assert received["From"].addresses[0].addr_spec == "noreply@aanwezig.example"
    assert received["Reply-To"] == "antwoord@aanwezig.example"

    message = Message.objects.get(channel=Channel.EMAIL)
    assert message.status == MessageStatus.SENT and message.language == "tr"
    assert message.event == Event.UNEXPLAINED_ABSENCE and message.guardian == turkish_parent
    # The desk's call task went out on its own channel, not by e-mail.
    assert Message.objects.get(channel=Channel.PHONE).status == MessageStatus.SENT


def test_an_adult_students_parent_without_consent_gets_nothing(world, inbox, client,
                                                              django_capture_on_commit_callbacks):
    adult_parent = world.adult_parent
    adult_parent.preferred_channel = Channel.EMAIL
    adult_parent.email = "ayse.demir@example.test"
    adult_parent.save()
    world.adult_user.email = "yusuf.demir@example.test"
    world.adult_user.save()
    create_default_absence_reasons(world.school_c)
    save_settings(world.school_c, {"grace_minutes": 0}, actor=None)
    ten_forty = dt.datetime.combine(TODAY, dt.time(10, 40), tzinfo=AMS)
    with time_machine.travel(ten_forty, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            save_register(client, world.lesson_c, world.adult)
        deliver_due()

    (received,) = inbox.messages
    assert received["To"].addresses[0].addr_spec == "yusuf.demir@example.test"
    assert received.get_body(("plain",)).get_content().startswith("Hoi Yusuf,")
    assert not Message.objects.filter(guardian=adult_parent).exists()
    assert Message.objects.get(channel=Channel.EMAIL).recipient_kind == RecipientKind.STUDENT
