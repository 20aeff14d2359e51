"""The one access gatekeeper: who may see or change what.

Views never query school data directly; they ask here. Every ``get_*`` function
returns the object or raises the *same* ``Http404`` for "does not exist" and
"not yours", so that nobody can probe for another school's or family's data.

Rules (docs/access.md):

* school-wide roles (attendance officer, care coordinator, school leader,
  administrator) see every student, group and lesson of their school;
* a teacher sees the groups they teach in a current school year, their students
  and their own lessons;
* a mentor sees the groups they mentor and those students;
* a parent sees their own children, an adult child only with that child's consent;
* a student sees themself;
* an external partner sees no student data, only the cases shared with them
  (``partner_cases_for_user``), and of those only what the law allows;
* cases and tasks (docs/cases.md): school-wide roles all of their school, a mentor
  those of their current mentees;
* leave requests (docs/leave.md): school-wide roles all of their school; a parent sees
  the requests for their child and opens the ones they made themself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from aanwezig.attendance.models import AbsenceReport
from aanwezig.audit.services import record_read
from aanwezig.leave.models import LeaveRequest
from aanwezig.protocol.models import Case, Task, TaskStatus
from aanwezig.roster.models import (
    Group,
    GroupMentor,
    Lesson,
    Membership,
    Student,
    StudentGuardian,
    TimetableEntry,
    active_membership_q,
)
from aanwezig.schools.models import SCHOOL_WIDE_ROLES, Role, School, StaffRole

NOT_FOUND = "Not found"


def _deny() -> Http404:
    return Http404(NOT_FOUND)


def _today(school: School | None = None) -> dt.date:
    return timezone.localdate()


# --- roles -------------------------------------------------------------------------------------

def roles_at(user: Any, school: School | int) -> frozenset[str]:
    """Return the user's staff roles at ``school`` (cached on the user for one request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache: dict[int, frozenset[str]] | None = getattr(user, "_roles_cache", None)
    if cache is None:
        cache = {}
        for school_id, role in StaffRole.objects.filter(user=user).values_list("school_id", "role"):
            cache[school_id] = cache.get(school_id, frozenset()) | {role}
        user._roles_cache = cache
    school_id = school if isinstance(school, int) else school.pk
    return cache.get(school_id, frozenset())


def is_school_wide(user: Any, school: School | int) -> bool:
    return bool(roles_at(user, school) & SCHOOL_WIDE_ROLES)


def may_see_identifiers(user: Any, school: School | int) -> bool:
    """BSN and onderwijsnummer: only the attendance officer and the administrator."""
    return bool(roles_at(user, school) & {Role.ATTENDANCE_OFFICER, Role.ADMINISTRATOR})


def may_administer(user: Any, school: School | int | None = None) -> bool:
    """School set-up (Django admin): administrators only (and superusers)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if school is None:
        return StaffRole.objects.filter(user=user, role=Role.ADMINISTRATOR).exists()
    return Role.ADMINISTRATOR in roles_at(user, school)


def may_edit_protocol(user: Any, school: School | int) -> bool:
    """The school's absence protocol: its administrators and school leaders edit it."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_at(user, school) & {Role.ADMINISTRATOR, Role.SCHOOL_LEADER})


# --- schools -----------------------------------------------------------------------------------

def staff_schools(user: Any) -> QuerySet[School]:
    """Schools where the user holds any staff role."""
    if not getattr(user, "is_authenticated", False):
        return School.objects.none()
    return School.objects.filter(staff_roles__user=user).distinct()


def get_school_for_user(user: Any, school_id: int) -> School:
    """Return a school where the user is staff, or 404."""
    if not roles_at(user, school_id):
        raise _deny()
    try:
        return School.objects.select_related("board").get(pk=school_id)
    except School.DoesNotExist:
        raise _deny() from None


# --- groups ------------------------------------------------------------------------------------

