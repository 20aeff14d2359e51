"""Reads of the portal's child pages: everything a parent (or the student) sees about one
child, presence first.

Nothing here decides who may see what: the views get the child through
:mod:`aanwezig.access` (``get_child_for_user``, ``own_student``) and pass it in. Every
function works without a request and runs a fixed number of queries, however many
lessons, absences or children there are. Docs: docs/portal.md.

The figures come from the one way of counting (``attendance.counting`` through
``attendance.queries.student_attendance``) and the protocol position from
``protocol.queries.student_standing``, so the portal never tells a parent something
the school's own pages do not.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, npgettext

from aanwezig.attendance.counting import (
    ABSENT_EXCUSED,
    PRESENT,
    AttendanceCount,
    LessonOutcome,
    count_attendance_many,
    lesson_outcomes,
)
from aanwezig.attendance.models import AbsenceReport
from aanwezig.attendance.queries import student_attendance
from aanwezig.lib.dates import monday_of
from aanwezig.portal.models import ParentsSee, PortalSettings
from aanwezig.protocol import queries as protocol_queries
from aanwezig.protocol.queries import Standing, student_standing
from aanwezig.protocol.vocabulary import StepSpec
from aanwezig.roster.models import (
    GroupMentor,
    Lesson,
    LessonStatus,
    Membership,
    Student,
    StudentGuardian,
    active_membership_q,
)
from aanwezig.schools.calendar import school_year_on
from aanwezig.schools.models import ExternalPartner, HourUnit, PartnerKind, School
from aanwezig.web.queries import CALENDAR_STATES, CalendarDay

# --- the school's portal settings ----------------------------------------------------------------


def portal_settings(school: School) -> PortalSettings:
    """The school's portal settings; an unsaved default (per day, no hours, no text) when the
    school has not set any."""
    found = PortalSettings.objects.filter(school=school).first()
    return found if found is not None else PortalSettings(school=school)


# --- words for states ------------------------------------------------------------------------------

#: The Pico/aanwezig tag class per state; the tag always carries a word too.
STATE_CLASSES = {
    "present": "status-present",
    "late": "status-late",
    "partly": "status-late",
    "absent_excused": "status-excused",
    "absent_unexcused": "status-absent",
    "unknown": "status-absent",
}

#: States of one lesson that the year calendar does not have.
LESSON_STATES: dict[str, tuple[str, Any]] = {
    "unknown": ("✕", gettext_lazy("absent, reason not known yet")),
    "unregistered": ("·", gettext_lazy("not registered yet")),
    "cancelled": ("–", gettext_lazy("lesson cancelled")),
}


def state_symbol(state: str) -> str:
    return (CALENDAR_STATES.get(state) or LESSON_STATES.get(state) or ("", ""))[0]


def state_label(state: str) -> str:
    return str((CALENDAR_STATES.get(state) or LESSON_STATES.get(state) or ("", state))[1])


def _number(value: float) -> str:
    """``3`` or ``2,5``: hours as people write them in the current language."""
    if value == int(value):
        return str(int(value))
    return formats.number_format(value, 1)


def hours_word(unit: str, value: float) -> str:
    """``lesuur``/``lesuren`` or ``klokuur``/``klokuren`` (the protocol's own words)."""
    count = 1 if value == 1 else 2
    if unit == HourUnit.KLOKUUR:
        return npgettext("unexcused hours", "clock hour", "clock hours", count)
    return npgettext("unexcused hours", "lesson hour", "lesson hours", count)


# --- this week ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonLine:
    """One lesson of this week as a parent sees it (per-lesson schools only)."""

    start: dt.time
    end: dt.time
    subject: str
    state: str
    reason: str = ""

    @property
    def symbol(self) -> str:
        return state_symbol(self.state)

    @property
    def label(self) -> str:
        return state_label(self.state)

    @property
    def css(self) -> str:
        return STATE_CLASSES.get(self.state, "status-neutral")


@dataclass(frozen=True)
class WeekDay:
    """One school day of this week: how it went, and what absences were registered as."""

    day: dt.date
    state: str
    is_today: bool
    lessons: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)
    lesson_lines: list[LessonLine] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        return state_symbol(self.state)

    @property
    def label(self) -> str:
        return state_label(self.state)

    @property
    def css(self) -> str:
        return STATE_CLASSES.get(self.state, "status-neutral")


