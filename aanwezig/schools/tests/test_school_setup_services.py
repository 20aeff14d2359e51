"""Creating a school and changing its settings and staff roles."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aanwezig import access
from aanwezig.audit.models import AuditEvent
from aanwezig.schools.models import Role, School, StaffRole
from aanwezig.schools.services import (
    create_school,
    grant_role,
    revoke_role,
    update_school_settings,
)
from aanwezig.testing import factories as f

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def new_school(board, brin, **kw):
    return create_school(board=board, name="Nieuwe School", brin=brin, sector="po",
                         holiday_region="zuid", actor=None, **kw)


@pytest.mark.parametrize("brin", ["1A23", "AB12", "12ABC", "12-A", ""])
def test_an_invalid_brin_is_refused(db, brin):
    board = f.make_board()
    with pytest.raises(ValidationError) as info:
        new_school(board, brin)
    assert "brin" in info.value.message_dict
    assert not School.objects.exists()


def test_a_brin_is_uppercased_and_the_creation_audited(db):
    school = new_school(f.make_board(), " 12ab ")
    assert school.brin == "12AB"
    assert AuditEvent.objects.get(object_type="schools.School").changes["brin"] == "12AB"


def test_the_same_brin_and_vestiging_twice_is_refused(db):
    board = f.make_board()
    new_school(board, "12AB")
    with pytest.raises(ValidationError):
        new_school(board, "12AB")
    new_school(board, "12AB", vestiging="01")
    assert School.objects.count() == 2


def test_only_superusers_create_schools(world):
    with pytest.raises(PermissionDenied):
        create_school(board=world.board, name="X", brin="44DD", sector="vo",
                      holiday_region="noord", actor=world.admin_a)


def test_settings_change_is_audited_with_the_diff(world):
    update_school_settings(world.school_a, hour_unit="klokuur", default_lesson_minutes=45,
                           actor=world.admin_a)
    event = AuditEvent.objects.get(object_type="schools.School", action="update")
    assert event.changes == {"hour_unit": ["lesuur", "klokuur"],
                             "default_lesson_minutes": [50, 45]}
    assert event.actor == world.admin_a


def test_bad_settings_are_refused(world):
    with pytest.raises(ValidationError) as info:
        update_school_settings(world.school_a, timezone="Mars/Olympus",
                               default_lesson_minutes=500, actor=None)
    assert info.value.message_dict == {
        "timezone": ["Unknown time zone: Mars/Olympus"],
        "default_lesson_minutes": ["A lesson lasts between 10 and 240 minutes."],
    }
    assert School.objects.get(pk=world.school_a.pk).timezone == "Europe/Amsterdam"


def test_a_teacher_cannot_change_school_settings(world):
    with pytest.raises(PermissionDenied):
        update_school_settings(world.school_a, hour_unit="klokuur", actor=world.teacher_a)
    with pytest.raises(PermissionDenied):
        update_school_settings(world.school_a, hour_unit="klokuur", actor=world.teacher_b)


def test_roles_are_granted_and_revoked_by_an_administrator(world):
    grant_role(world.school_a, world.teacher_a, Role.MENTOR, actor=world.admin_a)
    assert Role.MENTOR in access.roles_at(world.teacher_a, world.school_a)
    with pytest.raises(ValidationError, match="already is mentor"):
        grant_role(world.school_a, world.teacher_a, Role.MENTOR, actor=world.admin_a)
    with pytest.raises(PermissionDenied):
        grant_role(world.school_a, world.teacher_b, Role.ADMINISTRATOR, actor=world.teacher_a)
    revoke_role(world.school_a, world.teacher_a, Role.MENTOR, actor=world.admin_a)
    assert not StaffRole.objects.filter(user=world.teacher_a, role=Role.MENTOR).exists()
    assert list(AuditEvent.objects.filter(object_type="schools.StaffRole")
                .order_by("pk").values_list("action", flat=True)) == ["create", "delete"]


def test_the_last_administrator_stays(world):
    with pytest.raises(ValidationError, match="needs at least one administrator"):
        revoke_role(world.school_a, world.admin_a, Role.ADMINISTRATOR, actor=world.admin_a)


def test_the_lateness_limit_is_a_school_setting_with_a_sensible_range(world):
    update_school_settings(world.school_a, late_absent_after_minutes=15, actor=world.admin_a)
    world.school_a.refresh_from_db()
    assert world.school_a.late_absent_after_minutes == 15
    from django.utils import translation

    with translation.override("nl"), pytest.raises(ValidationError) as error:
        update_school_settings(world.school_a, late_absent_after_minutes=500, actor=world.admin_a)
    assert "tussen 0 en 240" in " ".join(error.value.messages)
    world.school_a.refresh_from_db()
    assert world.school_a.late_absent_after_minutes == 15
