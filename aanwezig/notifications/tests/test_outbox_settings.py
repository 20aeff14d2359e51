"""A school's message settings: defaults, validation, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aanwezig.audit.models import AuditEvent
from aanwezig.notifications.config import Settings, save_settings, settings_for
from aanwezig.notifications.models import NotificationSettings


def test_a_school_without_settings_gets_the_defaults(world):
    config = settings_for(world.school_a)
    assert config == Settings()
    assert (config.grace_minutes, config.weekly_cap, config.absence_call_task) == (30, 3, True)
    assert (config.quiet_start, config.quiet_end) == (dt.time(21), dt.time(7, 30))


def test_saving_merges_validates_and_audits(world):
    save_settings(world.school_a, {"weekly_cap": 2, "quiet_start": "20:00"}, actor=world.admin_a)
    save_settings(world.school_a, {"grace_minutes": 45}, actor=world.admin_a)
    config = settings_for(world.school_a)
    assert (config.weekly_cap, config.quiet_start, config.grace_minutes) == (2, dt.time(20), 45)
    assert settings_for(world.school_b) == Settings()
    assert AuditEvent.objects.filter(object_type="notifications.NotificationSettings").count() == 2

    with pytest.raises(ValidationError) as exc:
        save_settings(world.school_a, {"weekly_cap": -1, "colour": "red"}, actor=world.admin_a)
    assert {"weekly_cap", "colour"} <= set(exc.value.error_dict)
    assert settings_for(world.school_a).weekly_cap == 2


def test_stored_nonsense_falls_back_to_the_defaults(world):
    NotificationSettings.objects.create(school=world.school_a, data={"weekly_cap": "many"})
    assert settings_for(world.school_a) == Settings()


def test_quiet_hours_may_run_past_midnight_or_not():
    evening = Settings()
    assert evening.in_quiet_hours(dt.time(23)) and evening.in_quiet_hours(dt.time(7, 29))
    assert not evening.in_quiet_hours(dt.time(7, 30)) and not evening.in_quiet_hours(dt.time(12))
    afternoon = Settings(quiet_start=dt.time(13), quiet_end=dt.time(14))
    assert afternoon.in_quiet_hours(dt.time(13, 30)) and not afternoon.in_quiet_hours(dt.time(23))
