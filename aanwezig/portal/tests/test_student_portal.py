"""The student's own portal: own attendance (presence first), where they stand, and consent
per parent for a student of 18 or over."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.services import MarkInput, record_register
from aanwezig.audit.models import AuditEvent
from aanwezig.protocol.queries import student_standing
from aanwezig.roster.models import ConsentVia, StudentGuardian
from aanwezig.testing import factories as f
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOON = dt.datetime.combine(TODAY, dt.time(12, 0), tzinfo=AMS)


@pytest.fixture(autouse=True)
def _today(client, settings):
    """On ``TODAY`` at noon, in English (the language switch's cookie), to read texts back."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def young(world):
    """Sam (14) with a login of his own."""
    world.child_a.user = f.make_user("sam.jansen@example.test", first_name="Sam")
    world.child_a.save()
    return world.child_a


def test_the_student_sees_their_own_attendance_presence_first(world, client):
    create_default_absence_reasons(world.school_c)
    record_register(world.lesson_c, actor=None, entries=[])  # Yusuf was there
    client.force_login(world.adult_user)

    response = client.get(reverse("portal_student"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hi Yusuf" in page
    assert "<strong>100%</strong>" in page
    presence = page.index("<strong>100%</strong>")
    assert presence < page.index('id="standing-title"')
    assert 'id="questions-title"' in page


def test_the_page_shows_where_the_student_stands(world, client):
    create_default_absence_reasons(world.school_c)
    record_register(world.lesson_c, actor=None,
                    entries=[MarkInput(student_id=world.adult.pk, status="absent")])
    client.force_login(world.adult_user)

    page = client.get(reverse("portal_student")).content.decode()

    with translation.override("en"):
        standing = student_standing(world.adult, TODAY, "en")
    assert standing.ladders
    section = page[page.index('id="standing-title"'):page.index('id="questions-title"')]
    for ladder in standing.ladders:
        assert escape(ladder.title) in section
        assert escape(ladder.measure) in section
        if ladder.next_step:
            assert escape(ladder.next_step.title) in section


@pytest.mark.parametrize("persona", ["parent_user", "adult_parent_user", "teacher_a",
                                     "officer_a"])
def test_anyone_who_is_not_a_student_gets_404(world, client, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("portal_student")).status_code == 404
    assert client.get(reverse("portal_consent")).status_code == 404


def test_a_student_under_18_has_a_page_but_no_consent_page_and_no_banner(world, client, young):
    client.force_login(young.user)
    page = client.get(reverse("portal_student"))
    assert page.status_code == 200
    assert 'id="consent-banner"' not in page.content.decode()
    assert 'id="consent-title"' not in page.content.decode()
    assert client.get(reverse("portal_consent")).status_code == 404
    assert client.post(reverse("portal_consent"), {}).status_code == 404


def test_the_adult_student_sees_a_banner_and_who_follows_along(world, client):
    client.force_login(world.adult_user)
    page = client.get(reverse("portal_student")).content.decode()
    assert 'id="consent-banner"' in page
    assert reverse("portal_consent") in page
    assert "Ayse Demir" in page


def test_the_consent_page_lists_each_parent_with_two_labelled_switches(world, client):
    link = StudentGuardian.objects.get(student=world.adult)
    client.force_login(world.adult_user)

    page = client.get(reverse("portal_consent")).content.decode()

    assert "Ayse Demir" in page
    for name in (f"view_{link.pk}", f"contact_{link.pk}"):
        assert f'name="{name}"' in page
        assert f'for="id_{name}"' in page
        assert f'id="id_{name}"' in page
    assert page.count('role="switch"') == 2


def test_the_student_withdraws_and_gives_consent_through_the_page(world, client):
    link = StudentGuardian.objects.get(student=world.adult)
    client.force_login(world.adult_user)
    url = reverse("portal_consent")

    response = client.post(url, {f"view_{link.pk}": "on"})

    assert response.status_code == 302
    assert response.headers["Location"] == url
    link.refresh_from_db()
    assert link.adult_consent_view and not link.adult_consent_contact
    assert link.consent_changed_via == ConsentVia.PORTAL
    assert AuditEvent.objects.filter(action="consent", actor=world.adult_user).count() == 1

    client.post(url, {})
    link.refresh_from_db()
    assert not link.adult_consent_view and not link.adult_consent_contact
    assert AuditEvent.objects.filter(action="consent", actor=world.adult_user).count() == 2
    page = client.get(url).content.decode()
    assert 'id="consent-banner"' not in client.get(reverse("portal_student")).content.decode()
    assert "Last changed on 18 November 2026, 12:00 (by the student in the portal)." in page


def test_the_student_cannot_choose_for_someone_elses_parent(world, client):
    other = StudentGuardian.objects.get(student=world.child_a)
    client.force_login(world.adult_user)
    client.post(reverse("portal_consent"), {f"view_{other.pk}": "on",
                                            f"contact_{other.pk}": "on"})
    other.refresh_from_db()
    assert other.consent_changed_at is None
    assert not other.adult_consent_view
