"""The protocol's vocabulary: conditions and actions as code, steps as data.

A school's protocol is a list of steps (JSON in ``ProtocolVersion.steps``). Each
step has a stable key, a title, the responsible role, conditions ("when") and
actions ("then"), a cooldown and a plain-language text for parents and
students. Conditions and actions are classes with a stable id, a label and a
pydantic model for their parameters; ``parse_steps`` validates a school's JSON
against them and refuses bad steps with a message in the user's language.

Conditions come in two sorts:

* a **trigger** finds the windows in which the step is reached (``hits``): unexcused
  hours in N school weeks, times late, sick reports, consecutive sick days,
  suspected luxury absence, attendance below a percentage, long absence;
* a **filter** narrows who a step is for (``passes``): age on the day, sector,
  startkwalificatie.

Every step has exactly one trigger. Pure: facts in, hits out; no database. The
rules and the default protocols are described in docs/protocol.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, npgettext
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from aanwezig.lib.dates import is_adult_on
from aanwezig.protocol import duo
from aanwezig.protocol.periods import periods, recent_school_days

# --- facts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudentFacts:
    """What the engine knows about one student, as of ``today``. Built by ``protocol.facts``.

    Figures per day are for registered lessons of the current school year; hours are in
    the school's unit (lesuren or klokuren) and come from ``attendance.counting``.
    """

    student_id: int
    birth_date: dt.date
    sector: str
    has_startkwalificatie: bool
    school_days: tuple[dt.date, ...]
    hour_unit: str = "lesuur"
    holidays: frozenset[dt.date] = frozenset()
    unexcused_hours: Mapping[dt.date, float] = field(default_factory=dict)
    unexcused_lessons: Mapping[dt.date, int] = field(default_factory=dict)
    lessons: Mapping[dt.date, int] = field(default_factory=dict)
    present: Mapping[dt.date, int] = field(default_factory=dict)
    late: Mapping[dt.date, int] = field(default_factory=dict)
    sick_report_starts: tuple[dt.date, ...] = ()
    sick_days: frozenset[dt.date] = frozenset()
    leave_refused: frozenset[dt.date] = frozenset()
    report_adults: bool = False


@dataclass(frozen=True)
class Hit:
    """A trigger reached: the window it counts from, the day it was reached, the figures."""

    window_start: dt.date
    reached_on: dt.date
    figures: dict[str, Any]
    explanation: str


@dataclass(frozen=True)
class Measure:
    """Where a student stands on a trigger today: ``value`` of ``threshold``, since ``since``."""

    value: float
    threshold: float
    since: dt.date | None
    text: str


def _d(day: dt.date) -> str:
    return date_format(day, "j F")


def _n(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}".replace(".", ",")


def _hours_word(unit: str, value: float) -> str:
    count = 1 if value == 1 else 2
    if unit == "klokuur":
        return npgettext("unexcused hours", "clock hour", "clock hours", count)
    return npgettext("unexcused hours", "lesson hour", "lesson hours", count)


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- conditions -------------------------------------------------------------------------------


class Condition:
    """A condition type. Subclasses set ``id``, ``label``, ``params`` and ``trigger``."""

    id: ClassVar[str]
    label: ClassVar[Any]
    params: ClassVar[type[Params]] = Params
    trigger: ClassVar[bool] = True
    #: Triggers built on sickness: their steps may never inform leerplicht or DUO.
    about_sickness: ClassVar[bool] = False

    def hits(self, facts: StudentFacts, params: Any, today: dt.date) -> list[Hit]:
        raise NotImplementedError

    def passes(self, facts: StudentFacts, params: Any, day: dt.date) -> bool:
        return True

    def measure(self, facts: StudentFacts, params: Any, today: dt.date) -> Measure | None:
        return None

    def describe(self, params: Any) -> str:
        raise NotImplementedError


class UnexcusedHoursParams(Params):
    hours: float = Field(gt=0, le=200)
    weeks: int = Field(ge=1, le=40)
    legal: bool = False


class UnexcusedHours(Condition):
    """Unexcused hours within N consecutive school weeks reach X (the legal 16 in 4: legal)."""

    id = "unexcused_hours"
    label = gettext_lazy("Unexcused hours within a number of school weeks")
    params = UnexcusedHoursParams

    def hits(self, facts: StudentFacts, params: Any, today: dt.date) -> list[Hit]:
        if params.legal:
            reports = duo.duo_reports(
                facts.unexcused_hours, facts.school_days, birth_date=facts.birth_date,
                has_startkwalificatie=facts.has_startkwalificatie,
                report_adults=facts.report_adults, threshold=params.hours, until=today,
            )
            return [
                Hit(r.start_date, r.end_date,
                    {"hours": round(r.hours, 2), "kind": r.kind, "due_date": r.due_date.isoformat(),
                     "mandatory": r.mandatory, "window_from": r.start_date.isoformat(),
                     "window_to": r.end_date.isoformat()},
                    self._explain(facts, r.hours, params.weeks, r.start_date, r.end_date))
                for r in reports
            ]
        return [
            Hit(start, end, {"hours": round(total, 2), "window_from": start.isoformat(),
                             "window_to": end.isoformat()},
                self._explain(facts, total, params.weeks, start, end))
            for start, end, total in periods(facts.unexcused_hours, facts.school_days,
                                             threshold=params.hours, weeks=params.weeks,
                                             until=today)
        ]

    def _explain(self, facts: StudentFacts, total: float, weeks: int, start: dt.date,
                 end: dt.date) -> str:
        return _("%(hours)s %(unit)s unexcused absence within %(weeks)s school weeks "
                 "(%(start)s – %(end)s)") % {
            "hours": _n(total), "unit": _hours_word(facts.hour_unit, total), "weeks": weeks,
            "start": _d(start), "end": _d(end)}

    def measure(self, facts: StudentFacts, params: Any, today: dt.date) -> Measure:
        last = [hit.reached_on for hit in self.hits(facts, params, today)]
        since = last[-1] if last else None
        days = recent_school_days(facts.school_days, today, params.weeks)
        value = sum(facts.unexcused_hours.get(day, 0.0) for day in days
                    if since is None or day > since)
        first = days[0] if days else None
        return Measure(value, params.hours, first,
                       _("%(hours)s of %(limit)s %(unit)s in the last %(weeks)s school weeks") % {
                           "hours": _n(value), "limit": _n(params.hours),
                           "unit": _hours_word(facts.hour_unit, params.hours),
                           "weeks": params.weeks})

    def describe(self, params: Any) -> str:
        return _("%(hours)s hours of unexcused absence within %(weeks)s school weeks") % {
            "hours": _n(params.hours), "weeks": params.weeks}


class CountParams(Params):
    times: int = Field(ge=1, le=100)
    weeks: int | None = Field(default=None, ge=1, le=52)


class TimesLate(Condition):
    """Late for lessons at least N times within M school weeks (no weeks: this school year)."""

    id = "times_late"
    label = gettext_lazy("Times late")
    params = CountParams

    def _values(self, facts: StudentFacts) -> dict[dt.date, float]:
        return {day: float(count) for day, count in facts.late.items() if count}

    def hits(self, facts: StudentFacts, params: Any, today: dt.date) -> list[Hit]:
        found = periods(self._values(facts), facts.school_days, threshold=params.times,
                        weeks=params.weeks, until=today)
        return [Hit(start, end, {"times": int(total), "window_from": start.isoformat(),
                                 "window_to": end.isoformat()},
                    _("%(times)s times late (%(start)s – %(end)s)") % {
                        "times": int(total), "start": _d(start), "end": _d(end)})
                for start, end, total in found]

    def measure(self, facts: StudentFacts, params: Any, today: dt.date) -> Measure:
        hits = self.hits(facts, params, today)
        since = hits[-1].reached_on if hits else None
        days = (recent_school_days(facts.school_days, today, params.weeks) if params.weeks
                else [d for d in facts.school_days if d <= today])
        value = sum(facts.late.get(day, 0) for day in days if since is None or day > since)
        return Measure(value, params.times, days[0] if days else None,
                       _("%(value)s of %(limit)s times late") % {"value": int(value),
                                                                  "limit": params.times})

    def describe(self, params: Any) -> str:
        if params.weeks:
            return _("%(times)s times late within %(weeks)s school weeks") % {
                "times": params.times, "weeks": params.weeks}
        return _("%(times)s times late this school year") % {"times": params.times}


class SickReports(Condition):
    """At least N sick reports within M school weeks (MAZL: 4 in 12)."""

    id = "sick_reports"
    label = gettext_lazy("Sick reports")
    params = CountParams
    about_sickness = True

    def _values(self, facts: StudentFacts) -> dict[dt.date, float]:
        days = sorted(facts.school_days)
        values: dict[dt.date, float] = {}
        for start in facts.sick_report_starts:
            # A report made on a weekend counts on the next school day.
            day = next((d for d in days if d >= start), None)
            if day is not None:
                values[day] = values.get(day, 0.0) + 1
        return values

    def hits(self, facts: StudentFacts, params: Any, today: dt.date) -> list[Hit]:
        found = periods(self._values(facts), facts.school_days, threshold=params.times,
                        weeks=params.weeks, until=today)
        return [Hit(start, end, {"reports": int(total), "window_from": start.isoformat(),
                                 "window_to": end.isoformat()},
                    _("%(times)s sick reports (%(start)s – %(end)s)") % {
                        "times": int(total), "start": _d(start), "end": _d(end)})
                for start, end, total in found]

    def measure(self, facts: StudentFacts, params: Any, today: dt.date) -> Measure:
        hits = self.hits(facts, params, today)
        since = hits[-1].reached_on if hits else None
        days = set(recent_school_days(facts.school_days, today, params.weeks or 52))
        value = sum(v for day, v in self._values(facts).items()
                    if day in days and (since is None or day > since))
        return Measure(value, params.times, min(days) if days else None,
                       _("%(value)s of %(limit)s sick reports") % {"value": int(value),
                                                                   "limit": params.times})

    def describe(self, params: Any) -> str:
        return _("%(times)s sick reports within %(weeks)s school weeks") % {
            "times": params.times, "weeks": params.weeks or 52}


class DaysParams(Params):
    days: int = Field(ge=1, le=200)


def _runs(school_days: Iterable[dt.date], member: Any, today: dt.date) -> list[list[dt.date]]:
    """Return the runs of consecutive school days (through ``today``) for which ``member(day)``."""
    runs: list[list[dt.date]] = []
    current: list[dt.date] = []
    for day in sorted(school_days):
        if day > today:
            break
        if member(day):
            current.append(day)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


class ConsecutiveSickDays(Condition):
    """Sick for N consecutive school days (MAZL: 7)."""

    id = "consecutive_sick_days"
    label = gettext_lazy("Consecutive sick school days")
    params = DaysParams
    about_sickness = True

    def hits(self, facts: StudentFacts, params: Any, today: dt.date) -> list[Hit]:
        return [
            Hit(run[0], run[params.days - 1], {"days": params.days,
                                               "window_from": run[0].isoformat(),
                                               "window_to": run[params.days - 1].isoformat()},
                _("sick for %(days)s school days in a row since %(start)s") % {
                    "days": params.days, "start": _d(run[0])})
            for run in _runs(facts.school_days, facts.sick_days.__contains__, today)
            if len(run) >= params.days
        ]

    def measure(self, facts: StudentFacts, params: Any, today: dt.date) -> Measure:
        runs = _runs(facts.school_days, facts.sick_days.__contains__, today)
        past = [d for d in facts.school_days if d <= today]
        current = runs[-1] if runs and past and runs[-1][-1] == past[-1] else []
        return Measure(len(current), params.days, current[0] if current else None,
                       _("%(value)s of %(limit)s school days sick in a row") % {
                           "value": len(current), "limit": params.days})

    def describe(self, params: Any) -> str:
        return _("sick for %(days)s school days in a row") % {"days": params.days}


class LuxuryAbsence(Condition):
    """Suspected luxury absence: unexcused absence on a school day next to a holiday, or on
    a day for which leave was refused. No threshold."""

    id = "luxury_absence"
    label = gettext_lazy("Suspected luxury absence")

    def suspect_days(self, facts: StudentFacts, today: dt.date) -> list[dt.date]:
        days = sorted(facts.school_days)
        found = []
        for index, day in enumerate(days):
            if day > today:
                break
            if not facts.unexcused_hours.get(day):
                continue
            before = days[index - 1] if index else day - dt.timedelta(days=1)
            after = days[index + 1] if index + 1 < len(days) else day + dt.timedelta(days=1)
            gap = [before + dt.timedelta(days=n) for n in range(1, (day - before).days)]
            gap += [day + dt.timedelta(days=n) for n in range(1, (after - day).days)]
            if any(d in facts.holidays for d in gap) or day in facts.leave_refused:
                found.append(day)
        return found

    def hits(self, facts: StudentFacts, params: Any, today: dt.date) -> list[Hit]:
        return [
            Hit(day, day, {"hours": round(facts.unexcused_hours[day], 2),
                           "window_from": day.isoformat(), "window_to": day.isoformat(),
                           "leave_refused": day in facts.leave_refused},
                (_("unexcused absence on %(day)s, a day for which leave was refused")
                 if day in facts.leave_refused else
                 _("unexcused absence on %(day)s, next to a holiday")) % {"day": _d(day)})
            for day in self.suspect_days(facts, today)
        ]

    def describe(self, params: Any) -> str:
        return _("unexcused absence next to a holiday, or on a day for which leave was refused")


class BelowParams(Params):
    percent: float = Field(gt=0, le=100)
    weeks: int = Field(ge=1, le=52)
    min_lessons: int = Field(default=20, ge=1, le=1000)


class AttendanceBelow(Condition):
    """Present for fewer than X% of the lessons of the last N school weeks (chronic absence)."""

    id = "attendance_below"
    label = gettext_lazy("Attendance below a percentage")
    params = BelowParams

    def _figures(self, facts: StudentFacts, params: Any, today: dt.date
                 ) -> tuple[list[dt.date], int, int]:
        days = recent_school_days(facts.school_days, today, params.weeks)
        lessons = sum(facts.lessons.get(day, 0) for day in days)
        present = sum(facts.present.get(day, 0) for day in days)
        return days, lessons, present

    def hits(self, facts: StudentFacts, params: Any, today: dt.date) -> list[Hit]:
        days, lessons, present = self._figures(facts, params, today)
        if lessons < params.min_lessons or present * 100 >= params.percent * lessons:
            return []
        percent = present * 100 / lessons
        return [Hit(days[0], today, {"percent": round(percent, 1), "lessons": lessons,
                                     "present": present, "window_from": days[0].isoformat(),
                                     "window_to": today.isoformat()},
                    _("present for %(percent)s%% of %(lessons)s lessons since %(start)s") % {
                        "percent": _n(round(percent, 1)), "lessons": lessons,
                        "start": _d(days[0])})]

    def measure(self, facts: StudentFacts, params: Any, today: dt.date) -> Measure:
        days, lessons, present = self._figures(facts, params, today)
        percent = present * 100 / lessons if lessons else 100.0
        return Measure(round(percent, 1), params.percent, days[0] if days else None,
                       _("present for %(percent)s%% of the lessons in the last %(weeks)s "
                         "school weeks") % {"percent": _n(round(percent, 1)),
                                            "weeks": params.weeks})

    def describe(self, params: Any) -> str:
        return _("present for less than %(percent)s%% of the lessons in %(weeks)s school "
                 "weeks") % {"percent": _n(params.percent), "weeks": params.weeks}


class WeeksParams(Params):
    weeks: int = Field(default=4, ge=1, le=52)


class LongAbsence(Condition):
    """Unexcused absent from every lesson for more than N consecutive school weeks."""

    id = "long_absence"
    label = gettext_lazy("Unexcused absence for weeks on end")
    params = WeeksParams

    def _whole_day(self, facts: StudentFacts) -> Any:
        def member(day: dt.date) -> bool:
            lessons = facts.lessons.get(day, 0)
            return bool(lessons) and facts.unexcused_lessons.get(day, 0) >= lessons
        return member

    def hits(self, facts: StudentFacts, params: Any, today: dt.date) -> list[Hit]:
        found = []
        weeks = duo.school_week_index(facts.school_days)
        for run in _runs(facts.school_days, self._whole_day(facts), today):
            limit = duo.window_end(run[0], weeks, params.weeks)
            beyond = [day for day in run if day >= limit]
            if beyond:
                found.append(Hit(run[0], beyond[0],
                                 {"days": len(run), "window_from": run[0].isoformat(),
                                  "window_to": beyond[0].isoformat()},
                                 _("absent without a valid reason every school day since "
                                   "%(start)s, more than %(weeks)s school weeks") % {
                                     "start": _d(run[0]), "weeks": params.weeks}))
        return found

    def describe(self, params: Any) -> str:
        return _("unexcused absent for more than %(weeks)s school weeks in a row") % {
            "weeks": params.weeks}


class AgeParams(Params):
    group: Literal["under_18", "adult"]


class Age(Condition):
    """Filter: under 18 or 18 and over, on the day the step is reached."""

    id = "age"
    label = gettext_lazy("Age on the day")
    params = AgeParams
    trigger = False

    def passes(self, facts: StudentFacts, params: Any, day: dt.date) -> bool:
        return is_adult_on(facts.birth_date, day) == (params.group == "adult")

    def describe(self, params: Any) -> str:
        return _("students of 18 and over") if params.group == "adult" else _("students under 18")


class SectorParams(Params):
    sectors: list[Literal["po", "vo", "mbo"]] = Field(min_length=1)


class SectorIs(Condition):
    """Filter: the school's sector."""

    id = "sector"
    label = gettext_lazy("Sector")
    params = SectorParams
    trigger = False

    def passes(self, facts: StudentFacts, params: Any, day: dt.date) -> bool:
        return facts.sector in params.sectors

    def describe(self, params: Any) -> str:
        return _("in %(sectors)s") % {"sectors": ", ".join(params.sectors)}