def _is_absence(outcome: LessonOutcome) -> bool:
    """Whether a lesson counts as missed or late (what a parent wants explained)."""
    return outcome.registered and (outcome.result != PRESENT or outcome.late)


def _registered_as(outcome: LessonOutcome) -> str:
    """What a missed or late lesson was registered as: the school's reason label, or plain
    words when no reason was given (never anything about health)."""
    if outcome.reason_label:
        return outcome.reason_label
    if outcome.result == PRESENT and outcome.late:
        return str(_("late"))
    return str(_("no reason given yet"))


def _lesson_state(outcome: LessonOutcome | None, lesson: Lesson, today: dt.date) -> str:
    if lesson.status == LessonStatus.CANCELLED:
        return "cancelled"
    if lesson.date > today:
        return "future"
    if outcome is None or not outcome.registered:
        return "unregistered"
    if outcome.result == PRESENT:
        return "late" if outcome.late else "present"
    if outcome.result == ABSENT_EXCUSED:
        return "absent_excused"
    return "absent_unexcused" if outcome.reason_label else "unknown"


def _week_lessons(student: Student, monday: dt.date, friday: dt.date) -> dict[dt.date, list[Lesson]]:
    """The lessons of the student's groups this week, cancelled ones too, on the days the
    student belonged to the group (two queries)."""
    memberships = list(
        Membership.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=monday),
                                  student=student, start_date__lte=friday)
        .values_list("group_id", "start_date", "end_date")
    )
    if not memberships:
        return {}
    lessons = Lesson.objects.filter(
        school_id=student.school_id, group_id__in=[m[0] for m in memberships],
        date__gte=monday, date__lte=friday,
    ).order_by("date", "start_time", "pk")
    by_day: dict[dt.date, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        if any(g == lesson.group_id and start <= lesson.date and (end is None or lesson.date <= end)
               for g, start, end in memberships):
            by_day[lesson.date].append(lesson)
    return by_day


def _week(student: Student, today: dt.date, calendar: dict[dt.date, str],
          outcomes: list[LessonOutcome], per_lesson: bool) -> list[WeekDay]:
    monday = monday_of(today)
    days = [monday + dt.timedelta(days=n) for n in range(5)]
    by_day: dict[dt.date, list[LessonOutcome]] = defaultdict(list)
    for outcome in outcomes:
        if monday <= outcome.date:
            by_day[outcome.date].append(outcome)
    lessons = _week_lessons(student, monday, days[-1]) if per_lesson else {}
    week = []
    for day in days:
        day_outcomes = by_day.get(day, [])
        reasons = Counter(_registered_as(o) for o in day_outcomes if _is_absence(o))
        lines: list[LessonLine] = []
        if per_lesson:
            by_lesson = {o.lesson_id: o for o in day_outcomes}
            for lesson in lessons.get(day, []):
                found = by_lesson.get(lesson.pk)
                state = _lesson_state(found, lesson, today)
                reason = _registered_as(found) if found and _is_absence(found) else ""
                lines.append(LessonLine(lesson.start_time, lesson.end_time, lesson.subject,
                                        state, "" if state == "unknown" else reason))
        state = calendar.get(day, "future" if day > today else "none")
        if state == "none" and any(not o.registered for o in day_outcomes):
            state = "unregistered"  # lessons today (or earlier) whose register is not taken yet
        week.append(WeekDay(day, state, day == today,
                            lessons=sum(1 for o in day_outcomes if o.registered),
                            reasons=sorted(reasons.items(), key=lambda r: (-r[1], r[0])),
                            lesson_lines=lines))
    return week


# --- the year calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthGrid:
    """One month as weeks of Monday to Friday; ``None`` for a day of another month."""

    first: dt.date
    weeks: list[list[CalendarDay | None]]


def calendar_grid(calendar: dict[dt.date, str], today: dt.date) -> list[MonthGrid]:
    """Lay the per-day attendance out as small month grids (Monday to Friday), from the
    start of the school year through the current month: a phone shows two months side by
    side, and months still to come hold nothing to see yet."""
    if not calendar:
        return []
    first, last = min(calendar), min(max(calendar), today)
    months = []
    month = first.replace(day=1)
    while month <= last:
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        weeks: list[list[CalendarDay | None]] = []
        monday = monday_of(month)
        while monday < next_month:
            row: list[CalendarDay | None] = []
            for offset in range(5):
                day = monday + dt.timedelta(days=offset)
                if day.month != month.month:
                    row.append(None)
                else:
                    row.append(CalendarDay(day, calendar.get(day, "none")))
            if any(row):
                weeks.append(row)
            monday += dt.timedelta(days=7)
        months.append(MonthGrid(month, weeks))
        month = next_month
    return months


def calendar_legend() -> list[tuple[str, str, str]]:
    """The states the calendar uses, each with its symbol and word."""
    return [(state, symbol, str(label)) for state, (symbol, label) in CALENDAR_STATES.items()]


# --- what absences were registered as ---------------------------------------------------------------


@dataclass(frozen=True)
class AbsenceDay:
    """A day with missed or late lessons, and what they were registered as."""

    day: dt.date
    reasons: list[tuple[str, int]]


@dataclass(frozen=True)
class CurrentReport:
    """An absence reported beforehand that runs today or later (a sick report, leave)."""

    label: str
    start: dt.date
    end: dt.date | None
    expected_end: dt.date | None


def _absence_days(outcomes: Iterable[LessonOutcome]) -> list[AbsenceDay]:
    by_day: dict[dt.date, Counter[str]] = defaultdict(Counter)
    for outcome in outcomes:
        if _is_absence(outcome):
            by_day[outcome.date][_registered_as(outcome)] += 1
    return [AbsenceDay(day, sorted(c.items(), key=lambda r: (-r[1], r[0])))
            for day, c in sorted(by_day.items(), reverse=True)]


def _current_reports(student: Student, today: dt.date) -> list[CurrentReport]:
    reports = (
        AbsenceReport.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today),
                                     student=student, withdrawn=False)
        .select_related("reason").order_by("start_date")[:10]
    )
    return [CurrentReport(r.reason.label, r.start_date, r.end_date, r.expected_end)
            for r in reports]


