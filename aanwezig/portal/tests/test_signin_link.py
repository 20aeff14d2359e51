"""Signing in by e-mail link: the e-mail, single use, 15 minutes, and the same answer for
every address."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from aanwezig.notifications.models import Message, MessageStatus, RecipientKind
from aanwezig.portal import signin
from aanwezig.portal.models import LoginToken, TokenPurpose
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
TEN = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=AMS)
LINK = re.compile(r"https?://[^\s/]+(/portaal/link/[\w-]+/)")


@pytest.fixture(autouse=True)
def _ten_o_clock():
    with time_machine.travel(TEN, tick=False):
        yield


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    """Read the pages in English (the source language), whatever the Dutch catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def petra(world):
    """Sam's parent, with the e-mail address the school registered, in English."""
    world.parent.email = "petra.jansen@example.test"
    world.parent.language = "en"
    world.parent.save()
    return world.parent


def ask_link(client, email, **extra):
    return client.post(reverse("portal_signin"), {"email": email}, **extra)


def link_in(text: str) -> str:
    match = LINK.search(text)
    assert match, text
    return match.group(1)


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_a_parent_gets_a_link_by_e_mail_that_signs_in_once(world, petra, inbox, client,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_link(client, "Petra.Jansen@example.test")
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("portal_signin_sent")

    (received,) = inbox.messages
    assert received["To"].addresses[0].addr_spec == "petra.jansen@example.test"
    assert received["Subject"] == "Your link to sign in"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Dear Petra Jansen" in text and "15 minutes and only once" in text
    path = link_in(text)
    assert f'<a href="http://testserver{path}">' in html

    # Only the hash is stored: the token is in the e-mail and nowhere in the database.
    token = path.rstrip("/").rsplit("/", 1)[-1]
    row = LoginToken.objects.get()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.user == world.parent_user and row.purpose == TokenPurpose.LOGIN
    assert row.expires_at == TEN + dt.timedelta(minutes=15)
    message = Message.objects.get(event="portal_login")
    assert message.status == MessageStatus.SENT and message.language == "en"
    assert message.recipient_kind == RecipientKind.GUARDIAN and message.guardian == petra

    # Opening the link (as a mail filter would) does not use it up.
    page = client.get(path)
    assert page.status_code == 200 and signed_in_user_id(client) is None
    assert "Petra" in page.content.decode()

    response = client.post(path)
    assert response.status_code == 302
    assert response.headers["Location"] == signin.portal_home_url()
    assert signed_in_user_id(client) == str(world.parent_user.pk)
    row.refresh_from_db()
    assert row.used_at == TEN
    # The outbox copy of the e-mail no longer holds the used link.
    assert token not in Message.objects.get(pk=message.pk).body_text

    client.post(reverse("logout"))
    again = client.post(path)
    assert again.status_code == 200 and signed_in_user_id(client) is None
    body = again.content.decode()
    assert "has been used already" in body and reverse("portal_signin") in body


def test_a_link_expires_after_15_minutes(world, petra, client):
    ask_link(client, petra.email)
    path = link_in(Message.objects.get().body_text)
    with time_machine.travel(TEN + dt.timedelta(minutes=15, seconds=1), tick=False):
        response = client.post(path)
        assert response.status_code == 200 and signed_in_user_id(client) is None
        assert "has expired" in response.content.decode()
        assert "has expired" in client.get(path).content.decode()
        ask_link(client, petra.email)
        fresh = link_in(Message.objects.latest("pk").body_text)
    with time_machine.travel(TEN + dt.timedelta(minutes=29), tick=False):
        assert client.post(fresh).status_code == 302
    assert signed_in_user_id(client) == str(world.parent_user.pk)


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(world, petra, client):
    known = ask_link(client, petra.email)
    unknown = ask_link(client, "niemand@example.test")
    staff = ask_link(client, world.teacher_a.username)  # staff sign in with their password
    assert known.status_code == unknown.status_code == staff.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == staff.headers["Location"]
    assert Message.objects.count() == 1 and LoginToken.objects.count() == 1
    page = client.get(unknown.headers["Location"]).content.decode()
    assert "If we know this address, a link to sign in is on its way." in page


def test_signing_in_with_a_link_uses_up_the_other_open_links(world, petra, client):
    ask_link(client, petra.email)
    ask_link(client, petra.email)
    first, second = (link_in(m.body_text) for m in Message.objects.order_by("pk"))
    assert client.post(second).status_code == 302
    client.post(reverse("logout"))
    assert client.post(first).status_code == 200
    assert signed_in_user_id(client) is None


def test_a_link_cannot_be_used_twice_even_at_the_same_moment(world, petra, client):
    ask_link(client, petra.email)
    token = link_in(Message.objects.get().body_text).rstrip("/").rsplit("/", 1)[-1]
    assert signin.use_link(token).user == world.parent_user
    with pytest.raises(signin.LinkNotValid) as error:
        signin.use_link(token)
    assert error.value.status == signin.LinkStatus.USED


def test_an_unknown_link_shows_a_friendly_page(client, db):
    response = client.post(reverse("portal_link", args=["geen-echte-link"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "We do not recognise this link" in body and reverse("portal_signin") in body


def test_an_adult_student_signs_in_by_link_and_is_addressed_as_a_student(world, client):
    world.adult_user.email = "yusuf@student.example.test"
    world.adult_user.save()
    ask_link(client, "yusuf@student.example.test")
    message = Message.objects.get()
    assert message.recipient_kind == RecipientKind.STUDENT and message.student == world.adult
    assert message.address == "yusuf@student.example.test"
    assert message.school == world.school_c
    assert message.body_text.startswith("Hoi Yusuf,")
    assert client.post(link_in(message.body_text)).status_code == 302
    assert signed_in_user_id(client) == str(world.adult_user.pk)


def test_a_login_that_became_staff_cannot_use_its_link(world, petra, client):
    from aanwezig.schools.models import Role, StaffRole

    ask_link(client, petra.email)
    StaffRole.objects.create(school=world.school_a, user=world.parent_user, role=Role.TEACHER)
    assert client.post(link_in(Message.objects.get().body_text)).status_code == 200
    assert signed_in_user_id(client) is None


def test_the_login_page_points_parents_to_the_e_mail_link(client, db):
    body = client.get(reverse("login")).content.decode()
    assert reverse("portal_signin") in body