def groups_for_user(user: Any, school: School, day: dt.date | None = None) -> QuerySet[Group]:
    """Groups of ``school`` the user may see on ``day`` (default today)."""
    day = day or _today(school)
    roles = roles_at(user, school)
    base = Group.objects.filter(school=school)
    if roles & SCHOOL_WIDE_ROLES:
        return base
    q = Q(pk__in=[])
    if Role.MENTOR in roles or Role.TEACHER in roles:
        q |= Q(pk__in=GroupMentor.objects.filter(school=school, user=user).values("group_id"))
    if Role.TEACHER in roles:
        q |= Q(pk__in=_taught_group_ids(user, school, day))
    return base.filter(q)


def _taught_group_ids(user: Any, school: School, day: dt.date) -> list[int]:
    """Groups the teacher has on the timetable in the school year of ``day`` (cached on the
    user object, which lives for one request, like the roles)."""
    cache: dict[tuple[int, dt.date], list[int]] = user.__dict__.setdefault("_taught_cache", {})
    key = (school.pk, day)
    if key not in cache:
        cache[key] = list(
            TimetableEntry.objects.filter(
                school=school, teacher=user,
                school_year__start_date__lte=day, school_year__end_date__gte=day,
            ).values_list("group_id", flat=True).distinct()
        )
    return cache[key]


def get_group_for_user(user: Any, school: School, pk: int) -> Group:
    try:
        return groups_for_user(user, school).get(pk=pk)
    except Group.DoesNotExist:
        raise _deny() from None


# --- students ----------------------------------------------------------------------------------

def students_for_user(user: Any, school: School, day: dt.date | None = None) -> QuerySet[Student]:
    """Students of ``school`` the user may see on ``day`` (default today)."""
    day = day or _today(school)
    roles = roles_at(user, school)
    base = Student.objects.filter(school=school)
    if roles & SCHOOL_WIDE_ROLES:
        return base
    if not roles & {Role.TEACHER, Role.MENTOR}:
        return base.none()
    groups = groups_for_user(user, school, day)
    members = Membership.objects.filter(
        active_membership_q(day), group__in=groups, student=OuterRef("pk")
    )
    return base.filter(Exists(members))


def get_student_for_user(
    user: Any, school: School, pk: int, *, log_read: bool = True, what: str = "student_file"
) -> Student:
    """Return a student of ``school`` the user may see, or 404. Logs the read in the audit trail."""
    try:
        student = students_for_user(user, school).select_related("school").get(pk=pk)
    except Student.DoesNotExist:
        raise _deny() from None
    if log_read:
        record_read(actor=user, student=student, what=what)
    return student


# --- lessons -----------------------------------------------------------------------------------

def lessons_for_user(user: Any, school: School) -> QuerySet[Lesson]:
    """Lessons of ``school`` the user may see: school-wide roles all, teachers their own and
    their groups', mentors their groups'."""
    roles = roles_at(user, school)
    base = Lesson.objects.filter(school=school)
    if roles & SCHOOL_WIDE_ROLES:
        return base
    if not roles & {Role.TEACHER, Role.MENTOR}:
        return base.none()
    return base.filter(Q(teacher=user) | Q(group__in=groups_for_user(user, school)))


def get_lesson_for_user(user: Any, school: School, pk: int) -> Lesson:
    try:
        return (
            lessons_for_user(user, school)
            .select_related("group", "teacher", "period")
            .get(pk=pk)
        )
    except Lesson.DoesNotExist:
        raise _deny() from None


# --- the attendance desk -----------------------------------------------------------------------

def require_school_wide(user: Any, school: School) -> None:
    """Raise the usual 404 unless the user holds a school-wide role at ``school``.

    The attendance desk and the missing-registers overview are for the
    attendance officer, care coordinator, school leader and administrator only.
    """
    if not is_school_wide(user, school):
        raise _deny()


def get_absence_report_for_user(
    user: Any, school: School, student: Student, pk: int
) -> AbsenceReport:
    """Return an absence report of ``student`` (already authorised) if the user may record
    absence for the student (``may_record_absence``), or 404."""
    if not may_record_absence(user, student):
        raise _deny()
    try:
        return AbsenceReport.objects.select_related("reason").get(
            pk=pk, school=school, student=student
        )
    except AbsenceReport.DoesNotExist:
        raise _deny() from None


# --- families ----------------------------------------------------------------------------------