# --- the hours that count towards the protocol -------------------------------------------------------


@dataclass(frozen=True)
class ProtocolHours:
    """Unexcused hours in the protocol's window and what happens at the next step, in words a
    parent understands: "In de laatste 4 schoolweken: 3 lesuren zonder geldige reden. Bij 6
    belt de mentor u." ``for_student`` says the same to the student."""

    hours: float
    weeks: int
    threshold: float | None
    summary: str
    next_parent: str = ""
    next_student: str = ""

    @property
    def for_parent(self) -> str:
        return " ".join(part for part in (self.summary, self.next_parent) if part)

    @property
    def for_student(self) -> str:
        return " ".join(part for part in (self.summary, self.next_student) if part)


#: What a family notices first of a step, in this order: a call, an invitation, a message…
NOTICED_FIRST = ("phone_parents", "plan_conversation", "message_guardians", "talk_to_student",
                 "propose_jeugdarts", "propose_duo", "inform_partner")


def _next_step_words(step: StepSpec, at: str, given_name: str) -> tuple[str, str]:
    """What happens at the next step, for the parent and for the student: what a family
    notices first of its actions (``NOTICED_FIRST``), else the step's title."""
    found: dict[str, str] = {}
    for action, params in step.actions():
        kind = params.kind if action.id == "task" else action.id
        role = getattr(params, "role", None) or step.role
        found.setdefault(kind, protocol_queries.role_label(role))
    kind = next((k for k in NOTICED_FIRST if k in found), "")
    values = {"at": at, "name": given_name, "role": found.get(kind, "")}
    if kind == "phone_parents":
        return (_("At %(at)s the %(role)s phones you.") % values,
                _("At %(at)s the %(role)s gets in touch.") % values)
    if kind == "plan_conversation":
        return (_("At %(at)s we invite you and %(name)s for a conversation.") % values,
                _("At %(at)s we invite you for a conversation.") % values)
    if kind == "message_guardians":
        return (_("At %(at)s you get a message from the school.") % values,
                _("At %(at)s the school sends a message.") % values)
    if kind == "talk_to_student":
        return (_("At %(at)s the %(role)s talks with %(name)s.") % values,
                _("At %(at)s the %(role)s talks with you.") % values)
    if kind == "propose_jeugdarts":
        text = _("At %(at)s the school suggests a talk with the youth doctor.") % values
        return text, text
    if kind in ("propose_duo", "inform_partner"):
        text = _("At %(at)s the school has to tell the leerplichtambtenaar, as the law asks. "
                 "You always hear this from us first.") % values
        return text, text
    text = _("At %(at)s the next step is: %(title)s.") % {**values, "title": step.title}
    return text, text