class NoStartkwalificatie(Condition):
    """Filter: students without a startkwalificatie."""

    id = "no_startkwalificatie"
    label = gettext_lazy("Without startkwalificatie")
    trigger = False

    def passes(self, facts: StudentFacts, params: Any, day: dt.date) -> bool:
        return not facts.has_startkwalificatie

    def describe(self, params: Any) -> str:
        return _("students without a startkwalificatie")


CONDITIONS: dict[str, Condition] = {c.id: c for c in (
    UnexcusedHours(), TimesLate(), SickReports(), ConsecutiveSickDays(), LuxuryAbsence(),
    AttendanceBelow(), LongAbsence(), Age(), SectorIs(), NoStartkwalificatie(),
)}


# --- actions ----------------------------------------------------------------------------------

RoleName = Literal["mentor", "attendance_officer", "care_coordinator", "school_leader"]
TEMPLATES = ("concern", "conversation", "late", "duo_report", "care", "chronic")


class Action:
    id: ClassVar[str]
    label: ClassVar[Any]
    params: ClassVar[type[Params]] = Params

    def describe(self, params: Any, role: str) -> str:
        raise NotImplementedError


class MessageParams(Params):
    template: Literal["concern", "conversation", "late", "duo_report", "care", "chronic"]


class MessageGuardians(Action):
    """Send the guardians (or the adult student) a message through the message pipeline."""

    id = "message_guardians"
    label = gettext_lazy("Send the parents a message")
    params = MessageParams

    def describe(self, params: Any, role: str) -> str:
        return _("the parents get a message (an adult student: themself, and their parents "
                 "only with consent)")


