"""An adult student's consent for their parents is recorded with the moment it changed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.models import StudentGuardian
from aanwezig.roster.services import set_adult_consent

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_the_adult_student_gives_consent_and_it_is_recorded(world):
    link = StudentGuardian.objects.get(student=world.adult)
    set_adult_consent(link, view=True, contact=False, actor=world.adult_user)
    link.refresh_from_db()
    assert link.adult_consent_view and not link.adult_consent_contact
    assert link.consent_changed_at is not None
    event = AuditEvent.objects.get(action="consent", student=world.adult)
    assert event.actor == world.adult_user
    assert event.changes["adult_consent_view"] == [False, True]


def test_consent_is_refused_for_a_minor(world):
    link = StudentGuardian.objects.get(student=world.child_a)
    with pytest.raises(ValidationError, match="younger than 18"):
        set_adult_consent(link, view=True, contact=True, actor=None)
    link.refresh_from_db()
    assert link.consent_changed_at is None


def test_another_student_cannot_give_consent(world):
    link = StudentGuardian.objects.get(student=world.adult)
    with pytest.raises(PermissionDenied):
        set_adult_consent(link, view=True, contact=True, actor=world.parent_user)
