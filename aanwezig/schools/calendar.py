"""The school calendar: default holidays, school days and school weeks.

A *school day* is a Monday to Friday inside the school year that is not inside
any DayOff of the school. A *school week* is a calendar week (Monday to Sunday)
with at least one school day; weeks without school days (holidays) are skipped
when counting weeks, as the law does for "4 consecutive school weeks".
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aanwezig.audit.services import record_change
from aanwezig.lib.dates import daterange, monday_of
from aanwezig.schools.models import DayOff, DayOffKind, School, SchoolYear, Term

DATA_FILE = Path(__file__).parent / "data" / "school_holidays.json"

#: Dutch names of the national public holidays on which schools are closed.
PUBLIC_HOLIDAY_NAMES = {
    "New Year's Day": "Nieuwjaarsdag",
    "Good Friday": "Goede Vrijdag",
    "Easter Monday": "Tweede Paasdag",
    "King's Day": "Koningsdag",
    "Liberation Day": "Bevrijdingsdag",
    "Ascension Day": "Hemelvaartsdag",
    "Pentecost Monday": "Tweede Pinksterdag",
    "Christmas Day": "Eerste Kerstdag",
    "Second Day of Christmas": "Tweede Kerstdag",
}


@cache
def default_holidays() -> dict[str, Any]:
    """The shipped advised school holidays per school year and region."""
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def school_year_name(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


def default_school_year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    return dt.date(start_year, 8, 1), dt.date(start_year + 1, 7, 31)


def _public_holidays_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    import holidays

    found = holidays.country_holidays("NL", years=range(start.year, end.year + 1), language="en_US")
    days = []
    for day, name in sorted(found.items()):
        if start <= day <= end and day.weekday() < 5:
            days.append((day, PUBLIC_HOLIDAY_NAMES.get(name, name)))
    return days


@transaction.atomic
def create_school_year(school: School, start_year: int, *, actor: Any = None) -> SchoolYear:
    """Create a school year with the region's advised holidays and the public holidays.

    Raises ValidationError when the year already exists. Years without shipped
    defaults get public holidays only; the school enters its holidays itself.
    """
    start, end = default_school_year_bounds(start_year)
    if SchoolYear.objects.filter(school=school, start_date=start).exists():
        raise ValidationError(
            _("School year %(name)s already exists for %(school)s."),
            params={"name": school_year_name(start_year), "school": school.name},
        )
    year = SchoolYear.objects.create(
        school=school, name=school_year_name(start_year), start_date=start, end_date=end
    )
    rows = []
    regional = default_holidays()["years"].get(year.name, {}).get(school.holiday_region, [])
    for item in regional:
        rows.append(
            DayOff(
                school=school,
                school_year=year,
                kind=DayOffKind.HOLIDAY,
                name=item["name"],
                start_date=dt.date.fromisoformat(item["start"]),
                end_date=dt.date.fromisoformat(item["end"]),
            )
        )
    for day, name in _public_holidays_between(start, end):
        rows.append(
            DayOff(
                school=school,
                school_year=year,
                kind=DayOffKind.PUBLIC_HOLIDAY,
                name=name,
                start_date=day,
                end_date=day,
            )
        )
    DayOff.objects.bulk_create(rows)
    terms = Term.objects.bulk_create(default_terms(year, rows))
    record_change(actor=actor, action="create", obj=year,
                  changes={"days_off": len(rows), "terms": len(terms)})
    return year


def _break_start(days_off: list[DayOff], *names: str) -> dt.date | None:
    for day_off in days_off:
        if day_off.kind == DayOffKind.HOLIDAY and day_off.name.lower() in names:
            return day_off.start_date
    return None


def default_terms(year: SchoolYear, days_off: list[DayOff]) -> list[Term]:
    """Return three unsaved terms (periodes) covering ``year`` without gaps.

    Term 1 runs from the first day to the day before the Christmas break, term 2
    to the day before the May break, term 3 to the last day. Without both breaks
    (a year without shipped holidays) the year is cut into thirds.
    """
    christmas = _break_start(days_off, "kerstvakantie")
    may = _break_start(days_off, "meivakantie")
    if christmas and may and year.start_date < christmas < may <= year.end_date:
        cuts = [christmas, may]
    else:
        third = (year.end_date - year.start_date).days // 3
        cuts = [year.start_date + dt.timedelta(days=third),
                year.start_date + dt.timedelta(days=2 * third)]
    starts = [year.start_date, *cuts]
    ends = [cut - dt.timedelta(days=1) for cut in cuts] + [year.end_date]
    return [
        Term(school_id=year.school_id, school_year=year, name=f"Periode {number}",
             start_date=start, end_date=end)
        for number, (start, end) in enumerate(zip(starts, ends, strict=True), start=1)
    ]


def school_year_on(school: School, day: dt.date) -> SchoolYear | None:
    return SchoolYear.objects.filter(school=school, start_date__lte=day, end_date__gte=day).first()


class Calendar:
    """School days of one school between two dates, computed once and queried in memory."""

    def __init__(self, school: School, start: dt.date, end: dt.date) -> None:
        self.school = school
        self.start = start
        self.end = end
        years = list(
            SchoolYear.objects.filter(school=school, start_date__lte=end, end_date__gte=start)
        )
        off: set[dt.date] = set()
        for day_off in DayOff.objects.filter(
            school=school, start_date__lte=end, end_date__gte=start
        ):
            off.update(daterange(day_off.start_date, day_off.end_date))
        self._days: list[dt.date] = [
            day
            for day in daterange(start, end)
            if day.weekday() < 5
            and day not in off
            and any(year.contains(day) for year in years)
        ]
        self._day_set = frozenset(self._days)

    def school_days(self) -> list[dt.date]:
        return list(self._days)

    def is_school_day(self, day: dt.date) -> bool:
        return day in self._day_set

    def school_weeks(self) -> list[dt.date]:
        """Mondays of the calendar weeks that contain at least one school day, in order."""
        return sorted({monday_of(day) for day in self._days})
