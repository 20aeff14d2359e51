"""The attendance officer prepares a DUO report, completes it, marks it as sent and sees the
status. Sam (child_a) has 16 unexcused lesuren from Mon 2 through Mon 9 Nov 2026 (due Mon
16 Nov, so overdue on Wed 18 Nov)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from aanwezig.protocol.models import DuoDossier, DuoStatus
from aanwezig.protocol.tests.test_duo_reports_command import hand_worked_case
from conftest import TODAY
from tests.browser.helpers import ROOT, login, screenshot

SCREENS = ROOT / "var" / "screens"


@pytest.fixture
def school_morning():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0),
                                                 tzinfo=ZoneInfo("Europe/Amsterdam")), tick=True):
        yield


@pytest.mark.browser
def test_the_officer_prepares_completes_and_sends_a_duo_report(live_server, world, page,
                                                              school_morning):
    hand_worked_case(world)
    school = world.school_a.pk
    login(page, live_server, world.officer_a.username)

    # 1. From the school page to the DUO overview: Sam's report is overdue, marked in words.
    page.goto(live_server.url + reverse("school", args=[school]))
    page.locator(f'a[href="{reverse("duo_overview", args=[school])}"]').click()
    row = page.locator("table.duo-list tbody tr", has_text="Sam Jansen")
    expect(row).to_have_count(1)
    expect(row.locator(".tag.status-absent")).to_contain_text("⚠")
    expect(row).to_contain_text("16")
    screenshot(page, SCREENS / "duo-overview.png")

    # 2. Prepare the report: the dossier opens with the lessons and the pre-filled fields.
    row.locator(f'form[action="{reverse("duo_prepare", args=[school, world.child_a.pk])}"] '
                'button').click()
    dossier = DuoDossier.objects.get()
    page.wait_for_url(re.compile(re.escape(reverse("duo_dossier", args=[school, dossier.pk]))))
    expect(page.locator("h1")).to_contain_text("Sam Jansen")
    expect(page.locator(".duo-days")).to_contain_text("10:30–11:20")
    send_button = page.locator(f'form[action="{reverse("duo_dossier_send", args=[school, dossier.pk])}"] button')
    expect(send_button).to_be_disabled()  # nothing filled in yet
    screenshot(page, SCREENS / "duo-dossier-new.png")

    # 3. Fill in the reason, what the school did and asks, and the contact person; save.
    page.fill("#id_probable_reason", "Spijbelt vaak op maandag en vrijdag.")
    page.fill("#id_school_actions", "Ouders twee keer gebeld; gesprek met mentor gehad.")
    page.fill("#id_school_asks", "Graag een gesprek van de leerplichtambtenaar met Sam en ouders.")
    page.fill("#id_contact_name", "Vera Verzuim")
    page.fill("#id_contact_role", "verzuimcoördinator")
    page.fill("#id_contact_phone", "010 123 4567")
    page.fill("#id_contact_email", "verzuim@testcollege.example")
    page.locator('form[novalidate] button[type="submit"]').click()
    expect(page.locator(".message-success")).to_be_visible()
    stored = DuoDossier.objects.get(pk=dossier.pk)
    assert stored.contact_phone == "+31101234567"

    # 4. Mark it as sent with DUO's reference; the status shows "registered".
    page.fill("#id_duo_reference", "VM-2026-0042")
    expect(send_button).to_be_enabled()
    send_button.click()
    expect(page.locator("#status")).to_contain_text("VM-2026-0042")
    expect(page.locator("#status .tag")).to_contain_text("✓")
    assert DuoDossier.objects.get(pk=dossier.pk).status == DuoStatus.REGISTERED
    page.wait_for_load_state()
    screenshot(page, SCREENS / "duo-dossier-sent.png")

    # 5. The overview now lists it under sent, with its status, and nothing to report.
    page.goto(live_server.url + reverse("duo_overview", args=[school]))
    expect(page.locator("table.duo-list")).to_have_count(0)
    sent = page.locator("#verzonden + .table-wrap tbody tr", has_text="Sam Jansen")
    expect(sent).to_contain_text("VM-2026-0042")
    expect(sent.locator(".tag")).to_contain_text("✓")

    # 6. The copy view and the PDF, for looking at.
    page.goto(live_server.url + reverse("duo_dossier_copy", args=[school, dossier.pk]))
    screenshot(page, SCREENS / "duo-copy.png")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, SCREENS / "duo-copy-phone.png")
    response = page.request.get(live_server.url + reverse("duo_dossier_pdf",
                                                          args=[school, dossier.pk]))
    assert response.body().startswith(b"%PDF")
    pdf = SCREENS / "duo-dossier.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(SCREENS / "duo-dossier-pdf")],
                   check=False)
