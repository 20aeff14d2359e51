"""Absence reasons for the personas' schools (the factories make schools without them)."""

from __future__ import annotations

import pytest

from aanwezig.attendance.defaults import create_default_absence_reasons


@pytest.fixture
def reasons(world):
    """The default reasons of school A, by code (school C gets them too)."""
    create_default_absence_reasons(world.school_c)
    return create_default_absence_reasons(world.school_a)


def code(mark) -> str | None:
    """The code of a mark's (or call's) reason, or None."""
    return mark.reason.code if mark.reason is not None else None
