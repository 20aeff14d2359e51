"""School years arrive with the advised holidays of the region and the public holidays;
the calendar counts school days and school weeks from them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aanwezig.audit.models import AuditEvent
from aanwezig.schools.calendar import Calendar, create_school_year
from aanwezig.schools.models import DayOff, DayOffKind, HolidayRegion
from aanwezig.schools.services import add_day_off
from aanwezig.testing import factories as f

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


@pytest.fixture
def year(db):
    school = f.make_school(holiday_region=HolidayRegion.MIDDEN)
    return create_school_year(school, 2026)


def off(year, kind, name):
    return DayOff.objects.get(school_year=year, kind=kind, name=name)


def test_region_midden_gets_its_advised_holidays(year):
    autumn = off(year, DayOffKind.HOLIDAY, "Herfstvakantie")
    assert (autumn.start_date, autumn.end_date) == (dt.date(2026, 10, 17), dt.date(2026, 10, 25))
    may = off(year, DayOffKind.HOLIDAY, "Meivakantie")
    assert may.start_date <= dt.date(2027, 4, 27) <= may.end_date  # King's Day falls in it
    assert year.days_off.filter(kind=DayOffKind.HOLIDAY).count() == 6
    assert AuditEvent.objects.filter(action="create", object_type="schools.SchoolYear").exists()


def test_public_holidays_are_loaded(year):
    public = {d.start_date: d.name for d in year.days_off.filter(kind=DayOffKind.PUBLIC_HOLIDAY)}
    assert public[dt.date(2027, 4, 27)] == "Koningsdag"
    assert public[dt.date(2027, 5, 6)] == "Hemelvaartsdag"
    assert public[dt.date(2026, 12, 25)] == "Eerste Kerstdag"
    assert all(day.weekday() < 5 for day in public)


def test_region_noord_has_another_autumn_break(db):
    year = create_school_year(f.make_school(holiday_region=HolidayRegion.NOORD), 2026)
    autumn = off(year, DayOffKind.HOLIDAY, "Herfstvakantie")
    assert autumn.start_date == dt.date(2026, 10, 10)


def test_an_existing_year_is_refused(year):
    with pytest.raises(ValidationError, match="already exists"):
        create_school_year(year.school, 2026)


def test_school_days_skip_weekends_holidays_closure_and_study_days(year):
    add_day_off(year, kind=DayOffKind.STUDY_DAY, name="Studiedag",
                start_date=dt.date(2026, 11, 19), actor=None)
    add_day_off(year, kind=DayOffKind.CLOSURE, name="Sluitingsdag",
                start_date=dt.date(2026, 11, 20), actor=None)
    days = Calendar(year.school, dt.date(2026, 10, 12), dt.date(2026, 11, 22)).school_days()
    assert dt.date(2026, 10, 16) in days  # Friday before the autumn break
    assert not any(dt.date(2026, 10, 17) <= d <= dt.date(2026, 10, 25) for d in days)
    assert dt.date(2026, 10, 26) in days
    assert dt.date(2026, 11, 18) in days
    assert dt.date(2026, 11, 19) not in days and dt.date(2026, 11, 20) not in days
    assert all(d.weekday() < 5 for d in days)
    assert len(days) == 5 + 4 * 5 - 2  # six weeks, one of them a holiday, two days off


def test_school_days_exclude_public_holidays(year):
    cal = Calendar(year.school, dt.date(2027, 5, 3), dt.date(2027, 5, 9))
    assert not cal.is_school_day(dt.date(2027, 5, 6))  # Ascension Day
    assert cal.is_school_day(dt.date(2027, 5, 7))


def test_school_weeks_skip_holiday_weeks(year):
    weeks = Calendar(year.school, dt.date(2026, 12, 7), dt.date(2027, 1, 17)).school_weeks()
    assert weeks == [
        dt.date(2026, 12, 7), dt.date(2026, 12, 14), dt.date(2027, 1, 4), dt.date(2027, 1, 11)
    ]


def test_no_school_days_outside_the_school_year(year):
    assert Calendar(year.school, dt.date(2027, 8, 2), dt.date(2027, 8, 6)).school_days() == []