def protocol_hours(student: Student, standing: Standing, fallback_hours: float) -> ProtocolHours:
    """The unexcused hours that count towards the protocol, from where the student stands on
    the protocol's "unexcused hours" ladder; without that ladder (no school year, or the
    school has no such step) the last 4 school weeks of the attendance figures."""
    unit = student.school.hour_unit
    ladder = next((lad for lad in standing.ladders if lad.trigger == "unexcused_hours"), None)
    step: StepSpec | None = None
    weeks, hours, threshold = 4, fallback_hours, None
    if ladder is not None and standing.version is not None:
        steps = {s.key: s for s in protocol_queries.parse_version(standing.version)[0]}
        hours = ladder.value
        if ladder.next_step is not None:
            step = steps.get(ladder.next_step.key)
        else:
            same = [s for s in steps.values() if s.active and s.trigger()[0].id == "unexcused_hours"]
            if same:
                weeks = same[-1].trigger()[1].weeks
    if step is not None:
        params = step.trigger()[1]
        weeks, threshold = params.weeks, params.hours
    if hours:
        summary = _("In the last %(weeks)s school weeks: %(hours)s %(unit)s without a valid "
                    "reason.") % {"weeks": weeks, "hours": _number(hours),
                                  "unit": hours_word(unit, hours)}
    else:
        summary = _("In the last %(weeks)s school weeks: no %(unit)s without a valid reason.") % {
            "weeks": weeks, "unit": hours_word(unit, 2)}
    if step is None or threshold is None:
        return ProtocolHours(hours, weeks, None, summary)
    parent, own = _next_step_words(step, _number(threshold), student.given_name)
    return ProtocolHours(hours, weeks, threshold, summary, parent, own)


# --- the child's overview ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildOverview:
    """Everything the child page shows about one child, presence first."""

    student: Student
    school: School
    today: dt.date
    age: int
    groups: list[str]
    parents_see: str
    has_school_year: bool
    week: list[WeekDay]
    week_count: AttendanceCount
    term_count: AttendanceCount
    term_name: str
    year_count: AttendanceCount
    months: list[MonthGrid]
    legend: list[tuple[str, str, str]]
    absence_days: list[AbsenceDay]
    absence_days_more: int
    by_reason: list[tuple[str, int]]
    current_reports: list[CurrentReport]
    hours: ProtocolHours
    standing: Standing

    #: How many days with absence the overview lists (the rest is counted).
    ABSENCE_DAYS = 10

    @property
    def weekdays(self) -> list[dt.date]:
        """Monday to Friday of this week, for the calendar's column headings."""
        monday = monday_of(self.today)
        return [monday + dt.timedelta(days=n) for n in range(5)]

    @property
    def per_lesson(self) -> bool:
        return self.parents_see == ParentsSee.LESSON

    @property
    def percent_year(self) -> float | None:
        return self.year_count.percent_present

    @property
    def whole_week_present(self) -> bool:
        """Every registered lesson of this week so far was attended (late counts as there)."""
        return self.week_count.lessons > 0 and self.week_count.present == self.week_count.lessons

    @property
    def steps_this_year(self) -> int:
        """How many protocol steps were reached this school year."""
        return sum(len(ladder.reached) for ladder in self.standing.ladders) + \
            len(self.standing.earlier)


