"""Read queries for the web pages, built on the gatekeeper.

Every function here starts from something :mod:`aanwezig.access` returned (a
school, a queryset of visible students, groups or lessons, an authorised
student or lesson) and only narrows it or loads data that hangs off it. Nothing
here decides *who* may see *what*; that stays in the gatekeeper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aanwezig import access
from aanwezig.attendance import queries as attendance_queries
from aanwezig.attendance.models import (
    AbsenceReason,
    AbsenceReport,
    MarkChange,
    MarkSource,
    MarkStatus,
    ReasonCategory,
    Registration,
)
from aanwezig.attendance.services import settable_keys
from aanwezig.roster.models import (
    Group,
    GroupMentor,
    Guardian,
    Lesson,
    LessonStatus,
    Membership,
    Student,
    TimetableEntry,
    active_membership_q,
)
from aanwezig.schools.models import Role, School

#: How many rows a section of the start page shows before it says "and N more".
START_LIST_LIMIT = 50

#: Roles whose start-page section shows the school's attendance figures.
FIGURE_ROLES = (Role.ATTENDANCE_OFFICER, Role.CARE_COORDINATOR, Role.SCHOOL_LEADER)


def current_memberships_prefetch(day: dt.date) -> Prefetch:
    """Prefetch a student's group memberships active on ``day`` as ``current_memberships``."""
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(active_membership_q(day))
        .select_related("group")
        .order_by("group__name"),
        to_attr="current_memberships",
    )


def groups_in_year(groups: QuerySet[Group], day: dt.date) -> QuerySet[Group]:
    """Narrow ``groups`` to those of the school year that contains ``day``."""
    return groups.filter(school_year__start_date__lte=day, school_year__end_date__gte=day)


def with_member_counts(groups: QuerySet[Group], day: dt.date) -> QuerySet[Group]:
    """Annotate ``member_count``: the group's members on ``day``."""
    return groups.annotate(
        member_count=Count(
            "memberships", filter=active_membership_q(day, "memberships__"), distinct=True
        )
    )


# --- the start page ------------------------------------------------------------------------------


@dataclass
class Section:
    """One block of the start page: a role (or a family link) at a school."""

    kind: str
    title: Any
    school: School | None = None
    roles: list[Any] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"web/start/_{self.kind}.html"


def teacher_overview(user: Any, school: School, day: dt.date) -> dict[str, Any]:
    """The groups the user teaches this school year and their own lessons on ``day``."""
    taught = TimetableEntry.objects.filter(
        group=OuterRef("pk"),
        teacher=user,
        school_year__start_date__lte=day,
        school_year__end_date__gte=day,
    )
    groups = list(
        with_member_counts(access.groups_for_user(user, school, day).filter(Exists(taught)), day)
        .order_by("name")[:START_LIST_LIMIT]
    )
    lessons = list(
        lessons_with_register_state(
            access.lessons_for_user(user, school).filter(teacher=user, date=day)
        )
        .select_related("group")
        .order_by("start_time")[:START_LIST_LIMIT]
    )
    missing = attendance_queries.my_missing_registers(user, school, day)
    now = timezone.localtime()
    # Lessons of a later day are all "later"; of an earlier day none is.
    if now.date() == day:
        later_than = now.time()
    else:
        later_than = dt.time.max if now.date() < day else dt.time.min
    return {"groups": groups, "lessons": lessons, "missing": missing, "now": later_than}


def mentees(user: Any, school: School, day: dt.date) -> QuerySet[Student]:
    """Students in the groups the user mentors, on ``day``, with their current groups."""
    mentored = GroupMentor.objects.filter(group=OuterRef("group_id"), user=user)
    in_mentor_group = Membership.objects.filter(
        active_membership_q(day), Exists(mentored), student=OuterRef("pk")
    )
    return (
        access.students_for_user(user, school, day)
        .filter(Exists(in_mentor_group))
        .prefetch_related(current_memberships_prefetch(day))
        .order_by("last_name", "given_name")
    )


def mentor_overview(user: Any, school: School, day: dt.date) -> dict[str, Any]:
    students = mentees(user, school, day)
    total = students.count()
    return {"students": list(students[:START_LIST_LIMIT]), "total": total,
            "more": max(0, total - START_LIST_LIMIT)}


