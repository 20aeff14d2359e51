"""An adult student's consent for their parents is recorded with the moment it changed
(the one consent service, also used by the admin, is ``portal.consent.set_consent``)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aanwezig.audit.models import AuditEvent
from aanwezig.portal.consent import Choice, set_consent
from aanwezig.roster.models import StudentGuardian

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_the_adult_student_gives_consent_and_it_is_recorded(world):
    link = StudentGuardian.objects.get(student=world.adult)
    set_consent(world.adult, {link.pk: Choice(view=True, contact=False)}, actor=world.adult_user)
    link.refresh_from_db()
    assert link.adult_consent_view and not link.adult_consent_contact
    assert link.consent_changed_at is not None
    event = AuditEvent.objects.get(action="consent", student=world.adult)
    assert event.actor == world.adult_user
    assert event.changes["adult_consent_view"] == [False, True]


def test_consent_is_refused_for_a_minor(world):
    link = StudentGuardian.objects.get(student=world.child_a)
    with pytest.raises(ValidationError, match="18 or older"):
        set_consent(world.child_a, {link.pk: Choice(view=True, contact=True)}, actor=None)
    link.refresh_from_db()
    assert link.consent_changed_at is None


def test_another_student_cannot_give_consent(world):
    link = StudentGuardian.objects.get(student=world.adult)
    with pytest.raises(PermissionDenied):
        set_consent(world.adult, {link.pk: Choice(view=True, contact=True)},
                    actor=world.parent_user)