def children_for_user(user: Any, day: dt.date | None = None) -> list[StudentGuardian]:
    """The guardian links of a parent user that they may view on ``day``.

    An adult child appears only when that child has given ``adult_consent_view``.
    """
    guardian = getattr(user, "guardian", None) if getattr(user, "is_authenticated", False) else None
    if guardian is None:
        return []
    day = day or timezone.localdate()
    links = StudentGuardian.objects.filter(guardian=guardian).select_related(
        "student", "student__school"
    )
    return [link for link in links if link.may_view_on(day)]


def get_child_for_user(user: Any, pk: int, *, what: str = "parent_view") -> Student:
    """Return a child the parent may view, or 404. Logs the read (``what``: which page)."""
    for link in children_for_user(user):
        if link.student.pk == pk:
            record_read(actor=user, student=link.student, what=what)
            return link.student
    raise _deny()


def is_guardian(user: Any) -> bool:
    """Whether ``user`` is a parent or carer (has a guardian record), with or without children
    they may see today."""
    if not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "guardian", None) is not None


def own_student(user: Any) -> Student | None:
    """The student record of a student user, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Student.objects.select_related("school").filter(user=user).first()


def may_report_for(user: Any, student: Student, day: dt.date | None = None) -> bool:
    """Whether ``user`` may report ``student`` sick or better, or report a medical appointment
    or a religious holiday, from the portal (docs/portal-reports.md).

    * a student of 18 or over, for themself;
    * a parent or carer linked to the student; for an adult child only when the child allows
      the parent both to see their attendance (``adult_consent_view``) and to be contacted
      (``adult_consent_contact``), since a report speaks for the child and is answered.

    Only while the student is enrolled. A student under 18 does not report themself: their
    parents do.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    day = day or _today()
    if not student.is_enrolled_on(day):
        return False
    if student.user_id is not None and student.user_id == user.pk:
        return student.is_adult_on(day)
    guardian = getattr(user, "guardian", None)
    if guardian is None:
        return False
    link = StudentGuardian.objects.filter(student=student, guardian=guardian).first()
    if link is None:
        return False
    if student.is_adult_on(day):
        return link.adult_consent_view and link.adult_consent_contact
    return True


# --- change rights -----------------------------------------------------------------------------

#: Roles that may edit guardians (board-level records) at any school of the board.
GUARDIAN_EDITORS = frozenset({Role.ADMINISTRATOR, Role.ATTENDANCE_OFFICER, Role.SCHOOL_LEADER})


def may_change_guardians(user: Any, board_id: int) -> bool:
    """Whether ``user`` may create or edit guardians of the board ``board_id``."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return StaffRole.objects.filter(
        user=user, school__board_id=board_id, role__in=GUARDIAN_EDITORS
    ).exists()


def may_change(user: Any, obj: Any) -> bool:
    """Whether ``user`` may change ``obj``. Used by services before every write."""
    if not getattr(user, "is_authenticated", False):
        return False
    if obj._meta.label == "roster.Guardian":
        return may_change_guardians(user, obj.board_id)
    school_id = getattr(obj, "school_id", None)
    if school_id is None:
        return bool(user.is_superuser)
    roles = roles_at(user, school_id)
    if Role.ADMINISTRATOR in roles:
        return True
    label = obj._meta.label
    if label == "roster.Lesson":
        return Role.ATTENDANCE_OFFICER in roles or obj.teacher_id == user.pk
    if label in {"roster.Student", "roster.StudentGuardian", "roster.Membership"}:
        return bool(roles & {Role.ATTENDANCE_OFFICER, Role.SCHOOL_LEADER})
    if label in {"schools.DayOff", "schools.SchoolYear", "schools.Period", "roster.TimetableEntry"}:
        return Role.SCHOOL_LEADER in roles
    return False


def may_take_register(user: Any, lesson: Lesson) -> bool:
    """Whether ``user`` may record the register of ``lesson``: its teacher, a mentor of its
    group, or school-wide staff of its school."""
    if not getattr(user, "is_authenticated", False):
        return False
    if lesson.teacher_id == user.pk or is_school_wide(user, lesson.school_id):
        return True
    return (
        Role.MENTOR in roles_at(user, lesson.school_id)
        and GroupMentor.objects.filter(group_id=lesson.group_id, user=user).exists()
    )


def may_record_absence(user: Any, student: Student, day: dt.date | None = None) -> bool:
    """Whether ``user`` may record absence reports and calls for ``student``: school-wide
    staff, or a mentor of a group the student is in on ``day`` (default today)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_school_wide(user, student.school_id):
        return True
    if Role.MENTOR not in roles_at(user, student.school_id):
        return False
    day = day or _today()
    groups = Membership.objects.filter(active_membership_q(day), student=student).values("group_id")
    return GroupMentor.objects.filter(user=user, group_id__in=groups).exists()


