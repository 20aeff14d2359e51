"""The worker: exclusive claims, back-off, permanent failures and fallbacks, stale rows."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from aanwezig.notifications import delivery
from aanwezig.notifications.channels import DeliveryError
from aanwezig.notifications.models import InvalidContact, Message
from aanwezig.notifications.services import queue_message, recipients_for
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
START = dt.datetime.combine(TODAY, dt.time(10), tzinfo=AMS)


class FakeTransport:
    """Fails with the queued errors, then succeeds; records what it was asked to send."""

    def __init__(self) -> None:
        self.errors: list[DeliveryError] = []
        self.sent: list[tuple[str, str]] = []
        self.tried: list[tuple[str, str]] = []

    def send(self, message: Message) -> None:
        self.tried.append((message.channel, message.address))
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((message.channel, message.address))


@pytest.fixture
def transport(monkeypatch):
    fake = FakeTransport()
    monkeypatch.setattr(delivery, "get_transport", lambda channel: fake)
    return fake


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _queue(world, key: str = "absence:1", **kw) -> Message:
    (recipient,) = recipients_for(world.child_a, TODAY)
    message = queue_message(school=world.school_a, event="unexplained_absence",
                            recipient=recipient, subject="Sam", body_text="We missed Sam.",
                            dedupe_key=key, urgent=True, **kw)
    assert message is not None
    return message


def test_a_claim_is_exclusive(world, clock):
    message = _queue(world)
    first = delivery.claim(message.pk)
    second = delivery.claim(message.pk)
    assert first is not None and second is None
    row = Message.objects.get(pk=message.pk)
    assert (row.status, row.claimed_at) == ("sending", START)


def test_delivery_marks_the_row_sent(world, clock, transport):
    message = _queue(world)
    assert delivery.deliver(message.pk) == "sent"
    row = Message.objects.get(pk=message.pk)
    assert (row.status, row.sent_at, row.attempts) == ("sent", START, 1)
    assert delivery.deliver(message.pk) == "skipped"
    assert transport.sent == [("email", world.parent.email)]


def test_temporary_errors_back_off_1_5_15_60_240_minutes_then_fail(world, clock, transport):
    message = _queue(world)
    transport.errors = [DeliveryError("421 try later", permanent=False) for _ in range(5)]
    now = START
    for attempt, minutes in enumerate([1, 5, 15, 60], start=1):
        assert delivery.deliver(message.pk) == "retry"
        row = Message.objects.get(pk=message.pk)
        assert (row.status, row.attempts) == ("queued", attempt)
        assert row.next_attempt_at == now + dt.timedelta(minutes=minutes)
        assert "421" in row.last_error
        clock.move_to(row.next_attempt_at - dt.timedelta(seconds=1))
        assert delivery.deliver(message.pk) == "skipped"  # not due yet
        now = row.next_attempt_at
        clock.move_to(now)
    assert delivery.deliver(message.pk) == "failed"
    row = Message.objects.get(pk=message.pk)
    assert (row.status, row.attempts) == ("failed", 5)
    assert not InvalidContact.objects.exists()
    assert Message.objects.count() == 1  # a temporary problem is no reason to switch channel


def test_a_retry_succeeds_when_the_server_is_back(world, clock, transport):
    message = _queue(world)
    transport.errors = [DeliveryError("connection refused", permanent=False)]
    assert delivery.deliver(message.pk) == "retry"
    clock.shift(dt.timedelta(minutes=1))
    assert delivery.deliver_due() == 1
    row = Message.objects.get(pk=message.pk)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_a_permanent_error_records_the_contact_and_falls_back_to_the_next_channel(
        world, clock, transport):
    message = _queue(world)
    transport.errors = [DeliveryError("550 no such user", permanent=True)]
    assert delivery.deliver(message.pk) == "failed"

    assert Message.objects.get(pk=message.pk).status == "failed"
    contact = InvalidContact.objects.get()
    assert (contact.guardian, contact.channel, contact.address) == (
        world.parent, "email", world.parent.email)
    fallback = Message.objects.get(fallback_of=message)
    assert (fallback.channel, fallback.address, fallback.status) == ("sms", world.parent.phone,
                                                                     "queued")
    assert (fallback.body_text, fallback.subject) == (message.body_text, message.subject)
    assert delivery.deliver(fallback.pk) == "sent"
    assert transport.sent == [("sms", world.parent.phone)]
    # The next message for this parent chooses SMS straight away.
    assert recipients_for(world.child_a, TODAY)[0].channel == "sms"


def test_when_every_channel_failed_the_desk_gets_a_call_task(world, clock, transport):
    world.parent.user = None  # no portal either
    world.parent.save()
    message = _queue(world)
    transport.errors = [DeliveryError("550", permanent=True), DeliveryError("422", permanent=True)]
    assert delivery.deliver(message.pk) == "failed"
    sms = Message.objects.get(fallback_of=message)
    assert delivery.deliver(sms.pk) == "failed"
    call = Message.objects.get(fallback_of=sms)
    assert call.channel == "phone"
    assert delivery.deliver(call.pk) == "sent"
    assert [c for c, _a in transport.tried] == ["email", "sms", "phone"]
    assert InvalidContact.objects.count() == 2


def test_a_message_no_longer_wanted_is_cancelled_not_sent(world, clock, transport, monkeypatch):
    message = _queue(world)
    monkeypatch.setattr(delivery, "still_wanted", lambda m: False)
    assert delivery.deliver(message.pk) == "cancelled"
    assert Message.objects.get(pk=message.pk).status == "cancelled"
    assert transport.tried == []


def test_an_unexpected_error_counts_as_a_temporary_failure(world, clock, monkeypatch):
    class Broken:
        def send(self, message):
            raise RuntimeError("bug")

    monkeypatch.setattr(delivery, "get_transport", lambda channel: Broken())
    message = _queue(world)
    assert delivery.deliver(message.pk) == "retry"
    assert Message.objects.get(pk=message.pk).status == "queued"


def test_rows_left_in_sending_by_a_dead_worker_are_sent_again_after_ten_minutes(
        world, clock, transport):
    message = _queue(world)
    assert delivery.claim(message.pk) is not None  # ...and the worker dies
    clock.shift(dt.timedelta(minutes=9))
    assert delivery.deliver_due() == 0
    assert Message.objects.get(pk=message.pk).status == "sending"
    clock.shift(dt.timedelta(minutes=2))
    assert delivery.deliver_due() == 1
    assert Message.objects.get(pk=message.pk).status == "sent"
    assert len(transport.sent) == 1


def test_deliver_due_sends_only_due_rows_and_respects_the_limit(world, clock, transport):
    due = [_queue(world, f"k{n}") for n in range(3)]
    later = _queue(world, "later", not_before=START + dt.timedelta(hours=1))
    assert delivery.deliver_due(limit=2) == 2
    assert delivery.deliver_due() == 1
    assert {m.pk for m in Message.objects.filter(status="sent")} == {m.pk for m in due}
    assert Message.objects.get(pk=later.pk).status == "queued"


def test_portal_and_call_transports_mark_the_row_sent(world, clock):
    world.parent.preferred_channel = "portal"
    world.parent.save()
    message = _queue(world)
    assert message.channel == "portal"
    assert delivery.deliver(message.pk) == "sent"