def child_overview(student: Student, today: dt.date, *,
                   parents_see: str | None = None) -> ChildOverview:
    """Everything the child page shows, without a request (the student's own portal reuses it).

    ``student`` comes from the gatekeeper. ``parents_see`` overrides the school's
    ``PortalSettings.parents_see`` (``"day"`` or ``"lesson"``).

    1. The attendance figures and the year calendar (``student_attendance``).
    2. Every counted lesson of this school year (three queries): this week per day or per
       lesson (two more queries per lesson), and what each absence was registered as.
    3. Absences reported beforehand that still run (sick, leave): one query.
    4. Where the student stands in the protocol (``student_standing``), for the hours that
       count towards it in plain words.
    """
    school = student.school
    mode = parents_see or portal_settings(school).parents_see or ParentsSee.DAY
    attendance = student_attendance(student, today)
    year = school_year_on(school, today)
    outcomes = (lesson_outcomes(school, [student.pk], year.start_date, today)[student.pk]
                if year is not None else [])
    groups = list(
        Membership.objects.filter(active_membership_q(today), student=student)
        .order_by("group__name").values_list("group__name", flat=True)
    )
    days = _absence_days(outcomes)
    by_reason: Counter[str] = Counter(_registered_as(o) for o in outcomes if _is_absence(o))
    standing = student_standing(student, today, translation.get_language())
    return ChildOverview(
        student=student, school=school, today=today, age=student.age_on(today),
        groups=groups, parents_see=mode, has_school_year=year is not None,
        week=_week(student, today, attendance.calendar, outcomes, mode == ParentsSee.LESSON)
        if year is not None else [],
        week_count=attendance.week, term_count=attendance.term, term_name=attendance.term_name,
        year_count=attendance.year,
        months=calendar_grid(attendance.calendar, today), legend=calendar_legend(),
        absence_days=days[:ChildOverview.ABSENCE_DAYS],
        absence_days_more=max(0, len(days) - ChildOverview.ABSENCE_DAYS),
        by_reason=sorted(by_reason.items(), key=lambda r: (-r[1], r[0])),
        current_reports=_current_reports(student, today),
        hours=protocol_hours(student, standing, attendance.unexcused_hours_4_weeks),
        standing=standing,
    )


# --- the portal's home ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildLine:
    """One child on the portal's home: presence this school year in one calm line."""

    student: Student
    groups: list[str]
    count: AttendanceCount
    has_school_year: bool

    @property
    def percent(self) -> float | None:
        return self.count.percent_present


def children_lines(links: list[StudentGuardian], today: dt.date) -> list[ChildLine]:
    """The children of a parent (the gatekeeper's links), each with presence this school year.

    Children at several schools of the board appear together, by name. Queries per school
    (its school year, and the count's three), not per child; one for the groups.
    """
    students = sorted({link.student.pk: link.student for link in links}.values(),
                      key=lambda s: (s.given_name, s.last_name, s.pk))
    by_school: dict[int, list[Student]] = defaultdict(list)
    for student in students:
        by_school[student.school_id].append(student)
    counts: dict[int, AttendanceCount] = {}
    with_year: set[int] = set()
    for school_students in by_school.values():
        school = school_students[0].school
        year = school_year_on(school, today)
        if year is None:
            continue
        ids = [s.pk for s in school_students]
        with_year.update(ids)
        counts.update(count_attendance_many(school, ids, year.start_date, today))
    groups: dict[int, list[str]] = defaultdict(list)
    if students:
        for student_id, name in Membership.objects.filter(
                active_membership_q(today), student_id__in=[s.pk for s in students]
        ).order_by("group__name").values_list("student_id", "group__name"):
            groups[student_id].append(name)
    return [ChildLine(s, groups[s.pk], counts.get(s.pk, AttendanceCount()), s.pk in with_year)
            for s in students]


