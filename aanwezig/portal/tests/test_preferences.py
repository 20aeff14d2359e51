"""Preferences: a parent's language, channel and monthly overview, a student's language, and
the optional password; every change is audited."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.models import Channel
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
URL = "/portaal/instellingen/"
PASSWORD_URL = "/portaal/instellingen/wachtwoord/"
GOOD_PASSWORD = "zonnebloem-fiets-42"


@pytest.fixture(autouse=True)
def _ten_o_clock():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=AMS), tick=False):
        yield


@pytest.fixture
def parent_client(world, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.parent_user)
    return client


def test_the_urls_are_the_documented_ones():
    assert reverse("portal_preferences") == URL
    assert reverse("portal_password") == PASSWORD_URL


def test_a_parent_saves_language_channel_and_monthly_overview(world, parent_client):
    page = parent_client.get(URL).content.decode()
    assert 'value="tr"' in page and "Türkçe" in page and 'lang="ar"' in page
    # The channels the school has contact details for: e-mail, text message, phone, portal.
    assert 'value="sms"' in page and 'value="portal"' in page and 'value="letter"' not in page

    response = parent_client.post(URL, {"language": "pl", "preferred_channel": "sms"})
    assert response.status_code == 302 and response.headers["Location"] == URL
    world.parent.refresh_from_db()
    world.parent_user.refresh_from_db()
    assert world.parent.language == "pl" and world.parent_user.language == "pl"
    assert world.parent.preferred_channel == Channel.SMS
    assert world.parent.monthly_overview is False  # the box was not ticked
    event = AuditEvent.objects.get(action="update_preferences")
    assert event.actor == world.parent_user
    assert event.object_type == "roster.Guardian" and event.object_id == str(world.parent.pk)
    assert event.changes == {"language": ["nl", "pl"], "preferred_channel": ["email", "sms"],
                             "monthly_overview": [True, False]}


def test_saving_again_without_changes_writes_no_audit_row(world, parent_client):
    for _ in range(2):
        parent_client.post(URL, {"language": "nl", "preferred_channel": "email",
                                 "monthly_overview": "on"})
    # Only the account's language was new (the guardian record had Dutch already).
    (event,) = AuditEvent.objects.filter(action="update_preferences")
    assert event.changes == {"language": ["", "nl"]}


def test_a_channel_without_contact_details_is_refused(world, parent_client):
    world.parent.phone = ""
    world.parent.save()
    response = parent_client.post(URL, {"language": "nl", "preferred_channel": "sms",
                                        "monthly_overview": "on"})
    assert response.status_code == 400
    world.parent.refresh_from_db()
    assert world.parent.preferred_channel == Channel.EMAIL
    assert not AuditEvent.objects.filter(action="update_preferences").exists()


def test_a_language_outside_the_parent_languages_is_refused(world, parent_client):
    response = parent_client.post(URL, {"language": "de", "preferred_channel": "email"})
    assert response.status_code == 400
    world.parent_user.refresh_from_db()
    assert world.parent_user.language == ""


def test_the_chosen_language_becomes_the_interface_language(world, client):
    client.force_login(world.parent_user)
    response = client.post(URL, {"language": "en", "preferred_channel": "email"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get(URL).headers["Content-Language"] == "en"


def test_a_language_the_interface_does_not_speak_leaves_it_to_the_account(world, client,
                                                                         settings):
    settings.LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.parent_user)
    response = client.post(URL, {"language": "tr", "preferred_channel": "email"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # the switch's cookie goes
    world.parent.refresh_from_db()
    assert world.parent.language == "tr"


def test_a_student_saves_their_language(world, client):
    client.force_login(world.adult_user)
    page = client.get(URL).content.decode()
    assert 'name="preferred_channel"' not in page and 'name="monthly_overview"' not in page
    assert client.post(URL, {"language": "uk"}).status_code == 302
    world.adult_user.refresh_from_db()
    assert world.adult_user.language == "uk"
    event = AuditEvent.objects.get(action="update_preferences")
    assert event.student == world.adult and event.changes == {"language": ["", "uk"]}


def test_staff_have_no_portal_preferences(world, client):
    client.force_login(world.officer_a)
    assert client.get(URL).status_code == 404
    assert client.post(PASSWORD_URL, {"new_password1": GOOD_PASSWORD,
                                      "new_password2": GOOD_PASSWORD}).status_code == 404


def test_a_parent_chooses_a_password_and_then_logs_in_with_it(world, parent_client, client):
    user = world.parent_user
    user.set_unusable_password()
    user.save()
    parent_client.force_login(user)
    response = parent_client.post(PASSWORD_URL, {"new_password1": GOOD_PASSWORD,
                                                 "new_password2": GOOD_PASSWORD})
    assert response.status_code == 302
    assert parent_client.get(URL).status_code == 200  # still signed in
    event = AuditEvent.objects.get(action="update_preferences")
    assert event.changes == {"password": "set"}
    assert GOOD_PASSWORD not in str(event.changes)

    parent_client.post(reverse("logout"))
    response = parent_client.post(reverse("login"), {"username": user.username,
                                                     "password": GOOD_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == reverse("start")


def test_a_weak_or_mistyped_password_is_refused(world, parent_client):
    before = world.parent_user.password
    response = parent_client.post(PASSWORD_URL, {"new_password1": "12345678",
                                                 "new_password2": "12345678"})
    assert response.status_code == 400
    response = parent_client.post(PASSWORD_URL, {"new_password1": GOOD_PASSWORD,
                                                 "new_password2": GOOD_PASSWORD + "x"})
    assert response.status_code == 400
    world.parent_user.refresh_from_db()
    assert world.parent_user.password == before
    assert not AuditEvent.objects.filter(action="update_preferences").exists()


def test_a_parent_removes_their_password(world, parent_client):
    assert world.parent_user.has_usable_password()
    response = parent_client.post(PASSWORD_URL, {"action": "remove"})
    assert response.status_code == 302
    world.parent_user.refresh_from_db()
    assert not world.parent_user.has_usable_password()
    assert AuditEvent.objects.get(action="update_preferences").changes == {"password": "removed"}
