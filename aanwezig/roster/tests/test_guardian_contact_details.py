"""Guardians: phone numbers are checked and stored as E.164; links stay inside one board."""

import pytest
from django.core.exceptions import ValidationError

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.models import Guardian, StudentGuardian
from aanwezig.roster.services import create_guardian, link_guardian, update_guardian
from aanwezig.testing import factories as f

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_an_invalid_phone_number_is_refused_with_a_clear_message(world):
    count = Guardian.objects.count()
    with pytest.raises(ValidationError) as info:
        create_guardian(world.board, last_name="Peters", phone="06 123", actor=world.admin_a)
    assert info.value.message_dict["phone"] == [
        "“06 123” is not a valid phone number. Use for example 06 12345678 or +31 6 12345678."
    ]
    assert Guardian.objects.count() == count


def test_a_phone_number_is_stored_as_e164(world):
    guardian = create_guardian(world.board, last_name="Peters", phone="06 1234 5678",
                               email="peters@example.nl", actor=world.admin_a)
    assert Guardian.objects.get(pk=guardian.pk).phone == "+31612345678"
    assert AuditEvent.objects.get(action="create", object_type="roster.Guardian",
                                  object_id=str(guardian.pk)).actor == world.admin_a


def test_an_invalid_email_address_is_refused(world):
    with pytest.raises(ValidationError) as info:
        update_guardian(world.parent, email="petra@", actor=world.officer_a)
    assert "“petra@” is not an e-mail address" in info.value.message_dict["email"][0]
    assert Guardian.objects.get(pk=world.parent.pk).email != "petra@"


def test_a_guardian_of_another_board_cannot_be_linked(world):
    stranger = f.make_guardian(world.school_b.board)
    with pytest.raises(ValidationError, match="belongs to another school board"):
        link_guardian(world.child_a, stranger, relation="parent", actor=None)
    assert not StudentGuardian.objects.filter(guardian=stranger).exists()


def test_linking_is_audited_against_the_student(world):
    guardian = f.make_guardian(world.board)
    link = link_guardian(world.classmate_a, guardian, relation="mother", actor=world.officer_a)
    event = AuditEvent.objects.get(object_type="roster.StudentGuardian", object_id=str(link.pk))
    assert event.student == world.classmate_a
    with pytest.raises(ValidationError, match="already linked"):
        link_guardian(world.classmate_a, guardian, relation="mother", actor=None)