class TaskParams(Params):
    kind: Literal["phone_parents", "plan_conversation", "talk_to_student", "other"]
    role: RoleName | None = None
    due_days: int = Field(default=2, ge=0, le=60)
    title: str = Field(default="", max_length=200)


class CreateTask(Action):
    id = "task"
    label = gettext_lazy("A task for a role")
    params = TaskParams

    def describe(self, params: Any, role: str) -> str:
        from aanwezig.protocol.models import TaskKind
        from aanwezig.schools.models import Role
        return _("%(kind)s (%(role)s, within %(days)s days)") % {
            "kind": TaskKind(params.kind).label, "role": Role(params.role or role).label,
            "days": params.due_days}


class CaseParams(Params):
    escalate: bool = False


class OpenCase(Action):
    id = "open_case"
    label = gettext_lazy("Open or escalate a case")
    params = CaseParams

    def describe(self, params: Any, role: str) -> str:
        return _("the case goes up a level") if params.escalate else _("a case is opened")


class ProposeDuo(Action):
    id = "propose_duo"
    label = gettext_lazy("Propose a report to DUO")

    def describe(self, params: Any, role: str) -> str:
        return _("the attendance officer prepares the report to DUO (leerplicht)")


class ProposeJeugdarts(Action):
    id = "propose_jeugdarts"
    label = gettext_lazy("Propose a consultation with the youth doctor")

    def describe(self, params: Any, role: str) -> str:
        return _("the school proposes a consultation with the youth doctor; the doctor shares "
                 "nothing with the school without consent")


