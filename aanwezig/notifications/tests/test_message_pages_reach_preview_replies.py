"""The message pages: reach overview, text preview and editing, replies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from aanwezig.notifications.models import Event, Message, Reply, SchoolTemplate
from aanwezig.testing import factories as f


def make_message(world, guardian, student, status, *, error="", key=""):
    now = timezone.now()
    return Message.objects.create(
        school=world.school_a, event=Event.UNEXPLAINED_ABSENCE, channel="email", student=student,
        recipient_kind="guardian", guardian=guardian, address=guardian.email, language="nl",
        subject="We missen je", body_text="...", dedupe_key=key or f"k{status}{guardian.pk}",
        status=status, last_error=error, next_attempt_at=now, created_at=now,
        sent_at=now if status == "sent" else None,
    )


def test_the_reach_overview_lists_a_family_whose_messages_all_failed(world, client):
    noor_parent = f.make_guardian(world.board, given_name="Karin", last_name="Bakker")
    f.link_guardian(world.classmate_a, noor_parent)
    make_message(world, noor_parent, world.classmate_a, "failed", error="550 mailbox unknown")
    make_message(world, world.parent, world.child_a, "failed", key="a")
    make_message(world, world.parent, world.child_a, "sent", key="b")
    client.force_login(world.officer_a)
    body = client.get(reverse("reach", args=[world.school_a.pk])).content.decode()
    assert "Karin Bakker" in body and "550 mailbox unknown" in body
    assert "Petra Jansen" not in body  # one of her messages arrived
    assert "(e-mail)" in body and "(email)" not in body  # channels in words people use


def test_the_preview_shows_the_message_as_the_parent_gets_it(world, client):
    client.force_login(world.officer_a)
    url = reverse("message_preview", args=[world.school_a.pk])
    body = client.get(url, {"bericht": "unexplained_absence", "taal": "ar",
                            "leerling": world.child_a.school_key}).content.decode()
    assert "افتقدنا Sam اليوم" in body
    assert "dir=&quot;rtl&quot;" in body or "dir=&#x27;rtl&#x27;" in body or 'dir="rtl"' in body
    assert 'name="tekst"' not in body  # the officer previews only


def test_an_administrator_writes_the_schools_own_text_and_goes_back_to_the_default(world, client):
    client.force_login(world.admin_a)
    url = reverse("message_preview", args=[world.school_a.pk])
    client.post(url, {"bericht": "compliment", "taal": "nl", "onderwerp": "Top, {roepnaam}!",
                      "tekst": "Beste {ouder},\n\nGoed gedaan."})
    own = SchoolTemplate.objects.get(school=world.school_a, event="compliment", language="nl")
    assert own.subject == "Top, {roepnaam}!"
    body = client.get(url, {"bericht": "compliment", "taal": "nl"}).content.decode()
    assert "Top, " in body
    client.post(url, {"bericht": "compliment", "taal": "nl", "actie": "standaard"})
    assert not SchoolTemplate.objects.exists()


def test_a_text_with_an_unknown_placeholder_is_refused(world, client):
    client.force_login(world.admin_a)
    url = reverse("message_preview", args=[world.school_a.pk])
    response = client.post(url, {"bericht": "compliment", "taal": "nl", "onderwerp": "Hoi",
                                 "tekst": "Beste {vader}"}, follow=True)
    assert "{vader}" in response.content.decode()
    assert not SchoolTemplate.objects.exists()


def test_the_officer_may_not_save_a_text(world, client):
    client.force_login(world.officer_a)
    response = client.post(reverse("message_preview", args=[world.school_a.pk]),
                           {"bericht": "compliment", "taal": "nl", "onderwerp": "x", "tekst": "y"})
    assert response.status_code == 404
    assert not SchoolTemplate.objects.exists()


@pytest.fixture
def reply_folder(world, tmp_path):
    message = make_message(world, world.parent, world.child_a, "sent")
    (tmp_path / "1.eml").write_text(
        "From: Petra Jansen <ouder@example.test>\n"
        "To: school@example.test\n"
        "Subject: Re: We missen je\n"
        "Date: Wed, 18 Nov 2026 09:12:00 +0100\n"
        f"In-Reply-To: <message-{message.pk}@aanwezig.example>\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Sam is ziek, hij heeft koorts.\n\n"
        "Op 18 nov. 2026 schreef De verzuimbalie:\n> We missen Sam vandaag\n"
    )
    (tmp_path / "2.eml").write_text(
        "From: iemand@example.test\nSubject: hallo\nDate: Wed, 18 Nov 2026 09:13:00 +0100\n\nhoi\n")
    return tmp_path, message


def test_replies_are_attached_to_their_message_and_student_once(world, reply_folder):
    folder, message = reply_folder
    call_command("import_replies", str(folder))
    reply = Reply.objects.get()
    assert reply.message == message and reply.student == world.child_a
    assert reply.guardian == world.parent
    assert reply.body == "Sam is ziek, hij heeft koorts."
    call_command("import_replies", str(folder))
    assert Reply.objects.count() == 1


def test_the_office_sees_a_reply_and_marks_it_handled(world, client, reply_folder):
    folder, _message = reply_folder
    call_command("import_replies", str(folder))
    reply = Reply.objects.get()
    client.force_login(world.officer_a)
    page = reverse("student_messages", args=[world.school_a.pk, world.child_a.pk])
    assert "Sam is ziek" in client.get(page).content.decode()
    client.post(reverse("reply_handled", args=[world.school_a.pk, reply.pk]))
    reply.refresh_from_db()
    assert reply.handled_by == world.officer_a and reply.handled_at is not None
    assert dt.datetime.now(dt.UTC) - reply.handled_at < dt.timedelta(minutes=1)