# --- cases and tasks (docs/cases.md) ------------------------------------------------------------

def _mentee_ids(user: Any, school: School, day: dt.date | None = None) -> QuerySet[Any, Any]:
    """The pks of the students in the groups ``user`` mentors at ``school`` on ``day``."""
    day = day or _today(school)
    mentored = GroupMentor.objects.filter(school=school, user=user).values("group_id")
    return (
        Membership.objects.filter(active_membership_q(day), school=school, group_id__in=mentored)
        .values("student_id")
    )


def may_work_on_cases(user: Any, school: School | int) -> bool:
    """Whether ``user`` works with cases at ``school`` at all: school-wide roles and mentors."""
    return bool(roles_at(user, school) & (SCHOOL_WIDE_ROLES | {Role.MENTOR}))


def cases_for_user(user: Any, school: School) -> QuerySet[Case]:
    """Cases of ``school`` the user may see: school-wide roles all, a mentor those of their
    current mentees, nobody else (teachers, parents, students, partners: none here)."""
    roles = roles_at(user, school)
    base = Case.objects.filter(school=school)
    if roles & SCHOOL_WIDE_ROLES:
        return base
    if Role.MENTOR in roles:
        return base.filter(student_id__in=_mentee_ids(user, school))
    return base.none()


def get_case_for_user(user: Any, school: School, pk: int, *, log_read: bool = True) -> Case:
    """Return a case of ``school`` the user may see, or 404. Logs the read (``what="case"``)."""
    try:
        case = cases_for_user(user, school).select_related(
            "student", "student__school", "opened_by", "closed_by"
        ).get(pk=pk)
    except Case.DoesNotExist:
        raise _deny() from None
    if log_read:
        record_read(actor=user, student=case.student, what="case")
    return case


def may_change_case(user: Any, case: Case) -> bool:
    """Whether ``user`` may write in ``case`` (conversations, agreements, notes, closing):
    whoever may see it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return cases_for_user(user, case.school).filter(pk=case.pk).exists()


def may_open_case(user: Any, student: Student) -> bool:
    """Whether ``user`` may open a case for ``student``: school-wide roles and the student's
    current mentor (the same people who record absence for the student)."""
    return may_record_absence(user, student)


def may_involve_partners(user: Any, school: School | int) -> bool:
    """Sharing a case with leerplicht, RMC or the jeugdarts is for school-wide roles only."""
    return is_school_wide(user, school)


def tasks_for_user(user: Any, school: School) -> QuerySet[Task]:
    """Open and done tasks of ``school`` for the user: assigned to them, for a school-wide
    role they hold there, or for the mentor role about one of their current mentees.
    Cancelled tasks are nobody's work any more and are left out."""
    roles = roles_at(user, school)
    base = Task.objects.filter(school=school, status__in=[TaskStatus.OPEN, TaskStatus.DONE])
    if not roles:
        return base.none()
    q = Q(assignee=user) | Q(role__in=sorted(roles & SCHOOL_WIDE_ROLES))
    if Role.MENTOR in roles:
        q |= Q(role=Role.MENTOR, student_id__in=_mentee_ids(user, school))
    return base.filter(q)


def my_open_tasks(user: Any, school: School) -> QuerySet[Task]:
    """The user's own open tasks: assigned to them, or for their role and nobody in
    particular (a task assigned to a colleague is theirs, even when it names our role)."""
    return tasks_for_user(user, school).filter(
        Q(assignee=user) | Q(assignee__isnull=True), status=TaskStatus.OPEN
    )


