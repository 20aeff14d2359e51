"""Printed letters: letters wait for a batch, print as one PDF (one page each) and are then sent."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from aanwezig.audit.models import AuditEvent
from aanwezig.notifications import delivery, letters
from aanwezig.notifications.models import LetterBatch, Message
from aanwezig.notifications.services import recipients_for
from aanwezig.testing import factories as f
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def ten_o_clock():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10), tzinfo=AMS), tick=False):
        yield


def _letter(world, guardian=None, *, key: str, language: str = "nl",
            body: str = "Sam was er elke dag. Wat fijn!") -> Message:
    guardian = guardian or world.parent
    guardian.address = "Dorpsstraat 12\n1234 AB Ergens"
    guardian.save()
    now = dt.datetime.combine(TODAY, dt.time(9), tzinfo=AMS)
    return Message.objects.create(
        school=world.school_a, event="compliment", channel="letter", student=world.child_a,
        recipient_kind="guardian", guardian=guardian, language=language, subject="Goed bezig",
        body_text=body, sender_name="Mevrouw De Vries · Het Testcollege", dedupe_key=key,
        next_attempt_at=now, created_at=now,
    )


def _pages(batch: LetterBatch) -> PdfReader:
    return PdfReader(io.BytesIO(letters.batch_path(batch).read_bytes()))


def test_a_letter_waits_for_the_batch_and_the_worker_leaves_it_alone(world, ten_o_clock):
    f.link_guardian(world.child_a, f.make_guardian(world.board, given_name="Frank"))
    world.parent.email = world.parent.phone = ""
    world.parent.preferred_channel = "letter"
    world.parent.save()
    recipient = next(r for r in recipients_for(world.child_a, TODAY) if r.guardian == world.parent)
    assert recipient.channel == "letter"
    message = _letter(world, key="a")
    assert delivery.deliver(message.pk) == delivery.Outcome.HELD
    assert delivery.deliver_due() == 0
    message.refresh_from_db()
    assert message.status == "queued"
    assert message.letter_batch is None
    assert message.sent_at is None


def test_printing_puts_every_waiting_letter_in_one_pdf_with_a_page_each(world, ten_o_clock):
    other = f.make_guardian(world.board, given_name="Frank", last_name="Jansen")
    f.link_guardian(world.child_a, other)
    first = _letter(world, key="a")
    second = _letter(world, other, key="b")
    third = _letter(world, key="c", language="ar", body="كان سام حاضرا كل يوم.")
    batch = letters.print_letter_batch(world.school_a, actor=world.officer_a)

    assert batch.count == 3
    assert batch.created_by == world.officer_a
    assert len(_pages(batch).pages) == 3
    for message in (first, second, third):
        message.refresh_from_db()
        assert message.status == "sent"
        assert message.sent_at is not None
        assert message.letter_batch == batch
    audit = AuditEvent.objects.get(action="print_letters")
    assert audit.changes["count"] == 3
    assert audit.school_id == world.school_a.pk

    text = "\n".join(page.extract_text() for page in _pages(batch).pages)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(letters.batch_path(batch)), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert "Petra Jansen" in text
    assert "Frank Jansen" in text
    assert "Dorpsstraat 12" in text
    assert "Het Testcollege" in text
    assert "Goed bezig" in text


def test_an_arabic_letter_is_written_right_to_left(world, ten_o_clock):
    from aanwezig.notifications.channels.letter.transport import LetterTransport

    message = _letter(world, key="ar", language="ar", body="كان سام حاضرا كل يوم.")
    html = LetterTransport().render_html(world.school_a, [message], printed_on=TODAY)
    assert 'dir="rtl"' in html
    assert "Petra Jansen" in html


def test_a_second_batch_does_not_print_the_same_letters_again(world, ten_o_clock):
    _letter(world, key="a")
    first = letters.print_letter_batch(world.school_a, actor=world.officer_a)
    with pytest.raises(letters.NothingToPrint):
        letters.print_letter_batch(world.school_a, actor=world.officer_a)
    later = _letter(world, key="b")
    second = letters.print_letter_batch(world.school_a, actor=world.officer_a)
    assert second.count == 1
    assert list(second.messages.all()) == [later]
    assert first.messages.count() == 1
    assert LetterBatch.objects.count() == 2


def test_a_letter_no_longer_wanted_is_cancelled_not_printed(world, ten_o_clock, monkeypatch):
    message = _letter(world, key="a")
    monkeypatch.setattr(delivery, "still_wanted", lambda m: False)
    with pytest.raises(letters.NothingToPrint):
        letters.print_letter_batch(world.school_a, actor=None)
    message.refresh_from_db()
    assert message.status == "cancelled"
    assert message.letter_batch is None


def test_a_failed_render_leaves_the_letters_waiting(world, ten_o_clock, monkeypatch):
    from aanwezig.notifications.channels.letter.transport import LetterTransport

    message = _letter(world, key="a")

    def broken(self, html):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(LetterTransport, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        letters.print_letter_batch(world.school_a, actor=None)
    message.refresh_from_db()
    assert message.status == "queued"
    assert LetterBatch.objects.count() == 0


def test_the_command_prints_a_batch_and_says_so_when_there_is_nothing(world, ten_o_clock):
    _letter(world, key="a")
    out = io.StringIO()
    call_command("print_letters", "--school", world.school_a.brin, stdout=out)
    assert "1 letter(s)" in out.getvalue()
    out = io.StringIO()
    call_command("print_letters", "--school", world.school_a.brin, stdout=out)
    assert "no letters waiting" in out.getvalue()


def test_the_page_prints_a_batch_and_the_pdf_downloads(world, ten_o_clock, client):
    _letter(world, key="a")
    client.force_login(world.officer_a)
    page = reverse("letter_batches", args=[world.school_a.pk])
    response = client.get(page)
    assert b"Petra Jansen" in response.content
    response = client.post(page)
    assert response.status_code == 302
    batch = LetterBatch.objects.get()
    pdf = client.get(reverse("letter_batch_pdf", args=[world.school_a.pk, batch.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]


def test_the_pdf_is_refused_to_a_teacher_and_to_another_schools_staff(world, ten_o_clock,
                                                                      client):
    _letter(world, key="a")
    batch = letters.print_letter_batch(world.school_a, actor=world.officer_a)
    url = reverse("letter_batch_pdf", args=[world.school_a.pk, batch.pk])
    client.force_login(world.teacher_a)
    assert client.get(url).status_code == 404
    officer_b = f.make_staff(world.school_b, "attendance_officer",
                             username="verzuim.b@example.test")
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    assert client.get(reverse("letter_batch_pdf",
                              args=[world.school_b.pk, batch.pk])).status_code == 404
