"""Portal accounts and invitations: one account per parent or student, an invitation through
the message pipeline (7 days, once), consent of adult students, the command and the button."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from aanwezig import access
from aanwezig.accounts.models import User
from aanwezig.audit.models import AuditEvent
from aanwezig.notifications import texts
from aanwezig.notifications.models import Message, RecipientKind
from aanwezig.portal import signin
from aanwezig.portal.models import LoginToken, TokenPurpose
from aanwezig.roster.models import Guardian
from aanwezig.testing import factories as f
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
TEN = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=AMS)
LINK = re.compile(r"https?://[^\s/]+(/portaal/link/[\w-]+/)")


@pytest.fixture(autouse=True)
def _ten_o_clock():
    with time_machine.travel(TEN, tick=False):
        yield


@pytest.fixture
def noor_parent(world):
    """Noor's father: an e-mail address, Turkish, no account yet."""
    guardian = f.make_guardian(world.board, given_name="Kemal", last_name="Bakker",
                               email="kemal.bakker@example.test", language="tr")
    f.link_guardian(world.classmate_a, guardian)
    return guardian


def link_in(text: str) -> str:
    match = LINK.search(text)
    assert match, text
    return match.group(1)


def test_an_invitation_creates_one_account_and_sends_a_link_valid_for_7_days(world, noor_parent,
                                                                            client):
    result = signin.invite(noor_parent, actor=world.officer_a, base_url="https://portaal.test")

    assert result.status == signin.InviteStatus.INVITED and result.created
    user = User.objects.get(username="kemal.bakker@example.test")
    assert result.user == user and user.email == "kemal.bakker@example.test"
    assert not user.has_usable_password() and user.language == "tr"
    assert (user.first_name, user.last_name) == ("Kemal", "Bakker")
    noor_parent.refresh_from_db()
    assert noor_parent.user == user

    message = Message.objects.get()
    assert message.event == "portal_invite" and message.channel == "email"
    assert message.address == "kemal.bakker@example.test" and message.language == "tr"
    assert message.recipient_kind == RecipientKind.GUARDIAN and message.school == world.school_a
    assert message.subject == "Het Testcollege veli portalına hoş geldiniz"
    assert "https://portaal.test/portaal/link/" in message.body_text
    token = LoginToken.objects.get(user=user)
    assert token.purpose == TokenPurpose.INVITE
    assert token.expires_at == TEN + dt.timedelta(days=7)
    event = AuditEvent.objects.get(action="portal_invite")
    assert event.actor == world.officer_a and event.object_id == str(noor_parent.pk)
    assert event.changes["account_created"] is True

    path = link_in(message.body_text)
    with time_machine.travel(TEN + dt.timedelta(days=6, hours=23), tick=False):
        assert client.post(path).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert [link.student for link in access.children_for_user(user)] == [world.classmate_a]


def test_inviting_again_creates_nothing_and_sends_nothing(world, noor_parent):
    first = signin.invite(noor_parent, actor=None)
    again = signin.invite(noor_parent, actor=None)
    assert again.status == signin.InviteStatus.OPEN and not again.created
    assert again.user == first.user
    assert User.objects.filter(username=noor_parent.email).count() == 1
    assert Message.objects.count() == 1 and LoginToken.objects.count() == 1

    # Expired and never used: a new invitation for the same account.
    with time_machine.travel(TEN + dt.timedelta(days=7, minutes=1), tick=False):
        later = signin.invite(noor_parent, actor=None)
    assert later.status == signin.InviteStatus.INVITED and later.user == first.user
    assert Message.objects.count() == 2

    # Once the account was used, there is nothing left to invite.
    first.user.last_login = TEN
    first.user.save()
    assert signin.invite(noor_parent, actor=None).status == signin.InviteStatus.ACTIVE
    assert Message.objects.count() == 2


def test_an_invitation_expires_after_7_days(world, noor_parent, client):
    signin.invite(noor_parent, actor=None)
    path = link_in(Message.objects.get().body_text)
    with time_machine.travel(TEN + dt.timedelta(days=7, seconds=1), tick=False):
        assert client.post(path).status_code == 200
    assert "_auth_user_id" not in client.session


def test_one_account_sees_the_children_at_every_school_of_the_board(world, noor_parent):
    at_c = f.make_student(world.school_c, world.c1, given_name="Elif", last_name="Bakker")
    f.link_guardian(at_c, noor_parent)
    user = signin.invite(noor_parent, actor=None).user
    assert {link.student for link in access.children_for_user(user)} == {world.classmate_a, at_c}
    assert User.objects.filter(guardian=noor_parent).count() == 1


def test_an_adult_students_parent_is_invited_only_with_consent_to_contact(world):
    parent = Guardian.objects.get(pk=world.adult_parent.pk)
    parent.user = None
    parent.save()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        signin.invite(parent, actor=None)
    assert "18 or older and has not agreed" in " ".join(error.value.messages)
    assert not Message.objects.exists()

    link = world.adult.guardian_links.get(guardian=parent)
    link.adult_consent_contact = True
    link.save()
    assert signin.invite(parent, actor=None).status == signin.InviteStatus.INVITED


