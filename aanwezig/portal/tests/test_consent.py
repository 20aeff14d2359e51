"""Consent per parent for a student of 18 or over: who may change it, that it is audited and
recorded, and that it takes effect at once in the parent's portal and in messages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.services import MarkInput, record_register
from aanwezig.audit.models import AuditEvent
from aanwezig.notifications.events import queue_unexplained_absences
from aanwezig.notifications.models import Message, MessageStatus, RecipientKind
from aanwezig.notifications.services import recipients_for
from aanwezig.portal import consent
from aanwezig.portal.consent import Choice
from aanwezig.roster.models import ConsentVia, StudentGuardian
from aanwezig.schools.models import Role
from aanwezig.testing import factories as f
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOON = dt.datetime.combine(TODAY, dt.time(12, 0), tzinfo=AMS)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def link(world) -> StudentGuardian:
    """Yusuf (19) and his mother Ayse, who starts with both kinds of consent."""
    found = StudentGuardian.objects.get(student=world.adult, guardian=world.adult_parent)
    found.adult_consent_view = found.adult_consent_contact = True
    found.save()
    return found


def withdraw(world, link, *, view=False, contact=False):
    return consent.set_consent(world.adult, {link.pk: Choice(view=view, contact=contact)},
                               actor=world.adult_user)


def test_the_student_withdraws_consent_and_it_is_recorded_and_audited(world, link):
    changed = withdraw(world, link)

    assert [c.pk for c in changed] == [link.pk]
    link.refresh_from_db()
    assert (link.adult_consent_view, link.adult_consent_contact) == (False, False)
    assert link.consent_changed_at == NOON
    assert link.consent_changed_by == world.adult_user
    assert link.consent_changed_via == ConsentVia.PORTAL
    event = AuditEvent.objects.get(action="consent", object_id=str(link.pk))
    assert event.actor == world.adult_user
    assert event.student == world.adult
    assert event.changes["adult_consent_view"] == [True, False]
    assert event.changes["adult_consent_contact"] == [True, False]


def test_after_withdrawal_the_parent_sees_nothing_at_once(world, link, client):
    client.force_login(world.adult_parent_user)
    child_page = reverse("portal_child", args=[world.adult.pk])
    assert client.get(child_page).status_code == 200
    assert "Yusuf" in client.get(reverse("portal_home")).content.decode()

    withdraw(world, link)

    assert client.get(child_page).status_code == 404
    home = client.get(reverse("portal_home"))
    assert home.status_code == 200
    assert "Yusuf" not in home.content.decode()


def test_after_withdrawal_recipients_for_leaves_the_parent_out(world, link):
    kinds = [(r.kind, r.guardian) for r in recipients_for(world.adult, TODAY)]
    assert (RecipientKind.GUARDIAN, world.adult_parent) in kinds

    withdraw(world, link, view=True)  # may still see, but may not be contacted

    recipients = recipients_for(world.adult, TODAY)
    assert [r.kind for r in recipients] == [RecipientKind.STUDENT]


def test_after_withdrawal_an_absence_reaches_the_student_and_not_the_parent(world, link):
    create_default_absence_reasons(world.school_c)
    withdraw(world, link)
    record_register(world.lesson_c, actor=None,
                    entries=[MarkInput(student_id=world.adult.pk, status="absent")])

    assert queue_unexplained_absences(world.school_c, NOON) >= 1

    to_parent = Message.objects.filter(guardian=world.adult_parent)
    assert not to_parent.exists()
    assert Message.objects.filter(student=world.adult,
                                  recipient_kind=RecipientKind.STUDENT).count() == 1


def test_withdrawing_contact_stops_messages_to_the_parent_that_have_not_gone_out(world, link):
    create_default_absence_reasons(world.school_c)
    record_register(world.lesson_c, actor=None,
                    entries=[MarkInput(student_id=world.adult.pk, status="absent")])
    queue_unexplained_absences(world.school_c, NOON)
    waiting = Message.objects.get(guardian=world.adult_parent)
    assert waiting.status == MessageStatus.QUEUED

    withdraw(world, link, view=True)

    waiting.refresh_from_db()
    assert waiting.status == MessageStatus.CANCELLED
    assert waiting.last_error == consent.CANCEL_REASON
    to_student = Message.objects.get(student=world.adult, recipient_kind=RecipientKind.STUDENT)
    assert to_student.status == MessageStatus.QUEUED


def test_giving_consent_lets_the_parent_in_at_once(world, client):
    link = StudentGuardian.objects.get(student=world.adult, guardian=world.adult_parent)
    client.force_login(world.adult_parent_user)
    page = reverse("portal_child", args=[world.adult.pk])
    assert client.get(page).status_code == 404

    consent.set_consent(world.adult, {link.pk: Choice(view=True, contact=False)},
                        actor=world.adult_user)

    assert client.get(page).status_code == 200
    assert [r.kind for r in recipients_for(world.adult, TODAY)] == [RecipientKind.STUDENT]


def test_saving_without_a_change_records_the_choice_once_without_a_second_audit_row(world):
    link = StudentGuardian.objects.get(student=world.adult, guardian=world.adult_parent)
    assert consent.needs_choice(world.adult, TODAY)

    assert withdraw(world, link) == []  # nothing changed: both were off already
    link.refresh_from_db()
    assert link.consent_changed_at == NOON
    assert not consent.needs_choice(world.adult, TODAY)
    assert AuditEvent.objects.filter(action="consent").count() == 1

    withdraw(world, link)
    assert AuditEvent.objects.filter(action="consent").count() == 1


def test_a_student_under_18_cannot_give_or_withdraw_consent(world):
    student = f.make_student(world.school_a, world.a1, birth_date=dt.date(2008, 11, 19))
    student.user = f.make_user("jong@example.test")
    student.save()
    link = f.link_guardian(student, world.parent)

    with pytest.raises(ValidationError) as caught:
        consent.set_consent(student, {link.pk: Choice(view=False, contact=False)},
                            actor=student.user)
    assert caught.value.code == "not_adult"
    link.refresh_from_db()
    assert link.consent_changed_at is None


def test_the_choice_changes_on_the_18th_birthday_itself(world):
    student = f.make_student(world.school_a, world.a1, birth_date=dt.date(2008, 11, 18))
    student.user = f.make_user("jarig@example.test")
    student.save()
    link = f.link_guardian(student, world.parent)

    consent.set_consent(student, {link.pk: Choice(view=True, contact=False)}, actor=student.user)

    link.refresh_from_db()
    assert link.adult_consent_view and not link.adult_consent_contact


def test_only_the_student_or_the_school_may_change_consent(world, link):
    for someone in (world.adult_parent_user, world.parent_user, world.teacher_a):
        with pytest.raises(PermissionDenied):
            consent.set_consent(world.adult, {link.pk: Choice(view=False, contact=False)},
                                actor=someone)
    link.refresh_from_db()
    assert link.adult_consent_view and link.adult_consent_contact

    officer_c = f.make_staff(world.school_c, Role.ATTENDANCE_OFFICER)
    consent.set_consent(world.adult, {link.pk: Choice(view=False, contact=True)},
                        actor=officer_c)
    link.refresh_from_db()
    assert link.consent_changed_via == ConsentVia.SCHOOL
    assert link.consent_changed_by == officer_c


def test_a_parent_of_someone_else_cannot_be_chosen(world, link):
    other = StudentGuardian.objects.get(student=world.child_a)
    with pytest.raises(ValidationError) as caught:
        consent.set_consent(world.adult, {other.pk: Choice(view=True, contact=True)},
                            actor=world.adult_user)
    assert caught.value.code == "unknown_link"
    other.refresh_from_db()
    assert other.consent_changed_at is None


def test_nothing_is_half_saved_when_one_choice_is_refused(world, link):
    second = f.link_guardian(world.adult, f.make_guardian(world.board))
    other = StudentGuardian.objects.get(student=world.child_a)
    with pytest.raises(ValidationError):
        consent.set_consent(world.adult, {second.pk: Choice(view=True, contact=True),
                                          other.pk: Choice(view=True, contact=True)},
                            actor=world.adult_user)
    second.refresh_from_db()
    assert not second.adult_consent_view and second.consent_changed_at is None
