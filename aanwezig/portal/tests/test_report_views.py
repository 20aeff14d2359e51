"""The portal's report pages: a parent reports, sees the confirmation, and bad input comes
back in Dutch next to the field."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from aanwezig.attendance.models import AbsenceReport, Mark
from aanwezig.attendance.services import create_absence_report
from aanwezig.notifications.models import Message
from aanwezig.portal import reports
from aanwezig.portal.tests.test_report_services import TOMORROW
from aanwezig.portal.tests.test_report_services import reasons as _reasons  # noqa: F401
from aanwezig.portal.tests.test_report_services import (  # noqa: F401
    school_morning as _school_morning,
)
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("school_morning")


def page(client, user, name, *args, data=None):
    client.force_login(user)
    url = reverse(name, args=args)
    return client.post(url, data) if data is not None else client.get(url)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_start_page_offers_each_report_for_the_parents_child(world, reasons, client):
    response = page(client, world.parent_user, "portal_report")
    body = text(response)
    assert "Ziek of afwezig melden" in body and "Sam Jansen" in body
    assert f'href="{reverse("portal_report")}" aria-current="page">Ziek of afwezig melden' in body
    for name in ("portal_report_sick", "portal_report_medical", "portal_report_religious"):
        assert f'href="{reverse(name, args=[world.child_a.pk])}"' in body
    assert "Noor" not in body


def test_a_parent_reports_sick_and_sees_the_confirmation(world, reasons, client):
    form = page(client, world.parent_user, "portal_report_sick", world.child_a.pk)
    assert set(form.context["form"].fields) == {"start_date", "start_time", "expected_back"}
    assert "U hoeft niet te vertellen wat Sam heeft." in text(form)

    response = page(client, world.parent_user, "portal_report_sick", world.child_a.pk,
                    data={"start_date": TODAY.isoformat(), "start_time": "",
                          "expected_back": TOMORROW.isoformat()})
    report = AbsenceReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_report_done",
                                           args=[world.child_a.pk, report.pk])
    assert Mark.objects.get(lesson=world.lesson_a).report == report

    done = text(client.get(response["Location"]))
    assert "Dank u wel. De school weet het nu." in done
    assert "Sam is ziek gemeld." in done
    assert "Ziek sinds woensdag 18 november · verwacht terug donderdag 19 november" in done
    assert "Er komt geen bericht over afwezigheid zonder reden." in done
    assert "Er is een bevestiging gestuurd naar:" in done and "Petra Jansen (e-mail)" in done
    assert f'href="{reverse("portal_report_better", args=[world.child_a.pk])}"' in done


def test_bad_input_comes_back_next_to_the_field_and_nothing_is_saved(world, reasons, client):
    response = page(client, world.parent_user, "portal_report_religious", world.child_a.pk,
                    data={"start_date": TOMORROW.isoformat(), "end_date": ""})
    assert response.status_code == 200
    body = text(response)
    assert re.search(r'<input type="date" name="start_date" value="2026-11-19"[^>]*'
                     r'aria-invalid="true" aria-describedby="id_start_date_error"', body)
    assert re.search(r'<p id="id_start_date_error" class="message message-error field-error">'
                     r'Meld een religieuze '
                     r'feestdag minstens 2 dagen van tevoren', body)
    assert 'role="alert"' in body and "Er klopt nog iets niet." in body
    assert not AbsenceReport.objects.exists() and not Message.objects.exists()


def test_an_empty_or_broken_date_is_refused_in_dutch(world, reasons, client):
    response = page(client, world.parent_user, "portal_report_medical", world.child_a.pk,
                    data={"day": "morgen", "start_time": "", "end_time": "25:99"})
    errors = response.context["form"].errors
    assert errors == {"day": ["Vul een geldige datum in."], "start_time": ["Vul een tijd in."],
                      "end_time": ["Vul een tijd in als uren:minuten, bijvoorbeeld 10:30."]}


def test_back_to_health_from_the_portal(world, reasons, client):
    report = create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                                   actor=world.officer_a)
    # The sick page sends on to "back to health" while Sam is reported sick.
    sick = page(client, world.parent_user, "portal_report_sick", world.child_a.pk)
    assert sick["Location"] == reverse("portal_report_better", args=[world.child_a.pk])
    form = page(client, world.parent_user, "portal_report_better", world.child_a.pk)
    assert "Sam is ziek gemeld vanaf woensdag 18 november." in text(form)

    response = page(client, world.parent_user, "portal_report_better", world.child_a.pk,
                    data={"back_on": TOMORROW.isoformat(), "back_time": ""})
    assert response["Location"] == reverse("portal_report_done",
                                           args=[world.child_a.pk, report.pk])
    report.refresh_from_db()
    assert report.end_date == TODAY
    done = text(client.get(response["Location"]))
    assert "Sam is weer beter gemeld. Welkom terug!" in done
    # Nothing open any more: "back to health" goes back to the start page.
    again = page(client, world.parent_user, "portal_report_better", world.child_a.pk)
    assert again["Location"] == reverse("portal_report")


def test_an_adult_student_reports_in_their_own_words(world, reasons, client):
    start = text(page(client, world.adult_user, "portal_report"))
    assert "Ben je ziek" in start and "Yusuf Demir" in start
    form = text(page(client, world.adult_user, "portal_report_sick", world.adult.pk))
    assert "Je hoeft niet te vertellen wat je hebt." in form
    response = page(client, world.adult_user, "portal_report_medical", world.adult.pk,
                    data={"day": TOMORROW.isoformat(), "start_time": "09:00",
                          "end_time": "10:00"})
    done = text(client.get(response["Location"]))
    assert "Bedankt. De school weet het nu." in done
    assert "Afspraak op donderdag 19 november van 09:00 tot 10:00" in done


def test_a_school_without_reasons_asks_to_call(world, client):
    body = text(page(client, world.parent_user, "portal_report"))
    assert "De school kan deze melding nog niet via het portaal aannemen." in body
    assert 'href="tel:' in body or "Bel de school" in body


def test_the_already_reported_list_shows_what_is_ahead(world, reasons, client):
    reports.report_religious(reports.get_reportable(world.parent_user, world.child_a.pk),
                             actor=world.parent_user, start_date=TODAY + dt.timedelta(days=2))
    body = text(page(client, world.parent_user, "portal_report"))
    assert "Al gemeld" in body and "Religieuze feestdag op vrijdag 20 november" in body


def test_nobody_else_opens_the_pages(world, reasons, client):
    for user in (world.teacher_a, world.officer_a, world.adult_parent_user):
        for name in ("portal_report_sick", "portal_report_medical", "portal_report_done"):
            args = [world.child_a.pk] + ([1] if name == "portal_report_done" else [])
            assert page(client, user, name, *args).status_code == 404
    client.logout()
    response = client.get(reverse("portal_report_sick", args=[world.child_a.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