def test_no_e_mail_address_is_refused_with_a_clear_dutch_message(world):
    guardian = f.make_guardian(world.board, given_name="Anna", last_name="Kok", email="")
    f.link_guardian(world.classmate_a, guardian)
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        signin.invite(guardian, actor=None)
    with translation.override("nl"):
        expected = gettext("%(name)s has no e-mail address. Add one first, then send the "
                           "invitation.") % {"name": "Anna Kok"}
    assert " ".join(error.value.messages) == expected
    assert User.objects.filter(first_name="Anna").count() == 0
    assert not Message.objects.exists()


def test_an_address_of_someone_elses_account_or_of_staff_is_refused(world, noor_parent):
    noor_parent.email = world.parent_user.username  # Petra's login
    noor_parent.save()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        signin.invite(noor_parent, actor=None)
    assert "already belongs to the account of someone else" in " ".join(error.value.messages)

    noor_parent.email = world.teacher_a.username
    noor_parent.save()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        signin.invite(noor_parent, actor=None)
    assert "belongs to a staff login" in " ".join(error.value.messages)
    noor_parent.refresh_from_db()
    assert noor_parent.user is None and not Message.objects.exists()


def test_only_school_wide_roles_of_the_school_invite(world, noor_parent):
    for actor in (world.teacher_a, world.mentor_a, world.teacher_b, world.parent_user):
        with pytest.raises(PermissionDenied):
            signin.invite(noor_parent, actor=actor)
    assert not Message.objects.exists()
    assert signin.invite(noor_parent, actor=world.admin_a).status == signin.InviteStatus.INVITED


def test_a_student_with_a_login_is_invited_at_their_own_address(world):
    world.adult_user.email = "yusuf@student.example.test"
    world.adult_user.save()
    result = signin.invite(world.adult, actor=None)
    assert result.status == signin.InviteStatus.INVITED and not result.created
    message = Message.objects.get()
    assert message.recipient_kind == RecipientKind.STUDENT
    assert message.address == "yusuf@student.example.test"
    assert message.subject == "Welkom in het portaal van Test mbo"
    assert message.body_text.startswith("Hoi Yusuf,")


def test_a_student_without_a_login_gets_one_with_the_given_address(world):
    result = signin.invite(world.other_a, actor=None, email="daan@student.example.test")
    assert result.created and result.user.username == "daan@student.example.test"
    world.other_a.refresh_from_db()
    assert world.other_a.user == result.user


def test_the_command_invites_a_schools_parents_once(world, noor_parent):
    unreachable = f.make_guardian(world.board, given_name="Zonder", last_name="Mail", email="")
    f.link_guardian(world.classmate_a, unreachable)
    out = StringIO()
    with translation.override("en"):
        call_command("invite_portal", "--school", "11AA", "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert "1 invited, 1 already have an account, 1 without e-mail address" in out.getvalue()
    assert not Message.objects.exists() and not LoginToken.objects.exists()
    noor_parent.refresh_from_db()
    assert noor_parent.user is None

    out = StringIO()
    with translation.override("en"):
        call_command("invite_portal", "--school", "11AA", stdout=out)
    assert "1 invited, 1 already have an account, 1 without e-mail address" in out.getvalue()
    message = Message.objects.get()
    assert message.guardian == noor_parent
    assert f"{settings.SITE_URL}/portaal/link/" in message.body_text

    out = StringIO()
    with translation.override("en"):
        call_command("invite_portal", "--school", "11AA", stdout=out)
    assert "0 invited, 2 already have an account" in out.getvalue()
    assert Message.objects.count() == 1


def test_the_command_leaves_out_an_adult_students_parent_without_consent(world):
    parent = world.adult_parent
    parent.user = None
    parent.save()
    out = StringIO()
    with translation.override("en"):
        call_command("invite_portal", "--school", "33CC", stdout=out)
    assert "0 invited" in out.getvalue() and "1 may not be contacted" in out.getvalue()
    assert not Message.objects.exists()


def test_the_button_on_the_student_page_invites_the_parents(world, noor_parent, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("portal_invite_family", args=[world.school_a.pk, world.classmate_a.pk])
    student_page = reverse("student", args=[world.school_a.pk, world.classmate_a.pk])

    client.force_login(world.teacher_a)
    assert url not in client.get(student_page).content.decode()
    assert client.post(url).status_code == 404
    assert not Message.objects.exists()

    client.force_login(world.officer_a)
    assert url in client.get(student_page).content.decode()
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(student_page, 302)]
    assert "1 parent is invited to the portal." in response.content.decode()
    assert Message.objects.get().guardian == noor_parent


@pytest.mark.parametrize("event", [signin.EVENT_LOGIN, signin.EVENT_INVITE])
@pytest.mark.parametrize("language", texts.LANGUAGES)
@pytest.mark.parametrize("audience", [texts.PARENT, texts.STUDENT])
def test_the_texts_render_in_every_language_without_leftover_placeholders(world, event, language,
                                                                          audience):
    context = {**texts.school_context(world.school_a, language), "naam": "Petra Jansen",
               "link": "https://portaal.test/portaal/link/abc/", "minuten": 15, "dagen": 7}
    subject, text, html = texts.render_message(event, language, context, world.school_a,
                                               audience=audience)
    assert subject and "https://portaal.test/portaal/link/abc/" in text
    for part in (subject, text, html):
        assert not texts.PLACEHOLDER.search(part), part
    assert ("15" if event == signin.EVENT_LOGIN else "7") in text
    assert ('dir="rtl"' in html) == (language == "ar")
