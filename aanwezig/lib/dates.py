"""Date helpers: ages, weeks and working days.

Every "is this student an adult on day D" question in the product goes through
:func:`is_adult_on`, so that consent rules change on the 18th birthday itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache

ADULT_AGE = 18


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Return the age in whole years on ``day`` (a 29 February birthday counts on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_adult_on(birth_date: dt.date, day: dt.date) -> bool:
    """Return True when someone born on ``birth_date`` is 18 or older on ``day``."""
    return age_on(birth_date, day) >= ADULT_AGE


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def daterange(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Yield every date from ``start`` through ``end`` inclusive."""
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[dt.date]:
    import holidays

    return frozenset(holidays.country_holidays("NL", years=[year]).keys())


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, national public holidays excluded."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """Return the date ``count`` working days after ``day``."""
    result = day
    remaining = count
    while remaining > 0:
        result += dt.timedelta(days=1)
        if is_working_day(result):
            remaining -= 1
    return result