def school_figures(user: Any, school: School, day: dt.date) -> dict[str, int]:
    """Counts for a school-wide role: students, groups, lessons and registers taken on ``day``."""
    students = access.students_for_user(user, school, day).filter(
        Q(enrolment_start__lte=day), Q(enrolment_end__isnull=True) | Q(enrolment_end__gte=day)
    )
    lessons = access.lessons_for_user(user, school).filter(date=day).aggregate(
        scheduled=Count("pk", filter=Q(status=LessonStatus.SCHEDULED)),
        cancelled=Count("pk", filter=Q(status=LessonStatus.CANCELLED)),
        registered=Count(
            "pk", filter=Q(status=LessonStatus.SCHEDULED, registration__isnull=False)
        ),
    )
    return {
        "students": students.count(),
        "groups": groups_in_year(access.groups_for_user(user, school, day), day).count(),
        "lessons": lessons["scheduled"],
        "cancelled": lessons["cancelled"],
        "registered": lessons["registered"],
    }


def setup_summary(school: School, day: dt.date) -> dict[str, Any]:
    """What an administrator has set up for ``school`` (the user is checked by the caller)."""
    years = list(school.school_years.order_by("start_date"))
    staff = {
        row["role"]: row["n"]
        for row in school.staff_roles.values("role").annotate(n=Count("user", distinct=True))
    }
    return {
        "years": years,
        "current_year": next((y for y in years if y.contains(day)), None),
        "periods": school.periods.count(),
        "staff": [(label, staff.get(value, 0)) for value, label in Role.choices],
        "timetable_entries": school.timetable.filter(
            valid_from__lte=day, valid_until__gte=day
        ).count(),
        "absence_reasons": school.absence_reasons.filter(is_active=True).count(),
    }


def student_day(student: Student, day: dt.date) -> dict[str, Any]:
    """A student's own groups, mentors and lessons on ``day`` (for the student themself)."""
    memberships = list(
        student.memberships.filter(active_membership_q(day))
        .select_related("group")
        .prefetch_related(
            Prefetch("group__mentorships", queryset=GroupMentor.objects.select_related("user"))
        )
    )
    groups = [m.group for m in memberships]
    lessons = list(
        Lesson.objects.filter(school=student.school_id, group__in=groups, date=day)
        .select_related("group")
        .order_by("start_time")
    )
    mentors = {gm.user.pk: gm.user for g in groups for gm in g.mentorships.all()}
    return {"groups": groups, "mentors": list(mentors.values()), "lessons": lessons,
            "single_group": len(groups) == 1}


def start_sections(user: Any, day: dt.date) -> list[Section]:
    """Build the start page: a section per role at each school, then family and own sections.

    1. Staff roles, school by school: teacher, mentor, school figures (attendance
       officer, care coordinator, school leader share one section), administrator.
    2. A parent's children, through the gatekeeper's consent rules.
    3. A student's own day.
    4. An external partner's schools (never student data).
    """
    sections: list[Section] = []
    role_labels = dict(Role.choices)
    for school in access.staff_schools(user).order_by("name"):
        roles = access.roles_at(user, school)
        if access.may_work_on_cases(user, school):
            tasks = task_overview(user, school, day)
            if tasks["tasks"]:  # no section without open tasks: the page stays calm
                sections.append(Section("tasks", _("Tasks"), school, data=tasks))
        if Role.TEACHER in roles:
            sections.append(Section("teacher", _("Teaching"), school,
                                    data=teacher_overview(user, school, day)))
        if Role.MENTOR in roles:
            sections.append(Section("mentor", _("Your mentees"), school,
                                    data=mentor_overview(user, school, day)))
        figure_roles = [role_labels[r] for r in FIGURE_ROLES if r in roles]
        if figure_roles:
            sections.append(Section("school", _("The school today"), school, roles=figure_roles,
                                    data=school_figures(user, school, day)))
        if Role.ADMINISTRATOR in roles:
            data = setup_summary(school, day)
            data["figures"] = school_figures(user, school, day)
            sections.append(Section("admin", _("School set-up"), school, data=data))

    links = access.children_for_user(user, day)
    if links:
        children = [link.student for link in links]
        prefetch_related_objects(children, current_memberships_prefetch(day))
        sections.append(Section("parent", _("Your children"), data={"links": links}))

    own = access.own_student(user)
    if own is not None:
        sections.append(Section("student", _("Your day"), own.school,
                                data={"student": own, **student_day(own, day)}))

    partner = getattr(user, "partner", None)
    if partner is not None:
        sections.append(Section("partner", _("Schools you work with"),
                                data={"partner": partner,
                                      "schools": list(partner.schools.order_by("name"))}))
        shared = list(access.partner_cases_for_user(user).select_related("student", "school")
                      .order_by("-status", "-opened_at")[:START_LIST_LIMIT])
        if shared:
            sections.append(Section("tasks", _("Cases shared with you"),
                                    data={"partner_cases": shared}))
    return sections