def get_task_for_user(user: Any, school: School, pk: int) -> Task:
    """Return an open or done task of ``school`` for the user, or 404."""
    try:
        return tasks_for_user(user, school).select_related("student", "case").get(pk=pk)
    except Task.DoesNotExist:
        raise _deny() from None


def tasks_to_cancel_for_user(user: Any, school: School) -> QuerySet[Task]:
    """Open tasks of ``school`` the user may cancel: school-wide roles (they run the
    protocol) any, anyone else only the tasks assigned to them."""
    base = Task.objects.filter(school=school, status=TaskStatus.OPEN)
    if is_school_wide(user, school):
        return base
    if not roles_at(user, school):
        return base.none()
    return base.filter(assignee=user)


def get_task_to_cancel_for_user(user: Any, school: School, pk: int) -> Task:
    """Return an open task of ``school`` the user may cancel, or 404."""
    try:
        return tasks_to_cancel_for_user(user, school).select_related("student", "case").get(
            pk=pk)
    except Task.DoesNotExist:
        raise _deny() from None


# --- external partners ------------------------------------------------------------------------

def partner_cases_for_user(user: Any) -> QuerySet[Case]:
    """Cases shared with the partner linked to ``user`` (``CasePartner``) at schools the
    partner serves. Anyone else gets none: partners never see a school's other cases."""
    partner = getattr(user, "partner", None) if getattr(user, "is_authenticated", False) else None
    if partner is None:
        return Case.objects.none()
    return Case.objects.filter(
        partners__partner=partner, school__in=partner.schools.values("pk")
    ).distinct()


def get_partner_case_for_user(user: Any, pk: int) -> Case:
    """Return a case shared with the partner ``user``, or 404. Logs the read."""
    try:
        case = partner_cases_for_user(user).select_related("student", "student__school",
                                                            "school").get(pk=pk)
    except Case.DoesNotExist:
        raise _deny() from None
    record_read(actor=user, student=case.student, what="partner_case")
    return case


# --- leave requests (docs/leave.md) ------------------------------------------------------------

def may_handle_leave(user: Any, school: School | int) -> bool:
    """Leave requests are decided, forwarded and recorded by the school head and the other
    school-wide roles of the school; nobody else sees them on the school side."""
    return is_school_wide(user, school)


def leave_requests_for_user(user: Any, school: School) -> QuerySet[LeaveRequest]:
    """Leave requests of ``school`` the user may handle: school-wide roles all, others none."""
    base = LeaveRequest.objects.filter(school=school)
    return base if may_handle_leave(user, school) else base.none()


def get_leave_request_for_user(user: Any, school: School, pk: int, *,
                               log_read: bool = True) -> LeaveRequest:
    """Return a leave request of ``school`` the user may handle, or 404. Logs the read
    (``what="leave_request"``): a request is part of the student's file."""
    try:
        leave = leave_requests_for_user(user, school).select_related(
            "student", "student__school", "requested_by", "decided_by", "forwarded_by",
            "school").get(pk=pk)
    except LeaveRequest.DoesNotExist:
        raise _deny() from None
    if log_read:
        record_read(actor=user, student=leave.student, what="leave_request")
    return leave


def leave_requests_of_child(user: Any, student: Student) -> QuerySet[LeaveRequest]:
    """The leave requests of a child the parent may view (``get_child_for_user`` first), from
    every parent of the child, so that nobody asks twice for the same days."""
    if not any(link.student.pk == student.pk for link in children_for_user(user)):
        return LeaveRequest.objects.none()
    return LeaveRequest.objects.filter(school_id=student.school_id, student=student)


def get_own_leave_request(user: Any, student: Student, pk: int) -> LeaveRequest:
    """Return a leave request of ``student`` that the parent ``user`` made themself, or 404.
    Another parent's request (its reason, its letter) is theirs."""
    guardian = getattr(user, "guardian", None) if getattr(user, "is_authenticated", False) else None
    if guardian is None:
        raise _deny()
    try:
        return leave_requests_of_child(user, student).select_related(
            "student", "student__school", "school", "requested_by", "decided_by").get(
            pk=pk, requested_by=guardian)
    except LeaveRequest.DoesNotExist:
        raise _deny() from None
