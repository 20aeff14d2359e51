"""Parents hear of an unexplained absence after the grace period, once, and not when the
reason is known."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from aanwezig.attendance import services as attendance
from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.notifications import events
from aanwezig.notifications.config import save_settings
from aanwezig.notifications.models import Event, Message, RecipientKind
from aanwezig.roster.models import Channel
from aanwezig.testing import factories as f
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def at(hour: int, minute: int = 0, day: dt.date = TODAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMS)


@pytest.fixture
def sam_absent(world):
    """Sam is registered absent without a reason in the 10:30 lesson (grace: 30 minutes)."""
    create_default_absence_reasons(world.school_a)
    attendance.record_register(world.lesson_a, actor=world.teacher_a, entries=[
        attendance.MarkInput(student_id=world.child_a.pk, status="absent")])
    return world.child_a


def parent_messages(student):
    return Message.objects.filter(student=student, event=Event.UNEXPLAINED_ABSENCE,
                                  recipient_kind=RecipientKind.GUARDIAN)


def test_the_parent_hears_after_the_grace_period_and_not_before(world, sam_absent):
    assert events.queue_unexplained_absences(world.school_a, at(10, 59)) == 0
    assert not Message.objects.exists()
    assert events.queue_unexplained_absences(world.school_a, at(11, 0)) == 2
    message = parent_messages(sam_absent).get()
    assert message.guardian == world.parent
    assert message.about_date == TODAY
    assert message.subject == "We missen Sam vandaag"
    assert "in de les van 10:30" in message.body_text
    call = Message.objects.get(channel=Channel.PHONE)
    assert call.student == sam_absent and call.recipient_kind == RecipientKind.STAFF


def test_the_grace_period_is_the_schools_setting(world, sam_absent):
    save_settings(world.school_a, {"grace_minutes": 60, "absence_call_task": False}, actor=None)
    assert events.queue_unexplained_absences(world.school_a, at(11, 29)) == 0
    assert events.queue_unexplained_absences(world.school_a, at(11, 30)) == 1
    assert not Message.objects.filter(channel=Channel.PHONE).exists()


def test_at_most_one_message_per_student_per_day(world, sam_absent):
    events.queue_unexplained_absences(world.school_a, at(11, 0))
    later = f.make_lesson(world.a1, world.teacher_a, TODAY, period=world.grid_a[3])
    attendance.record_register(later, actor=world.teacher_a, entries=[
        attendance.MarkInput(student_id=sam_absent.pk, status="absent")])
    assert events.queue_unexplained_absences(world.school_a, at(12, 0)) == 0
    assert parent_messages(sam_absent).count() == 1


def test_nothing_is_sent_when_a_parent_reported_the_absence(world, sam_absent):
    attendance.create_absence_report(
        sam_absent, reason_code="ziek", start_date=TODAY, source="guardian",
        guardian=world.parent, actor=None)
    assert events.queue_unexplained_absences(world.school_a, at(11, 0)) == 0
    assert not Message.objects.exists()


def test_a_message_is_no_longer_wanted_once_the_reason_is_known(world, sam_absent):
    events.queue_unexplained_absences(world.school_a, at(11, 0))
    message = parent_messages(sam_absent).get()
    call = Message.objects.get(channel=Channel.PHONE)
    assert events.still_wanted(message) and events.still_wanted(call)
    attendance.create_absence_report(
        sam_absent, reason_code="ziek", start_date=TODAY, source="guardian",
        guardian=world.parent, actor=None)
    assert not events.still_wanted(message)
    assert not events.still_wanted(call)


def test_a_message_is_no_longer_wanted_when_the_student_turned_out_to_be_there(world, sam_absent):
    events.queue_unexplained_absences(world.school_a, at(11, 0))
    message = parent_messages(sam_absent).get()
    attendance.record_register(world.lesson_a, actor=world.teacher_a, entries=[])
    assert not events.still_wanted(message)


def test_an_adult_students_parent_gets_nothing_without_consent_the_student_does(world):
    create_default_absence_reasons(world.school_c)
    attendance.record_register(world.lesson_c, actor=None, entries=[
        attendance.MarkInput(student_id=world.adult.pk, status="absent")])
    assert events.queue_unexplained_absences(world.school_c, at(11, 0)) >= 1
    sent = Message.objects.filter(student=world.adult).exclude(channel=Channel.PHONE)
    assert {m.recipient_kind for m in sent} == {RecipientKind.STUDENT}
    assert not sent.filter(guardian=world.adult_parent).exists()
    assert sent.get().body_text.startswith("Hoi Yusuf,")


def test_saving_a_register_queues_the_message_after_commit(world, settings,
                                                          django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    save_settings(world.school_a, {"grace_minutes": 0}, actor=None)
    create_default_absence_reasons(world.school_a)
    with time_machine.travel(at(10, 40), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        attendance.record_register(world.lesson_a, actor=world.teacher_a, entries=[
            attendance.MarkInput(student_id=world.child_a.pk, status="absent")])
    assert parent_messages(world.child_a).count() == 1


def test_run_notifications_queues_what_is_due_for_one_school(world, sam_absent):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel(at(11, 0), tick=False):
        call_command("run_notifications", "--school", "11aa", stdout=out)
    assert parent_messages(sam_absent).count() == 1
    assert "unexplained_absence 2" in out.getvalue()