def task_overview(user: Any, school: School, day: dt.date) -> dict[str, Any]:
    """The user's open tasks at ``school`` for the start page, soonest due first, with how
    many there are and how many are overdue. A fixed number of queries (docs/cases.md)."""
    mine = access.my_open_tasks(user, school)
    counts = mine.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=day)))
    tasks = list(
        mine.select_related("student", "case", "assignee")
        .order_by(F("due_on").asc(nulls_last=True), "pk")[:START_LIST_LIMIT]
    ) if counts["total"] else []
    students = [t.student for t in tasks if t.student is not None]
    case_ids = [t.case_id for t in tasks if t.case_id]
    return {
        "tasks": tasks,
        "overdue": counts["overdue"],
        "more": max(0, counts["total"] - len(tasks)),
        "today": day,
        "next": reverse("start"),
        "openable": visible_ids(user, school, students) if students else set(),
        "visible_cases": set(access.cases_for_user(user, school).filter(pk__in=case_ids)
                             .values_list("pk", flat=True)) if case_ids else set(),
    }


# --- school pages --------------------------------------------------------------------------------


def members_on(group: Group, day: dt.date) -> QuerySet[Student]:
    """The students who are members of ``group`` (already authorised) on ``day``."""
    in_group = Membership.objects.filter(active_membership_q(day), group=group,
                                         student=OuterRef("pk"))
    return Student.objects.filter(school=group.school_id).filter(Exists(in_group)).order_by(
        "last_name", "given_name"
    )


def visible_ids(user: Any, school: School, students: list[Student]) -> set[int]:
    """Which of ``students`` the user may open (their student page answers, not 404)."""
    pks = [s.pk for s in students]
    return set(access.students_for_user(user, school).filter(pk__in=pks).values_list("pk", flat=True))


def timetable_of(group: Group, day: dt.date) -> list[TimetableEntry]:
    return list(
        group.timetable.filter(valid_from__lte=day, valid_until__gte=day)
        .select_related("period", "teacher")
        .order_by("period__weekday", "period__number")
    )


def guardian_links(student: Student) -> list[Any]:
    return list(student.guardian_links.select_related("guardian").order_by("guardian__last_name")[:20])


@dataclass
class Week:
    monday: dt.date
    friday: dt.date
    iso_week: int
    school_days: int
    number: int | None  # the school-week count, None for a week without lessons
    days_off: list[Any]


def calendar_overview(school: School, year: Any, cal: Any) -> dict[str, Any]:
    """The school year's days off and its weeks, with the school weeks counted.

    1. Load the year's days off once.
    2. Walk the calendar weeks from the week of the first day through the last day.
    3. Count school days per week from ``cal``; weeks with at least one are numbered.
    """
    days_off = list(year.days_off.order_by("start_date", "kind"))
    school_days = set(cal.school_days())
    weeks: list[Week] = []
    number = 0
    monday = year.start_date - dt.timedelta(days=year.start_date.weekday())
    while monday <= year.end_date:
        friday = monday + dt.timedelta(days=4)
        count = sum(1 for i in range(5) if monday + dt.timedelta(days=i) in school_days)
        if count:
            number += 1
        overlapping = [d for d in days_off if d.start_date <= friday and d.end_date >= monday]
        weeks.append(Week(monday, friday, monday.isocalendar().week, count,
                          number if count else None, overlapping))
        monday += dt.timedelta(days=7)
    for day_off in days_off:
        day_off.weekdays = sum(
            1
            for i in range((day_off.end_date - day_off.start_date).days + 1)
            if (day_off.start_date + dt.timedelta(days=i)).weekday() < 5
        )
    return {
        "days_off": days_off,
        "weeks": weeks,
        "school_day_count": len(school_days),
        "school_week_count": len(cal.school_weeks()),
    }


# --- registers, the desk and absence reports ------------------------------------------------------


def settable_reasons(user: Any, school: School) -> list[AbsenceReason]:
    """The school's active absence reasons the user's roles may set in a register or a call.

    Lateness and removal from class are register choices of their own, so their
    reasons are left out of the list.
    """
    kinds = settable_keys(user, school.pk) or set()
    return [
        reason
        for reason in school.absence_reasons.filter(is_active=True).order_by("sort_order", "code")
        if kinds & set(reason.settable_by or [])
        and not reason.is_lateness
        and reason.category != ReasonCategory.REMOVED
    ]


def reason_labels(school: School) -> dict[str, str]:
    """The school's absence reason labels by code (for register history)."""
    return dict(school.absence_reasons.values_list("code", "label"))


