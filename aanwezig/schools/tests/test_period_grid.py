"""The period grid: periods of one day never overlap; periods in use are kept."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aanwezig.audit.models import AuditEvent
from aanwezig.schools.models import Period
from aanwezig.schools.services import set_period_grid

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")

T = dt.time


def test_overlapping_periods_are_refused_and_nothing_changes(world):
    grid = [(1, T(8, 30), T(9, 20)), (2, T(9, 10), T(10, 0))]
    with pytest.raises(ValidationError) as info:
        set_period_grid(world.school_a, {2: grid}, actor=world.admin_a)
    assert info.value.messages == [
        "On Wednesday period 1 (08:30–09:20) overlaps period 2 (09:10–10:00)."
    ]
    assert world.school_a.periods.filter(weekday=2).count() == 4


def test_a_new_grid_keeps_the_periods_by_number_and_is_audited(world):
    kept = world.school_a.periods.get(weekday=4, number=1)
    grid = [(1, T(8, 15), T(9, 0)), (2, T(9, 0), T(9, 45), "2e uur")]
    set_period_grid(world.school_a, {4: grid}, actor=world.admin_a)
    friday = list(world.school_a.periods.filter(weekday=4).order_by("number"))
    assert [p.number for p in friday] == [1, 2]
    assert friday[0].pk == kept.pk and friday[0].start_time == T(8, 15)
    event = AuditEvent.objects.get(action="set_period_grid")
    assert event.changes["after"] == {"1": ["08:15", "09:00"], "2": ["09:00", "09:45"]}


def test_a_period_in_use_cannot_be_removed(world):
    # Monday period 1 is in 1A's timetable.
    with pytest.raises(ValidationError, match="Period 1 on Monday is still used"):
        set_period_grid(world.school_a, {0: [(2, T(9, 20), T(10, 10))]}, actor=None)
    assert Period.objects.filter(school=world.school_a, weekday=0).count() == 4
