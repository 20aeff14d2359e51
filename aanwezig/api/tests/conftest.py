import datetime as dt

import pytest
import time_machine

from aanwezig.api.services import create_token
from aanwezig.attendance.defaults import create_default_absence_reasons
from conftest import TODAY


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False):
        yield TODAY


@pytest.fixture
def reasons(world):
    return create_default_absence_reasons(world.school_a)


@pytest.fixture
def tokens(world, reasons):
    """Raw tokens of school A: read only, read+write; and one of school B (read+write)."""
    _t, read = create_token(world.school_a, name="Lezer", scopes="read", actor=world.admin_a)
    _t, write = create_token(world.school_a, name="Rooster", scopes="read,write",
                             actor=world.admin_a)
    _t, other = create_token(world.school_b, name="Ander", scopes="read,write", actor=None)
    return {"read": read, "write": write, "other": other}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
