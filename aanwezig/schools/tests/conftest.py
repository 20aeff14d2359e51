"""``fixed_day_in_english``: run a test on a fixed day and in English, so that messages can be
read back. Modules opt in with ``pytestmark``."""

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from conftest import TODAY


@pytest.fixture
def fixed_day_in_english():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False), \
            translation.override("en"):
        yield