class PartnerParams(Params):
    partner: Literal["leerplicht", "rmc"]


class InformPartner(Action):
    id = "inform_partner"
    label = gettext_lazy("Inform leerplicht or RMC")
    params = PartnerParams

    def describe(self, params: Any, role: str) -> str:
        if params.partner == "rmc":
            return _("the school informs the RMC (only unexcused absence, never sickness)")
        return _("the school informs the leerplichtambtenaar (only unexcused absence, "
                 "never sickness)")


class NotifyParams(Params):
    role: RoleName


class NotifyStaff(Action):
    id = "notify_staff"
    label = gettext_lazy("Notify the mentor or coordinator")
    params = NotifyParams

    def describe(self, params: Any, role: str) -> str:
        from aanwezig.schools.models import Role
        return _("the %(role)s is told") % {"role": Role(params.role).label}


ACTIONS: dict[str, Action] = {a.id: a for a in (
    MessageGuardians(), CreateTask(), OpenCase(), ProposeDuo(), ProposeJeugdarts(),
    InformPartner(), NotifyStaff(),
)}


# --- steps ------------------------------------------------------------------------------------


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    params: dict[str, Any] = Field(default_factory=dict)


class StepSpec(BaseModel):
    """One step of a protocol, as stored in ``ProtocolVersion.steps``."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    title: str = Field(min_length=1, max_length=120)
    role: Literal["mentor", "attendance_officer", "care_coordinator", "school_leader"]
    when: list[Part] = Field(min_length=1)
    then: list[Part] = Field(min_length=1)
    texts: dict[str, str] = Field(description="Plain-language text per language; 'nl' required")
    cooldown_days: int = Field(default=0, ge=0, le=365)
    active: bool = True

    @field_validator("texts")
    @classmethod
    def _dutch_text(cls, value: dict[str, str]) -> dict[str, str]:
        if not (value.get("nl") or "").strip():
            raise ValueError("missing Dutch text")
        for text in value.values():
            if len(text) > 1000:
                raise ValueError("text too long")
        return value

    # Parsed parameters, cached: the engine asks for them for every student.
    _parsed: dict[str, Any] = PrivateAttr(default_factory=dict)

    def _parts(self) -> dict[str, Any]:
        if not self._parsed:
            when = [(CONDITIONS[p.type], CONDITIONS[p.type].params(**p.params)) for p in self.when]
            self._parsed["trigger"] = next((c, p) for c, p in when if c.trigger)
            self._parsed["filters"] = [(c, p) for c, p in when if not c.trigger]
            self._parsed["actions"] = [(ACTIONS[p.type], ACTIONS[p.type].params(**p.params))
                                       for p in self.then]
        return self._parsed

    def trigger(self) -> tuple[Condition, Any]:
        """The step's trigger condition and its parsed parameters."""
        result: tuple[Condition, Any] = self._parts()["trigger"]
        return result

    def filters(self) -> list[tuple[Condition, Any]]:
        result: list[tuple[Condition, Any]] = self._parts()["filters"]
        return result

    def actions(self) -> list[tuple[Action, Any]]:
        result: list[tuple[Action, Any]] = self._parts()["actions"]
        return result

    def text(self, language: str) -> str:
        return self.texts.get(language) or self.texts.get("en" if language != "nl" else "nl") \
            or self.texts["nl"]