def sick_reason(school: School) -> AbsenceReason | None:
    """The reason a sick report by the office uses: the school's first active sickness reason."""
    return (
        school.absence_reasons.filter(is_active=True, category=ReasonCategory.SICK)
        .order_by("sort_order", "code")
        .first()
    )


def registration_of(lesson: Lesson) -> Registration | None:
    """The lesson's taken register, or None while nobody has taken it."""
    return Registration.objects.filter(lesson=lesson).select_related("taken_by").first()


@dataclass
class RegisterSummary:
    """How a register adds up, presence first."""

    present: int
    absent: int
    late: int
    removed: int

    @property
    def total(self) -> int:
        return self.present + self.absent + self.late + self.removed


def register_summary(rows: list[Any]) -> RegisterSummary:
    """Count a lesson's register rows: no mark is present; late and removed students were there."""
    statuses = [row.mark.status if row.mark is not None else None for row in rows]
    absent = statuses.count(MarkStatus.ABSENT)
    late = statuses.count(MarkStatus.LATE)
    removed = statuses.count(MarkStatus.REMOVED)
    return RegisterSummary(len(rows) - absent - late - removed, absent, late, removed)


def corrected_student_ids(lesson: Lesson, registration: Registration | None) -> set[int]:
    """Students whose mark changed after the register was first taken ("gewijzigd").

    Reads only student ids, so that pages which do not show the history need not load it."""
    if registration is None:
        return set()
    return set(
        MarkChange.objects.filter(
            lesson_id=lesson.pk,
            source__in=[MarkSource.REGISTER, MarkSource.OFFICE],
            changed_at__gt=registration.taken_at,
        ).values_list("student_id", flat=True)
    )


def lessons_with_register_state(lessons: QuerySet[Lesson]) -> QuerySet[Lesson]:
    """Annotate ``registered``: whether each lesson's register was taken."""
    return lessons.annotate(
        registered=Exists(Registration.objects.filter(lesson=OuterRef("pk")))
    )


def open_absence_reports(student: Student, today: dt.date) -> list[AbsenceReport]:
    """The student's absence reports that are open or still running on ``today``."""
    return list(
        student.absence_reports.filter(withdrawn=False)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("reason", "created_by")
        .order_by("start_date")[:20]
    )


def contactable_guardian(student: Student, guardian_id: int | None, day: dt.date) -> Guardian | None:
    """The student's guardian ``guardian_id`` if the school may contact them about ``day``."""
    if guardian_id is None:
        return None
    link = (
        student.guardian_links.filter(guardian_id=guardian_id)
        .select_related("guardian", "student")
        .first()
    )
    return link.guardian if link is not None and link.may_contact_on(day) else None


#: How each day of the attendance calendar is shown: a symbol next to the colour, and a word.
CALENDAR_STATES: dict[str, tuple[str, Any]] = {
    "present": ("✓", _("present")),
    "partly": ("◐", _("partly present")),
    "late": ("▲", _("late")),
    "absent_excused": ("○", _("absent with a valid reason")),
    "absent_unexcused": ("✕", _("absent without a valid reason")),
    "none": ("·", _("no lessons")),
    "holiday": ("–", _("holiday or day off")),
    "future": ("", _("still to come")),
}


@dataclass
class CalendarDay:
    day: dt.date | None
    state: str  # a CALENDAR_STATES key, "weekend", or "" for a date that does not exist

    @property
    def symbol(self) -> str:
        return CALENDAR_STATES.get(self.state, ("", ""))[0]

    @property
    def label(self) -> Any:
        return CALENDAR_STATES.get(self.state, ("", ""))[1]


@dataclass
class CalendarMonth:
    first: dt.date
    days: list[CalendarDay]


def calendar_months(calendar: dict[dt.date, str]) -> list[CalendarMonth]:
    """Lay the per-day attendance out as months × days 1–31 for an accessible grid.

    Weekends and other days missing from ``calendar`` are shown blank, and the
    31 columns stay aligned by padding short months with empty cells.
    """
    if not calendar:
        return []
    first, last = min(calendar), max(calendar)
    months: list[CalendarMonth] = []
    month = first.replace(day=1)
    while month <= last:
        days: list[CalendarDay] = []
        for number in range(1, 32):
            try:
                day = month.replace(day=number)
            except ValueError:
                days.append(CalendarDay(None, ""))
                continue
            state = calendar.get(day)
            if state is None:
                state = "weekend" if day.weekday() >= 5 else "none"
            days.append(CalendarDay(day, state))
        months.append(CalendarMonth(month, days))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def calendar_legend() -> list[tuple[str, str, Any]]:
    return [(state, symbol, label) for state, (symbol, label) in CALENDAR_STATES.items()]