# --- contacts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    email: str = ""
    phone: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class Contacts:
    """Who a parent can turn to about one child."""

    school: School
    mentors: list[Person]
    desk_hours: str
    leerplicht: list[Person]
    youth_doctors: list[Person]
    worries: str
    worries_is_default: bool


#: What parents read under "worried?" when the school has not written its own text.
DEFAULT_WORRIES = gettext_lazy(
    "Are you worried about your child, about school or about attendance? Talk to the mentor "
    "first: the mentor knows your child and is your first contact at school. You can also "
    "call the attendance desk. With questions about health you can go to the youth doctor "
    "(jeugdarts) of the GGD, and with questions about going to school to the "
    "leerplichtambtenaar of your town. The social team (wijkteam) of your town is there for "
    "help at home. You are never alone with your worries."
)


def contacts(student: Student, today: dt.date) -> Contacts:
    """The child's mentors (name, and e-mail if they have one), the attendance desk (the
    school's phone and e-mail, the desk's hours), the leerplichtambtenaar and the youth doctor
    linked to the school, and where to go with worries. Four queries."""
    school = student.school
    groups = Membership.objects.filter(active_membership_q(today), student=student) \
        .values("group_id")
    mentors: dict[int, Person] = {}
    for mentorship in GroupMentor.objects.filter(group_id__in=groups).select_related("user") \
            .order_by("user__last_name", "user__first_name", "pk"):
        user = mentorship.user
        mentors.setdefault(user.pk, Person(user.display_name(), user.email))
    partners: dict[str, list[Person]] = defaultdict(list)
    for partner in ExternalPartner.objects.filter(
            schools=school, kind__in=[PartnerKind.LEERPLICHT, PartnerKind.YOUTH_DOCTOR]
    ).order_by("name", "pk"):
        partners[partner.kind].append(
            Person(partner.name, partner.email, partner.phone, partner.organisation))
    settings = portal_settings(school)
    worries = (settings.worries or "").strip()
    return Contacts(
        school=school, mentors=list(mentors.values()), desk_hours=settings.desk_hours,
        leerplicht=partners[PartnerKind.LEERPLICHT],
        youth_doctors=partners[PartnerKind.YOUTH_DOCTOR],
        worries=worries or str(DEFAULT_WORRIES), worries_is_default=not worries,
    )


# --- the school's protocol in plain language --------------------------------------------------------


@dataclass(frozen=True)
class PlainStep:
    """One step as parents read it: when, who, and the text for parents."""

    key: str
    title: str
    when: str
    role: str
    text: str


@dataclass(frozen=True)
class PlainLadder:
    id: str
    title: str
    intro: str
    steps: list[PlainStep]


def plain_protocol(school: School, language: str | None = None) -> tuple[Any, list[PlainLadder]]:
    """The protocol in force as parents read it: per topic, per step when it happens (the
    trigger in words), who is responsible, and the parents' text. Staff details (tasks,
    cases, cooldowns, switched-off steps) stay out."""
    version = protocol_queries.current_version(school)
    document = protocol_queries.protocol_document(version, language or translation.get_language())
    ladders = [
        PlainLadder(ladder.id, ladder.title, ladder.intro,
                    [PlainStep(s.key, s.title, s.when, s.role, s.text) for s in ladder.steps])
        for ladder in document.ladders
    ]
    return version, ladders
