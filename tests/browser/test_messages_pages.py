"""The attendance officer reads a student's message log and sees which families were not
reached."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aanwezig.notifications.models import Event, Message
from aanwezig.testing import factories as f
from tests.browser.helpers import login, screenshot


def make_message(world, guardian, student, status, *, subject, error="", key):
    now = timezone.now()
    return Message.objects.create(
        school=world.school_a, event=Event.UNEXPLAINED_ABSENCE, channel="email", student=student,
        recipient_kind="guardian", guardian=guardian, address=guardian.email, language="nl",
        subject=subject, body_text="...", dedupe_key=key, status=status, last_error=error,
        attempts=1, next_attempt_at=now, created_at=now, sent_at=now if status == "sent" else None,
    )


@pytest.mark.browser
def test_the_officer_sees_a_sent_message_and_a_family_not_reached(live_server, world, page):
    sam, noor = world.child_a, world.classmate_a
    make_message(world, world.parent, sam, "sent", subject="We missen Sam vandaag", key="sam")
    karin = f.make_guardian(world.board, given_name="Karin", last_name="Bakker",
                            email="karin.bakker@example.test")
    f.link_guardian(noor, karin)
    make_message(world, karin, noor, "failed", subject="We missen Noor vandaag",
                 error="550 5.1.1 No such user", key="noor")

    login(page, live_server, world.officer_a.username)

    # 1. Sam's message log: the message to Petra Jansen arrived.
    page.goto(live_server.url + reverse("student_messages", args=[world.school_a.pk, sam.pk]))
    expect(page.locator("h1")).to_contain_text("Sam Jansen")
    row = page.locator("table tbody tr", has_text="We missen Sam vandaag")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Petra Jansen")
    expect(row).to_contain_text(world.parent.email)
    expect(row.locator(".tag.status-present")).to_have_count(1)
    guardian_link = reverse("guardian_messages", args=[world.school_a.pk, world.parent.pk])
    expect(row.locator(f'a[href="{guardian_link}"]')).to_have_count(1)
    screenshot(page, "student-messages.png")

    # 2. The reach overview: Karin Bakker got a message and none arrived; Petra was reached.
    page.goto(live_server.url + reverse("reach", args=[world.school_a.pk]))
    table = page.locator("table tbody")
    family = table.locator("tr", has_text="Karin Bakker")
    expect(family).to_have_count(1)
    expect(family).to_contain_text("Noor Bakker")
    expect(family).to_contain_text("550 5.1.1 No such user")
    expect(family.locator('a[href^="tel:"]')).to_have_count(1)
    expect(table).not_to_contain_text("Petra Jansen")
    screenshot(page, "reach-overview.png")

    # 3. From the overview to the family's own log, where the failure is marked.
    family.locator("a", has_text="Karin Bakker").click()
    page.wait_for_url(f"**{reverse('guardian_messages', args=[world.school_a.pk, karin.pk])}")
    failed = page.locator("table tbody tr", has_text="We missen Noor vandaag")
    expect(failed.locator(".tag.status-absent")).to_have_count(1)
