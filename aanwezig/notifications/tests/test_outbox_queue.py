"""Queueing: deduplication, the weekly cap, quiet hours, delivery after commit, cancelling."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from aanwezig.audit.models import AuditEvent
from aanwezig.notifications import delivery
from aanwezig.notifications.config import save_settings
from aanwezig.notifications.models import Message
from aanwezig.notifications.services import Recipient, cancel_message, queue_message, recipients_for
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def at(hour: int, minute: int = 0, day: dt.date = TODAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMS)


def _parent(world, channel: str = "email") -> Recipient:
    (recipient,) = recipients_for(world.child_a, TODAY)
    recipient.channel = channel
    recipient.address = world.parent.phone if channel == "sms" else recipient.address
    return recipient


def _queue(world, key: str, *, channel: str = "email", urgent: bool = False, **kw):
    return queue_message(
        school=world.school_a, event="compliment", recipient=_parent(world, channel),
        subject="Goed bezig", body_text="Sam was er elke dag.", dedupe_key=key, urgent=urgent,
        student=world.child_a, **kw,
    )


@pytest.fixture
def ten_o_clock():
    with time_machine.travel(at(10), tick=False) as traveller:
        yield traveller


def test_queueing_the_same_key_twice_writes_one_message(world, ten_o_clock):
    first = _queue(world, "compliment:2026-11-18")
    assert first is not None
    assert _queue(world, "compliment:2026-11-18") is None
    assert _queue(world, "compliment:2026-11-18", channel="sms") is None  # any channel
    assert Message.objects.count() == 1


def test_one_key_serves_every_recipient_of_an_event(world, ten_o_clock):
    from aanwezig.testing import factories as f

    father = f.make_guardian(world.board, given_name="Frank")
    f.link_guardian(world.child_a, father)
    for recipient in recipients_for(world.child_a, TODAY):
        assert queue_message(school=world.school_a, event="compliment", recipient=recipient,
                             subject="s", body_text="t", dedupe_key="compliment:1") is not None
    assert Message.objects.count() == 2


def test_the_weekly_cap_stops_non_urgent_messages_but_not_urgent_ones(world, ten_o_clock):
    for n in range(3):
        assert _queue(world, f"k{n}") is not None
    assert _queue(world, "k3") is None
    assert _queue(world, "k4", urgent=True) is not None
    assert Message.objects.count() == 4


def test_the_cap_starts_again_on_monday_and_follows_the_school_setting(world, ten_o_clock):
    save_settings(world.school_a, {"weekly_cap": 1}, actor=world.admin_a)
    assert _queue(world, "a") is not None
    assert _queue(world, "b") is None
    ten_o_clock.move_to(at(8, 0, TODAY + dt.timedelta(days=5)))  # next Monday
    assert _queue(world, "c") is not None


def test_cancelled_messages_do_not_count_towards_the_cap(world, ten_o_clock):
    for n in range(3):
        message = _queue(world, f"k{n}")
        cancel_message(message, reason="the student arrived")
    assert _queue(world, "k3") is not None


def test_sms_in_the_quiet_hours_waits_until_they_end(world):
    with time_machine.travel(at(22, 15), tick=False):
        sms = _queue(world, "late", channel="sms")
        email = _queue(world, "late-mail", urgent=True)
    assert sms.next_attempt_at == at(7, 30, TODAY + dt.timedelta(days=1))
    assert email.next_attempt_at == at(22, 15)  # e-mail is not held

    with time_machine.travel(at(6, 0), tick=False):
        early = _queue(world, "early", channel="sms", urgent=True)
    assert early.next_attempt_at == at(7, 30)

    with time_machine.travel(at(7, 30), tick=False):
        on_time = _queue(world, "on-time", channel="sms", urgent=True)
    assert on_time.next_attempt_at == at(7, 30)


def test_a_held_sms_is_not_delivered_before_the_quiet_hours_end(world, monkeypatch):
    sent = []
    monkeypatch.setattr(delivery, "get_transport", lambda channel: type(
        "T", (), {"send": lambda self, m: sent.append(m.pk)})())
    with time_machine.travel(at(23, 0), tick=False) as traveller:
        sms = _queue(world, "late", channel="sms")
        assert delivery.deliver(sms.pk) == "skipped"
        traveller.move_to(at(7, 29, TODAY + dt.timedelta(days=1)))
        assert delivery.deliver_due() == 0
        traveller.move_to(at(7, 30, TODAY + dt.timedelta(days=1)))
        assert delivery.deliver_due() == 1
    assert sent == [sms.pk]


def test_not_before_postpones_the_first_attempt(world, ten_o_clock):
    message = _queue(world, "later", not_before=at(10, 30))
    assert message.next_attempt_at == at(10, 30)
    assert delivery.claim(message.pk) is None


def test_queueing_writes_an_audit_row_and_delivers_after_commit(world, settings,
                                                                django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _queue(world, "portal", channel="portal")
    assert Message.objects.get(pk=message.pk).status == "queued"  # nothing before commit
    assert AuditEvent.objects.filter(action="queue", object_id=str(message.pk)).exists()
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.sent_at is not None


def test_cancel_only_stops_a_message_that_has_not_gone_out(world, ten_o_clock):
    message = _queue(world, "x")
    assert cancel_message(message, reason="the student arrived")
    assert Message.objects.get(pk=message.pk).status == "cancelled"
    assert delivery.claim(message.pk) is None

    other = _queue(world, "y")
    assert delivery.claim(other.pk) is not None
    assert not cancel_message(other, reason="too late")
    assert Message.objects.get(pk=other.pk).status == "sending"


def test_letters_stay_queued_with_a_note(world, ten_o_clock):
    message = _queue(world, "letter", channel="letter")
    assert message.last_error == "waits for the next print batch"
    assert delivery.deliver_due() == 0
    assert delivery.deliver(message.pk) == "held"
    message.refresh_from_db()
    assert (message.status, message.sent_at) == ("queued", None)