class StepError(ValueError):
    """A protocol step that does not fit the vocabulary; ``messages`` are in the user's language."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _problem(item: Mapping[str, Any]) -> str:
    """Say what pydantic found wrong in the user's language."""
    context = item.get("ctx") or {}
    kind = item["type"]
    if kind in ("greater_than", "greater_than_equal"):
        limit = context.get("gt", context.get("ge"))
        return (_("must be more than %(limit)s") if kind == "greater_than"
                else _("must be at least %(limit)s")) % {"limit": limit}
    if kind in ("less_than", "less_than_equal"):
        return _("must be at most %(limit)s") % {"limit": context.get("lt", context.get("le"))}
    if kind == "missing":
        return _("is required")
    if kind == "extra_forbidden":
        return _("is not a known field")
    if kind == "literal_error":
        return _("must be one of %(choices)s") % {"choices": context.get("expected", "")}
    if kind in ("int_parsing", "int_from_float", "float_parsing"):
        return _("must be a number")
    if kind == "string_too_long":
        return _("is too long")
    if kind in ("string_too_short", "too_short"):
        return _("may not be empty")
    if kind == "string_pattern_mismatch":
        return _("may contain only lower-case letters, digits and dashes")
    return _("is not valid")


def _pydantic_messages(prefix: str, error: ValidationError) -> list[str]:
    messages = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        messages.append(_("%(step)s: %(field)s %(problem)s.") % {
            "step": prefix, "field": where or "—", "problem": _problem(item)})
    return messages


