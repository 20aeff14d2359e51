"""A new school starts with the default absence reasons; a new school year with three terms."""

from __future__ import annotations

import datetime as dt

from aanwezig.attendance.defaults import default_absence_reasons
from aanwezig.attendance.models import AbsenceReason
from aanwezig.schools.calendar import create_school_year
from aanwezig.schools.models import HolidayRegion, SchoolYear
from aanwezig.schools.services import create_school
from aanwezig.testing import factories as f


def test_a_new_school_gets_the_default_reasons(db):
    school = create_school(board=f.make_board(), name="Nieuw", brin="44DD", sector="vo",
                           holiday_region=HolidayRegion.MIDDEN, actor=None)
    codes = set(AbsenceReason.objects.filter(school=school).values_list("code", flat=True))
    assert codes == {r["code"] for r in default_absence_reasons()}
    sick = AbsenceReason.objects.get(school=school, code="ziek")
    assert (sick.excused, sick.category, "parent" in sick.settable_by) == (True, "sick", True)


def test_a_new_school_year_has_three_terms_split_at_christmas_and_may(db):
    year = create_school_year(f.make_school(holiday_region=HolidayRegion.MIDDEN), 2026)
    terms = [(t.name, t.start_date, t.end_date) for t in year.terms.order_by("start_date")]
    assert terms == [
        ("Periode 1", dt.date(2026, 8, 1), dt.date(2026, 12, 18)),
        ("Periode 2", dt.date(2026, 12, 19), dt.date(2027, 4, 23)),
        ("Periode 3", dt.date(2027, 4, 24), dt.date(2027, 7, 31)),
    ]


def test_without_known_breaks_the_year_is_cut_into_thirds(db):
    year = create_school_year(f.make_school(), 2031)  # no holidays shipped for 2031
    assert SchoolYear.objects.get(pk=year.pk).terms.count() == 3
    first, second, third = year.terms.order_by("start_date")
    assert first.start_date == year.start_date and third.end_date == year.end_date
    assert second.start_date == first.end_date + dt.timedelta(days=1)
    assert third.start_date == second.end_date + dt.timedelta(days=1)
