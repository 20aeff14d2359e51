"""Demo students whose history makes every default protocol step fire around the demo's today.

The random attendance of ``seed`` gives a realistic spread, but which protocol steps it
reaches is left to chance. At every school a few students get a scripted history instead
(their random marks are dropped): each makes one step of the default protocol
(``protocol.defaults``) reach its threshold on a school day within the last 14 days, so a
``run_protocol`` sweep on the demo's today fires it. The scenarios, per step key:

* ``late-3`` / ``late-6`` / ``late-9`` / ``late-12``: late for the first lesson 3, 6, 9 or
  12 times this school year, the last time on the reach day;
* ``hours-6`` / ``hours-9``: 6 or 9 unexcused hours (at most three lessons a day) within 4
  school weeks, reached on the reach day;
* ``duo-16``: 16 unexcused hours within 4 school weeks, under 18 and without
  startkwalificatie (the legal DUO report);
* ``luxury``: unexcused all day on the school day right after a holiday or study day;
* ``long-absence``: unexcused every lesson for more than 4 school weeks, through yesterday;
* ``mazl-reports``: four one-day sick reports (``AbsenceReport`` with the sick reason) within
  12 school weeks, the fourth on the reach day;
* ``mazl-days``: one sick report covering 7 school days in a row, ending on the reach day;
* ``chronic``: excused absence (sick, without a report) on one school day in five over the
  last 8 school weeks: under 90% present;
* ``rmc-16`` (mbo): 18 or over without startkwalificatie, 16 unexcused hours in 4 weeks.

The reach day is the fourth-last school day in the 13 days before today (so not one of the
last three days, whose registers may still be open). Students are picked from the school's
students by a seeded shuffle, skipping the demo family and students who change group this
year; in the demo vo school, the demo mentor's class gets ``late-6``, ``hours-9`` and
``chronic``, so the mentor login has work. Everything is deterministic. docs/demo-data.md
describes it for users.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from aanwezig.attendance.models import (
    AbsenceReason,
    AbsenceReport,
    Mark,
    MarkSource,
    MarkStatus,
    ReportSource,
)
from aanwezig.lib.dates import is_adult_on
from aanwezig.protocol.duo import school_week_index, window_end
from aanwezig.protocol.periods import recent_school_days
from aanwezig.roster.models import Student
from aanwezig.schools.models import School, Sector

#: The scenarios, in the order students are picked for them.
SCENARIOS = ["late-3", "late-6", "late-9", "late-12", "hours-6", "hours-9", "duo-16", "luxury",
             "long-absence", "mazl-reports", "mazl-days", "chronic"]
MBO_SCENARIOS = ["rmc-16"]
#: Scenarios placed in the demo mentor's class (vo demo school).
MENTOR_SCENARIOS = frozenset({"late-6", "hours-9", "chronic"})
#: A step reached at most this many days before today still fires (engine.FRESH_DAYS - 1).
FRESH = 13
#: Unexcused lessons per day in the hours scenarios (po: the whole day).
LESSONS_PER_DAY = 3

Lesson = tuple[int, dt.time, int]  # (lesson pk, start time, teacher pk): a registered lesson


def scenarios_for(sector: str) -> list[str]:
    return SCENARIOS + (MBO_SCENARIOS if sector == Sector.MBO else [])


@dataclass
class Candidate:
    student: Student
    group_id: int
    #: Gives the registered lessons of the student's group per past school day of this year
    #: (built only for the candidates that are tried).
    lessons: Callable[[int], dict[dt.date, list[Lesson]]]

    @cached_property
    def days(self) -> dict[dt.date, list[Lesson]]:
        return self.lessons(self.group_id)


@dataclass
class Scripted:
    step: str
    student: Student
    group_id: int
    marks: list[Mark] = field(default_factory=list)
    reports: list[AbsenceReport] = field(default_factory=list)


@dataclass
class YearView:
    """The current school year as the scenarios need it."""

    school: School
    today: dt.date
    year_days: list[dt.date]  # every school day of the year, future included
    days: list[dt.date]  # the past school days of the year (through yesterday)
    recent: set[dt.date]  # the last three history days (unexcused = "onbekend" there)
    off: set[dt.date]  # weekdays off (holidays, public holidays, study days)
    reasons: dict[str, AbsenceReason]
    office_id: int
    hours_of: Callable[[int], float]  # a lesson's hours in the school's unit
    tz: zoneinfo.ZoneInfo = field(default_factory=lambda: zoneinfo.ZoneInfo("Europe/Amsterdam"))

    def __post_init__(self) -> None:
        self.weeks = school_week_index(self.year_days)
        self.edges = holiday_edges(self.year_days, self.off)
        window = [d for d in self.days if (self.today - d).days <= FRESH]
        self.reach: dt.date | None = (window[-4] if len(window) >= 4
                                      else window[0] if window else None)

    def moment(self, day: dt.date, at: dt.time, minutes: int = 0) -> dt.datetime:
        return (dt.datetime.combine(day, at, self.tz) + dt.timedelta(minutes=minutes)
                ).astimezone(dt.UTC)

    def unexcused(self, day: dt.date) -> AbsenceReason:
        return self.reasons["onbekend" if day in self.recent else "ongeoorloofd"]


def holiday_edges(year_days: list[dt.date], off: Iterable[dt.date]) -> set[dt.date]:
    """School days right before or after a day off (where luxury absence is suspected)."""
    edges: set[dt.date] = set()
    for day in off:
        after = bisect.bisect_right(year_days, day)
        if after < len(year_days):
            edges.add(year_days[after])
        if after > 0:
            edges.add(year_days[after - 1])
    return edges


def needs_recent_edge(school_days: list[dt.date], today: dt.date) -> bool:
    """Whether no school day of the last two weeks borders a day off (a holiday or study day),
    so that the seed should put a study day there for the luxury scenario."""
    past = [d for d in school_days if d < today]
    for before, day in zip(past, past[1:], strict=False):
        if (today - day).days <= FRESH and any(
                (before + dt.timedelta(days=n)).weekday() < 5 for n in range(1, (day - before).days)):
            return False
    return True


def study_day_for_luxury(school_days: list[dt.date], today: dt.date) -> dt.date | None:
    """A school day to make a study day, so that the school day after it lies in the last two
    weeks but not in the last three days: the sixth-last school day before today."""
    past = [d for d in school_days if d < today]
    if len(past) < 20 or (today - past[-5]).days > FRESH:
        return None
    return past[-6]


# --- the scenarios ---------------------------------------------------------------------------

def _mark(cal: YearView, c: Candidate, lesson: Lesson, day: dt.date, status: str,
          reason: AbsenceReason, *, minutes_late: int | None = None, by: int | None = None,
          report: AbsenceReport | None = None) -> Mark:
    pk, start, teacher = lesson
    when = cal.moment(day, start, 10 if status == MarkStatus.LATE else 5)
    return Mark(school_id=cal.school.pk, lesson_id=pk, student_id=c.student.pk, date=day,
                status=status, reason=reason, minutes_late=minutes_late,
                source=MarkSource.REPORT if report is not None else MarkSource.REGISTER,
                report=report, created_by_id=by or teacher, created_at=when, updated_at=when)


def _late(cal: YearView, c: Candidate, times: int, reach: dt.date) -> Scripted | None:
    days = [d for d in sorted(c.days) if d <= reach]
    if not days or days[-1] != reach or len(days) < times:
        return None
    picks = days[::-1][::2][:times] if len(days) >= 2 * times - 1 else days[-times:]
    limit = cal.school.late_absent_after_minutes
    out = Scripted(f"late-{times}", c.student, c.group_id)
    for n, day in enumerate(picks):
        out.marks.append(_mark(cal, c, c.days[day][0], day, MarkStatus.LATE,
                               cal.reasons["te_laat"], minutes_late=min(limit, 3 + n % 8)))
    return out


def _hours(cal: YearView, c: Candidate, step: str, hours: float,
           reach: dt.date) -> Scripted | None:
    """Unexcused lessons adding up to ``hours`` within 4 school weeks, reached on ``reach``.

    The reach day's lessons are taken first and earlier days after it, so the total is
    crossed on the reach day; days next to a holiday are skipped (no luxury suspicion).
    """
    days = [d for d in sorted(c.days, reverse=True) if d <= reach and d not in cal.edges]
    if not days or days[0] != reach:
        return None
    per_day = 99 if cal.school.sector == Sector.PO else LESSONS_PER_DAY
    for step_size in (2, 1):
        chosen: list[tuple[dt.date, Lesson]] = []
        total = 0.0
        for day in days[::step_size]:
            for lesson in c.days[day][-per_day:]:
                chosen.append((day, lesson))
                total += cal.hours_of(lesson[0])
                if total >= hours - 1e-9:
                    break
            if total >= hours - 1e-9:
                break
        if total < hours - 1e-9:
            continue
        first = min(day for day, _lesson in chosen)
        if window_end(first, cal.weeks, 4) <= reach:
            continue
        out = Scripted(step, c.student, c.group_id)
        out.marks = [_mark(cal, c, lesson, day, MarkStatus.ABSENT, cal.unexcused(day))
                     for day, lesson in chosen]
        return out
    return None


def _luxury(cal: YearView, c: Candidate) -> Scripted | None:
    days = [d for d in sorted(c.days, reverse=True)
            if d in cal.edges and (cal.today - d).days <= FRESH]
    if not days:
        return None
    day = days[0]
    out = Scripted("luxury", c.student, c.group_id)
    out.marks = [_mark(cal, c, lesson, day, MarkStatus.ABSENT, cal.unexcused(day))
                 for lesson in c.days[day]]
    return out


def _long(cal: YearView, c: Candidate, reach: dt.date) -> Scripted | None:
    """Unexcused every lesson from the start of a 4-school-week window that ends on or just
    before ``reach`` through the last history day; every school day needs lessons."""
    start = next((d for d in reversed(cal.days)
                  if d < reach and window_end(d, cal.weeks, 4) <= reach), None)
    if start is None:
        return None
    run = [d for d in cal.days if d >= start]
    if any(d not in c.days for d in run if d <= reach):
        return None
    out = Scripted("long-absence", c.student, c.group_id)
    for day in run:
        if day not in c.days:
            break
        out.marks += [_mark(cal, c, lesson, day, MarkStatus.ABSENT, cal.unexcused(day))
                      for lesson in c.days[day]]
    return out


def _sick_report(cal: YearView, c: Candidate, out: Scripted, first: dt.date,
                 last: dt.date) -> None:
    """A sick report from ``first`` through ``last``, made by the desk on the first morning,
    with the locked marks it puts in every lesson it covers."""
    report = AbsenceReport(
        school_id=cal.school.pk, student=c.student, reason=cal.reasons["ziek"],
        start_date=first, end_date=last, source=ReportSource.OFFICE,
        created_by_id=cal.office_id, created_at=cal.moment(first, dt.time(8, 0)),
        ended_by_id=cal.office_id, ended_at=cal.moment(last, dt.time(16, 0)),
    )
    out.reports.append(report)
    for day in cal.days:
        if first <= day <= last:
            out.marks += [_mark(cal, c, lesson, day, MarkStatus.ABSENT, cal.reasons["ziek"],
                                by=cal.office_id, report=report)
                          for lesson in c.days.get(day, [])]


def _mazl_reports(cal: YearView, c: Candidate, reach: dt.date) -> Scripted | None:
    days = [d for d in cal.days if d <= reach]
    spacing = min(8, (len(days) - 1) // 3)
    if spacing < 1 or reach not in c.days:
        return None
    out = Scripted("mazl-reports", c.student, c.group_id)
    for n in (3, 2, 1, 0):
        day = days[-1 - n * spacing]
        _sick_report(cal, c, out, day, day)
    return out


def _mazl_days(cal: YearView, c: Candidate, reach: dt.date) -> Scripted | None:
    days = [d for d in cal.days if d <= reach]
    if len(days) < 7 or reach not in c.days:
        return None
    out = Scripted("mazl-days", c.student, c.group_id)
    _sick_report(cal, c, out, days[-7], reach)
    return out


def _chronic(cal: YearView, c: Candidate) -> Scripted | None:
    recent = set(recent_school_days(cal.year_days, cal.today, 8))
    days = [d for d in sorted(c.days) if d in recent]
    if len(days) < 10:
        return None
    out = Scripted("chronic", c.student, c.group_id)
    for day in days[2::5]:
        out.marks += [_mark(cal, c, lesson, day, MarkStatus.ABSENT, cal.reasons["ziek"],
                            by=cal.office_id)
                      for lesson in c.days[day]]
    return out


def _script(cal: YearView, c: Candidate, step: str, reach: dt.date) -> Scripted | None:
    if step.startswith("late-"):
        return _late(cal, c, int(step.split("-")[1]), reach)
    if step in ("hours-6", "hours-9", "duo-16", "rmc-16"):
        adult = is_adult_on(c.student.birth_date, reach)
        skq = c.student.has_startkwalificatie
        if step == "duo-16" and (adult or skq):
            return None
        if step == "rmc-16" and (not adult or skq):
            return None
        return _hours(cal, c, step, float(step.split("-")[1]), reach)
    if step == "luxury":
        return _luxury(cal, c)
    if step == "long-absence":
        return _long(cal, c, reach)
    if step == "mazl-reports":
        return _mazl_reports(cal, c, reach)
    if step == "mazl-days":
        return _mazl_days(cal, c, reach)
    if step == "chronic":
        return _chronic(cal, c)
    raise LookupError(step)


def script_students(cal: YearView, candidates: list[Candidate], rng: random.Random, *,
                    preferred_groups: Iterable[int] = ()) -> list[Scripted]:
    """Pick a student for every scenario of the school's sector and script their history.

    ``candidates`` are the students who may be used, in a fixed order; they are shuffled
    with ``rng``. A scenario that fits none of them (a very small school, a today early in
    the school year) is left out.
    """
    if cal.reach is None:
        return []
    pool = list(candidates)
    rng.shuffle(pool)
    preferred = set(preferred_groups)
    used: set[int] = set()
    scripted: list[Scripted] = []
    for step in scenarios_for(cal.school.sector):
        order = pool
        if step in MENTOR_SCENARIOS and preferred:
            order = ([c for c in pool if c.group_id in preferred]
                     + [c for c in pool if c.group_id not in preferred])
        for candidate in order:
            if id(candidate.student) in used:
                continue
            result = _script(cal, candidate, step, cal.reach)
            if result is not None:
                used.add(id(candidate.student))
                scripted.append(result)
                break
    return scripted
