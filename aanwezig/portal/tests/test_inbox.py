"""The portal inbox: a parent's and a student's own messages, read in full, and replies that
land with the school (two-way)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.urls import reverse

from aanwezig.audit.models import AuditEvent
from aanwezig.notifications.models import Message, MessageStatus, RecipientKind, Reply
from aanwezig.portal import inbox
from aanwezig.roster.models import StudentGuardian
from conftest import TODAY

NOON = dt.datetime.combine(TODAY, dt.time(12, 0), tzinfo=dt.UTC)
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def _today(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(NOON, tick=False):
        yield


def message(school, student, *, guardian=None, subject="We missed Sam today", hours_ago=1,
            status=MessageStatus.SENT, channel="email", body="Dear parent,\n\nSam was not there.",
            language="nl"):
    when = NOON - dt.timedelta(hours=hours_ago)
    return Message.objects.create(
        school=school, event="unexplained_absence", channel=channel, student=student,
        recipient_kind=RecipientKind.GUARDIAN if guardian else RecipientKind.STUDENT,
        guardian=guardian, address="x@example.test", language=language, subject=subject,
        body_text=body, dedupe_key=f"test:{next(_keys)}", status=status,
        next_attempt_at=when, created_at=when, sender_name="De verzuimbalie · Het Testcollege",
    )


def test_a_parent_sees_their_messages_newest_first(world, client):
    older = message(world.school_a, world.child_a, guardian=world.parent, subject="Older",
                    hours_ago=30)
    newer = message(world.school_a, world.child_a, guardian=world.parent, subject="Newer")
    message(world.school_a, world.other_a, guardian=None, subject="Not for Petra")
    client.force_login(world.parent_user)

    page = client.get(reverse("portal_inbox")).content.decode()

    assert page.index("Newer") < page.index("Older")
    assert reverse("portal_message", args=[newer.pk]) in page
    assert reverse("portal_message", args=[older.pk]) in page
    assert "Not for Petra" not in page


def test_messages_that_never_went_out_and_call_tasks_are_left_out(world):
    shown = message(world.school_a, world.child_a, guardian=world.parent)
    message(world.school_a, world.child_a, guardian=world.parent, status=MessageStatus.CANCELLED)
    message(world.school_a, world.child_a, guardian=world.parent, status=MessageStatus.FAILED)
    message(world.school_a, world.child_a, guardian=world.parent, channel="phone")

    assert list(inbox.inbox_messages(world.parent_user)) == [shown]


def test_a_message_reads_in_full(world, client):
    sent = message(world.school_a, world.child_a, guardian=world.parent,
                   body="Dear Petra,\n\nSam was not in the first lesson.\n\nKind regards")
    client.force_login(world.parent_user)

    response = client.get(reverse("portal_message", args=[sent.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "We missed Sam today" in page
    assert "Sam was not in the first lesson." in page
    assert "18 November 2026, 12:00" in page  # 11:00 UTC, shown in Amsterdam time
    assert "De verzuimbalie · Het Testcollege" in page
    assert 'name="body"' in page and 'for="id_body"' in page


def test_an_arabic_message_runs_right_to_left(world, client):
    sent = message(world.school_a, world.child_a, guardian=world.parent, language="ar",
                   subject="غاب سام اليوم")
    client.force_login(world.parent_user)
    page = client.get(reverse("portal_message", args=[sent.pk])).content.decode()
    assert 'lang="ar" dir="rtl"' in page


def test_someone_elses_message_is_404(world, client):
    other = message(world.school_c, world.adult, guardian=None, subject="For Yusuf")
    client.force_login(world.parent_user)
    assert client.get(reverse("portal_message", args=[other.pk])).status_code == 404
    assert client.post(reverse("portal_message", args=[other.pk]),
                       {"body": "Hello"}).status_code == 404
    assert not Reply.objects.exists()


def test_a_parent_replies_and_the_school_sees_it(world, client):
    sent = message(world.school_a, world.child_a, guardian=world.parent)
    client.force_login(world.parent_user)
    url = reverse("portal_message", args=[sent.pk])

    response = client.post(url, {"body": "  Sam is ill, he will be back on Friday.  "})

    assert response.status_code == 302
    assert response.headers["Location"] == url + "#antwoorden"
    reply = Reply.objects.get()
    assert reply.message == sent
    assert reply.student == world.child_a
    assert reply.guardian == world.parent
    assert reply.school == world.school_a
    assert reply.body == "Sam is ill, he will be back on Friday."
    assert reply.received_at == NOON
    assert AuditEvent.objects.filter(action="create", object_id=str(reply.pk),
                                     actor=world.parent_user).exists()
    assert "Sam is ill, he will be back on Friday." in client.get(url).content.decode()

    client.force_login(world.officer_a)
    staff = client.get(reverse("student_messages", args=[world.school_a.pk, world.child_a.pk]))
    assert "Sam is ill, he will be back on Friday." in staff.content.decode()


def test_the_parent_sees_when_the_school_has_handled_the_reply(world, client):
    sent = message(world.school_a, world.child_a, guardian=world.parent)
    client.force_login(world.parent_user)
    url = reverse("portal_message", args=[sent.pk])
    client.post(url, {"body": "Thank you."})
    assert "read by the school" not in client.get(url).content.decode()

    client.force_login(world.officer_a)
    client.post(reverse("reply_handled", args=[world.school_a.pk, Reply.objects.get().pk]))

    client.force_login(world.parent_user)
    assert "read by the school" in client.get(url).content.decode()


def test_an_empty_reply_is_refused_and_nothing_is_stored(world, client):
    sent = message(world.school_a, world.child_a, guardian=world.parent)
    client.force_login(world.parent_user)

    response = client.post(reverse("portal_message", args=[sent.pk]), {"body": "   "})

    assert response.status_code == 200
    assert "Write a reply first." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Reply.objects.exists()


def test_a_student_sees_and_answers_their_own_messages(world, client):
    own = message(world.school_c, world.adult, subject="Hi Yusuf")
    message(world.school_c, world.adult, guardian=world.adult_parent, subject="To Ayse")
    client.force_login(world.adult_user)

    page = client.get(reverse("portal_inbox")).content.decode()
    assert "Hi Yusuf" in page and "To Ayse" not in page

    client.post(reverse("portal_message", args=[own.pk]), {"body": "I was at the dentist."})
    reply = Reply.objects.get()
    assert (reply.student, reply.guardian, reply.message) == (world.adult, None, own)


def test_a_parent_without_consent_no_longer_sees_messages_about_the_adult_child(world, client):
    earlier = message(world.school_c, world.adult, guardian=world.adult_parent,
                      subject="About Yusuf")
    link = StudentGuardian.objects.get(student=world.adult)
    client.force_login(world.adult_parent_user)
    url = reverse("portal_message", args=[earlier.pk])
    assert client.get(url).status_code == 404  # Yusuf gave no consent

    link.adult_consent_contact = True
    link.save()
    assert client.get(url).status_code == 200
    assert "About Yusuf" in client.get(reverse("portal_inbox")).content.decode()

    link.adult_consent_contact = False
    link.save()
    assert client.get(url).status_code == 404
    assert "Yusuf" not in client.get(reverse("portal_inbox")).content.decode()


@pytest.mark.parametrize("persona", ["teacher_a", "officer_a", "teacher_b"])
def test_staff_have_no_inbox(world, client, persona):
    sent = message(world.school_a, world.child_a, guardian=world.parent)
    client.force_login(getattr(world, persona))
    assert client.get(reverse("portal_inbox")).status_code == 404
    assert client.get(reverse("portal_message", args=[sent.pk])).status_code == 404


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("portal_inbox"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))
