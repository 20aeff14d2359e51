"""Closure and study days: inside the school year, never twice on the same day."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aanwezig.audit.models import AuditEvent
from aanwezig.schools.models import DayOff, DayOffKind
from aanwezig.schools.services import add_day_off, remove_day_off, update_day_off

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_a_day_off_outside_the_school_year_is_refused(world):
    with pytest.raises(ValidationError) as info:
        add_day_off(world.year_a, kind=DayOffKind.STUDY_DAY, name="Studiedag",
                    start_date=dt.date(2027, 7, 30), end_date=dt.date(2027, 8, 2), actor=None)
    assert info.value.messages == [
        "These days fall outside school year 2026-2027 (01-08-2026 to 31-07-2027)."
    ]
    assert not DayOff.objects.filter(name="Studiedag").exists()


def test_an_overlapping_day_off_of_the_same_kind_is_refused(world):
    add_day_off(world.year_a, kind=DayOffKind.STUDY_DAY, name="Studiedag 1",
                start_date=dt.date(2026, 11, 19), end_date=dt.date(2026, 11, 20), actor=None)
    with pytest.raises(ValidationError, match="overlap Studiedag 1"):
        add_day_off(world.year_a, kind=DayOffKind.STUDY_DAY, name="Studiedag 2",
                    start_date=dt.date(2026, 11, 20), actor=None)
    # A closure day on the same date is another kind and is allowed.
    add_day_off(world.year_a, kind=DayOffKind.CLOSURE, name="Sluiting",
                start_date=dt.date(2026, 11, 20), actor=None)


def test_changes_are_audited_and_need_an_administrator(world):
    day = add_day_off(world.year_a, kind=DayOffKind.CLOSURE, name="Sluiting",
                      start_date=dt.date(2026, 12, 7), actor=world.admin_a)
    update_day_off(day, name="Sluitingsdag", actor=world.admin_a)
    with pytest.raises(PermissionDenied):
        remove_day_off(day, actor=world.teacher_a)
    with pytest.raises(PermissionDenied):
        add_day_off(world.year_a, kind=DayOffKind.CLOSURE, name="X",
                    start_date=dt.date(2026, 12, 8), actor=world.teacher_b)
    remove_day_off(day, actor=world.admin_a)
    actions = list(AuditEvent.objects.filter(object_type="schools.DayOff")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]
    assert AuditEvent.objects.filter(object_type="schools.DayOff", action="update").get().changes \
        == {"name": ["Sluiting", "Sluitingsdag"]}
