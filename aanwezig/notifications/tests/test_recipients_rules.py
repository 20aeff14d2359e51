"""Who hears about a student, in which language and through which channel."""

from __future__ import annotations

import datetime as dt

from aanwezig.notifications.models import InvalidContact
from aanwezig.notifications.services import recipients_for
from aanwezig.testing import factories as f
from conftest import TODAY


def _guardians(recipients):
    return {r.guardian for r in recipients if r.kind == "guardian"}


def test_both_separated_parents_with_authority_are_informed(world):
    father = f.make_guardian(world.board, given_name="Frank", last_name="Jansen",
                             language="tr", preferred_channel="sms")
    f.link_guardian(world.child_a, father, relation="father", lives_with_student=False)

    recipients = recipients_for(world.child_a, TODAY)

    assert _guardians(recipients) == {world.parent, father}
    by_guardian = {r.guardian: r for r in recipients}
    assert by_guardian[father].language == "tr"
    assert (by_guardian[father].channel, by_guardian[father].address) == ("sms", father.phone)


def test_parent_without_authority_is_left_out_unless_the_school_set_receives_messages(world):
    without = f.make_guardian(world.board, given_name="Kees")
    link = f.link_guardian(world.child_a, without, has_authority=False, receives_messages=False)
    assert _guardians(recipients_for(world.child_a, TODAY)) == {world.parent}

    link.receives_messages = True
    link.save()
    assert _guardians(recipients_for(world.child_a, TODAY)) == {world.parent, without}


def test_adult_student_without_consent_gets_the_message_instead_of_the_parents(world):
    world.adult_user.email = "yusuf.demir@example.test"
    world.adult_user.save()
    recipients = recipients_for(world.adult, TODAY)

    assert [r.kind for r in recipients] == ["student"]
    assert recipients[0].student == world.adult
    assert (recipients[0].channel, recipients[0].address) == ("email", "yusuf.demir@example.test")


def test_adult_student_without_email_is_reached_in_the_portal(world):
    world.adult_user.email = ""
    world.adult_user.save()
    recipients = recipients_for(world.adult, TODAY)
    assert [(r.kind, r.channel) for r in recipients] == [("student", "portal")]


def test_consent_to_contact_lets_the_parent_hear_too(world):
    link = world.adult.guardian_links.get()
    link.adult_consent_contact = True
    link.save()
    recipients = recipients_for(world.adult, TODAY)
    assert _guardians(recipients) == {world.adult_parent}
    assert "student" in {r.kind for r in recipients}


def test_the_rule_follows_the_18th_birthday(world):
    day_before = dt.date(2025, 3, 1)  # the adult persona turns 18 on 2 March 2025
    assert _guardians(recipients_for(world.adult, day_before)) == {world.adult_parent}
    assert _guardians(recipients_for(world.adult, dt.date(2025, 3, 2))) == set()


def test_invalid_email_falls_back_to_sms(world):
    InvalidContact.objects.create(school=world.school_a, guardian=world.parent, channel="email",
                                  address=world.parent.email, error="550 no such user",
                                  created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    (recipient,) = recipients_for(world.child_a, TODAY)
    assert (recipient.channel, recipient.address) == ("sms", world.parent.phone)


def test_a_new_email_address_is_tried_again(world):
    InvalidContact.objects.create(school=world.school_a, guardian=world.parent, channel="email",
                                  address="old@example.test", error="550",
                                  created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    (recipient,) = recipients_for(world.child_a, TODAY)
    assert (recipient.channel, recipient.address) == ("email", world.parent.email)


def test_without_email_and_phone_a_parent_with_a_login_gets_the_portal_else_a_letter(world):
    world.parent.email = ""
    world.parent.phone = ""
    world.parent.save()
    (recipient,) = recipients_for(world.child_a, TODAY)
    assert recipient.channel == "portal"

    world.parent.user = None
    world.parent.save()
    (recipient,) = recipients_for(world.child_a, TODAY)
    assert recipient.channel == "letter"


def test_parent_who_turned_messages_off_is_not_contacted(world):
    link = world.child_a.guardian_links.get()
    link.receives_messages = False
    link.save()
    assert recipients_for(world.child_a, TODAY) == []