def parse_step(raw: Mapping[str, Any]) -> StepSpec:
    """Validate one step against the vocabulary; raise ``StepError`` with every problem."""
    name = str(raw.get("key") or raw.get("title") or "?")
    try:
        step = StepSpec.model_validate(raw)
    except ValidationError as error:
        raise StepError(_pydantic_messages(name, error)) from None
    problems: list[str] = []
    triggers = []
    for part in step.when:
        condition = CONDITIONS.get(part.type)
        if condition is None:
            problems.append(_("%(step)s: unknown condition “%(type)s”.") % {
                "step": name, "type": part.type})
            continue
        try:
            condition.params(**part.params)
        except ValidationError as error:
            problems.extend(_pydantic_messages(f"{name} ({part.type})", error))
        if condition.trigger:
            triggers.append(condition)
    if len(triggers) != 1 and not problems:
        problems.append(_("%(step)s: a step needs exactly one condition that triggers it "
                          "(hours, lateness, sickness, attendance); it has %(count)s.") % {
            "step": name, "count": len(triggers)})
    for part in step.then:
        action = ACTIONS.get(part.type)
        if action is None:
            problems.append(_("%(step)s: unknown action “%(type)s”.") % {
                "step": name, "type": part.type})
            continue
        try:
            action.params(**part.params)
        except ValidationError as error:
            problems.extend(_pydantic_messages(f"{name} ({part.type})", error))
    if triggers and triggers[0].about_sickness and any(
            p.type in ("inform_partner", "propose_duo") for p in step.then):
        problems.append(_("%(step)s: sickness is never passed on to leerplicht, RMC or DUO; "
                          "use the youth doctor route instead.") % {"step": name})
    if triggers and any(p.type == "propose_duo" for p in step.then) and triggers[0].id not in (
            "unexcused_hours", "luxury_absence", "long_absence"):
        problems.append(_("%(step)s: a DUO report can only follow from unexcused hours, "
                          "suspected luxury absence or long absence.") % {"step": name})
    if problems:
        raise StepError(problems)
    return step


def parse_steps(raw: Iterable[Mapping[str, Any]]) -> list[StepSpec]:
    """Validate a whole protocol; keys must be unique. Raise ``StepError`` with every problem."""
    steps: list[StepSpec] = []
    problems: list[str] = []
    seen: set[str] = set()
    for item in raw:
        try:
            step = parse_step(item)
        except StepError as error:
            problems.extend(error.messages)
            continue
        if step.key in seen:
            problems.append(_("Two steps have the key “%(key)s”; keys must be unique.") % {
                "key": step.key})
        seen.add(step.key)
        steps.append(step)
    if problems:
        raise StepError(problems)
    return steps
