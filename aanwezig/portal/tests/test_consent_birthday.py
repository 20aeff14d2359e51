"""The 18th birthday: the student is asked once, in their own language; parents hear nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from aanwezig.audit.models import AuditEvent
from aanwezig.notifications.models import Message, RecipientKind
from aanwezig.portal import consent
from aanwezig.portal.consent import Choice
from aanwezig.roster.models import StudentGuardian
from aanwezig.testing import factories as f
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
MORNING = dt.datetime.combine(TODAY, dt.time(7, 0), tzinfo=AMS)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def birthday(world):
    """Eva turns 18 today; she has a login (Arabic) and two parents, one of them Petra."""
    eva = f.make_student(world.school_a, world.a2, given_name="Eva", last_name="Haddad",
                         birth_date=dt.date(2008, 11, 18))
    eva.user = f.make_user("eva.haddad@example.test", first_name="Eva", last_name="Haddad",
                           language="ar", email="eva.haddad@example.test")
    eva.save()
    f.link_guardian(eva, world.parent)
    f.link_guardian(eva, f.make_guardian(world.board, given_name="Karim", last_name="Haddad"))
    return eva


def asked_students(world, day=TODAY):
    return {s.given_name for s in consent.ask_adult_consent(day, school=world.school_a)}


def test_on_the_18th_birthday_the_student_is_asked_once(world, birthday):
    assert asked_students(world) == {"Eva"}

    (message,) = Message.objects.filter(event=consent.EVENT)
    assert message.student == birthday
    assert message.recipient_kind == RecipientKind.STUDENT
    assert message.guardian is None
    assert message.address == "eva.haddad@example.test"
    assert all(link.consent_asked_at == MORNING
               for link in StudentGuardian.objects.filter(student=birthday))
    assert AuditEvent.objects.filter(action="ask_consent").count() == 2

    assert asked_students(world) == set()
    assert Message.objects.filter(event=consent.EVENT).count() == 1


def test_the_question_goes_to_the_student_only_in_their_language(world, birthday):
    consent.ask_adult_consent(TODAY, school=world.school_a)

    (message,) = Message.objects.filter(event=consent.EVENT)
    assert not Message.objects.filter(guardian__isnull=False).exists()
    assert message.language == "ar"
    assert message.subject == "أنت من يقرر ما يعرفه والداك من المدرسة"
    assert "Petra Jansen: لا يرى حضورك ولا تصله رسائل من المدرسة عنك" in message.body_text
    assert "Karim Haddad" in message.body_text
    assert 'dir="rtl"' in message.body_html
    assert "{" not in message.body_text


def test_the_message_says_what_each_parent_sees_now_in_dutch(world, birthday):
    birthday.user.language = ""
    birthday.user.save()
    link = StudentGuardian.objects.get(student=birthday, guardian=world.parent)
    link.adult_consent_view = True
    link.save()

    consent.ask_adult_consent(TODAY, school=world.school_a)

    text = Message.objects.get(event=consent.EVENT).body_text
    assert text.startswith("Hoi Eva,")
    assert ("- Petra Jansen: ziet je aanwezigheid, maar krijgt geen berichten van school "
            "over jou") in text
    assert ("- Karim Haddad: ziet je aanwezigheid niet en krijgt geen berichten van school "
            "over jou") in text
    assert "Toestemming" in text


def test_the_day_before_the_birthday_nobody_is_asked(world, birthday):
    assert asked_students(world, TODAY - dt.timedelta(days=1)) == set()
    assert not Message.objects.filter(event=consent.EVENT).exists()


def test_an_older_student_who_was_never_asked_is_asked_once(world):
    asked = consent.ask_adult_consent(TODAY, school=world.school_c)
    assert [s.given_name for s in asked] == ["Yusuf"]
    assert consent.ask_adult_consent(TODAY, school=world.school_c) == []


def test_a_student_who_already_chose_is_not_asked(world, birthday):
    links = StudentGuardian.objects.filter(student=birthday)
    consent.set_consent(birthday, {link.pk: Choice(view=True, contact=True) for link in links},
                        actor=birthday.user)

    assert asked_students(world) == set()


def test_a_parent_linked_later_is_asked_about(world, birthday):
    consent.ask_adult_consent(TODAY, school=world.school_a)
    f.link_guardian(birthday, f.make_guardian(world.board, given_name="Nadia", last_name="Haddad"))

    assert asked_students(world, TODAY + dt.timedelta(days=3)) == {"Eva"}
    latest = Message.objects.filter(event=consent.EVENT).order_by("-pk")[0]
    assert "Nadia Haddad" in latest.body_text
    assert "Petra Jansen" not in latest.body_text


def test_a_student_who_left_school_is_not_asked(world, birthday):
    birthday.enrolment_end = TODAY - dt.timedelta(days=1)
    birthday.save()
    assert asked_students(world) == set()


def test_the_portal_shows_a_banner_until_the_student_chooses(world, birthday, client):
    client.force_login(birthday.user)
    page = client.get("/portaal/ik/").content.decode()
    assert 'id="consent-banner"' in page

    links = StudentGuardian.objects.filter(student=birthday)
    consent.set_consent(birthday, {link.pk: Choice(view=False, contact=False) for link in links},
                        actor=birthday.user)

    assert 'id="consent-banner"' not in client.get("/portaal/ik/").content.decode()


@pytest.mark.parametrize(("day", "adult"), [
    (dt.date(2026, 2, 28), False), (dt.date(2026, 3, 1), True),  # born 29 February 2008
])
def test_a_29_february_birthday_counts_on_1_march(world, day, adult):
    student = f.make_student(world.school_a, world.a1, birth_date=dt.date(2008, 2, 29))
    f.link_guardian(student, world.parent)
    asked = consent.ask_adult_consent(day, school=world.school_a, dry_run=True)
    assert (student in asked) is adult
    assert (consent.adult_born_by(day) >= student.birth_date) is adult


def test_the_command_asks_and_reports(world, birthday):
    out = StringIO()
    call_command("ask_adult_consent", "--school", "11AA", stdout=out)
    assert "asked 1 student(s)" in out.getvalue()
    assert Message.objects.filter(event=consent.EVENT).count() == 1

    out = StringIO()
    call_command("ask_adult_consent", "--dry-run", stdout=out)
    assert "would ask 1 student(s)" in out.getvalue()  # Yusuf at school C, never asked
    assert Message.objects.filter(event=consent.EVENT).count() == 1
