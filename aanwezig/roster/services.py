"""Writes for the roster: students, guardians, groups, memberships, the timetable and lessons.

Same contract as every service: complete validation first, one transaction,
a keyword-only ``actor`` (``None`` is the system), an audit row per change,
``ValidationError`` with a translatable message for bad input and
``PermissionDenied`` for a missing right. Turning the weekly timetable into
lessons lives in :mod:`aanwezig.roster.lessons`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from aanwezig import access
from aanwezig.audit.services import diff
from aanwezig.lib.phone import to_e164
from aanwezig.roster.models import (
    Group,
    GroupMentor,
    Guardian,
    Lesson,
    LessonStatus,
    Membership,
    Student,
    StudentGuardian,
    TimetableEntry,
)
from aanwezig.schools.calendar import Calendar
from aanwezig.schools.models import Board, Period, School, SchoolYear, StaffRole
from aanwezig.schools.services import (
    add_error,
    apply_changes,
    audit_create,
    audit_delete,
    audit_update,
    check_change,
    deny,
    field_names,
    reload,
    validate,
)

Errors = dict[str, list[ValidationError]]


def _d(day: dt.date) -> str:
    return f"{day:%d-%m-%Y}"


def _t(moment: dt.time) -> str:
    return f"{moment:%H:%M}"


def _person(user: Any) -> str:
    name = getattr(user, "display_name", None)
    return name() if callable(name) else str(user)


def _check_staff(errors: Errors, field: str, user: Any, school: School) -> None:
    if user is not None and not StaffRole.objects.filter(school=school, user=user).exists():
        add_error(errors, field, _("%(person)s does not work at %(school)s."), "not_staff",
                  {"person": _person(user), "school": school.name})


def _check_inside_year(errors: Errors, field: str | None, year: SchoolYear,
                       *days: dt.date | None) -> None:
    if any(day is not None and not year.contains(day) for day in days):
        add_error(
            errors, field,
            _("The dates must lie inside school year %(year)s (%(start)s to %(end)s)."),
            "outside_school_year",
            {"year": year.name, "start": _d(year.start_date), "end": _d(year.end_date)},
        )


# --- students ----------------------------------------------------------------------------------

STUDENT_FIELDS = (
    "user_id", "first_names", "given_name", "prefix", "last_name", "birth_date", "sector",
    "enrolment_start", "enrolment_end", "has_startkwalificatie", "eckid", "school_key", "bsn",
    "onderwijsnummer",
)


def _validate_student(student: Student) -> None:
    errors: Errors = {}
    if student.school_key:
        student.school_key = student.school_key.strip()
        taken = Student.objects.filter(school_id=student.school_id, school_key=student.school_key)
        if taken.exclude(pk=student.pk).exists():
            add_error(errors, "school_key",
                      _("Student number %(key)s is already in use at this school."),
                      "duplicate_school_key", {"key": student.school_key})
    # Student.clean refuses a birth date in the future, an enrolment ending before it
    # starts and a BSN that fails the eleven test.
    validate(student, errors, validate_constraints=False)


@transaction.atomic
def create_student(school: School, *, actor: Any, **fields: Any) -> Student:
    """Enrol a student at ``school``; the sector defaults to the school's."""
    student = Student(school=school)
    fields.setdefault("sector", school.sector)
    apply_changes(student, fields, STUDENT_FIELDS)
    check_change(actor, student)
    _validate_student(student)
    student.save()
    audit_create(actor, student, student=student)
    return student


@transaction.atomic
def update_student(student: Student, *, actor: Any, **changes: Any) -> Student:
    check_change(actor, student)
    before = reload(student)
    apply_changes(student, changes, STUDENT_FIELDS)
    _validate_student(student)
    student.save()
    audit_update(actor, before, student, student=student)
    return student


# --- guardians ---------------------------------------------------------------------------------

GUARDIAN_FIELDS = (
    "user_id", "given_name", "prefix", "last_name", "email", "phone", "language",
    "preferred_channel", "external_key",
)

#: Roles that may keep parents' contact details up to date.
def _check_guardian_editor(actor: Any, board_id: int) -> None:
    """Guardians belong to the board: the gatekeeper decides who may edit them."""
    if actor is not None and not access.may_change_guardians(actor, board_id):
        raise deny()


def _validate_guardian(guardian: Guardian) -> None:
    errors: Errors = {}
    guardian.email = (guardian.email or "").strip()
    if guardian.email:
        try:
            validate_email(guardian.email)
        except ValidationError:
            add_error(errors, "email",
                      _("“%(value)s” is not an e-mail address. Use for example "
                        "name@example.nl."), "invalid_email", {"value": guardian.email})
    if guardian.phone:
        try:
            guardian.phone = to_e164(guardian.phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.error_list)
    if errors:
        # Report our clear messages only; the field validators would repeat them.
        raise ValidationError(errors)
    validate(guardian)


@transaction.atomic
def create_guardian(board: Board, *, actor: Any, **fields: Any) -> Guardian:
    """Add a parent or carer to ``board``; the phone number is stored as E.164."""
    _check_guardian_editor(actor, board.pk)
    guardian = Guardian(board=board)
    apply_changes(guardian, fields, GUARDIAN_FIELDS)
    _validate_guardian(guardian)
    guardian.save()
    audit_create(actor, guardian)
    return guardian


@transaction.atomic
def update_guardian(guardian: Guardian, *, actor: Any, **changes: Any) -> Guardian:
    _check_guardian_editor(actor, guardian.board_id)
    before = reload(guardian)
    apply_changes(guardian, changes, GUARDIAN_FIELDS)
    _validate_guardian(guardian)
    guardian.save()
    audit_update(actor, before, guardian)
    return guardian


LINK_FIELDS = ("relation", "has_authority", "lives_with_student", "receives_messages")


@transaction.atomic
def link_guardian(student: Student, guardian: Guardian, *, relation: str, actor: Any,
                  **options: Any) -> StudentGuardian:
    """Link a parent or carer to a student of the same school board."""
    link = StudentGuardian(school_id=student.school_id, student=student, guardian=guardian,
                           relation=relation)
    apply_changes(link, options, LINK_FIELDS)
    check_change(actor, link)
    errors: Errors = {}
    if guardian.board_id != student.school.board_id:
        add_error(errors, "guardian",
                  _("%(guardian)s belongs to another school board than %(student)s."),
                  "other_board", {"guardian": guardian.full_name, "student": student.full_name})
    elif StudentGuardian.objects.filter(student=student, guardian=guardian).exists():
        add_error(errors, "guardian", _("%(guardian)s is already linked to %(student)s."),
                  "already_linked",
                  {"guardian": guardian.full_name, "student": student.full_name})
    validate(link, errors, validate_constraints=False)
    link.save()
    audit_create(actor, link, student=student)
    return link


@transaction.atomic
def update_guardian_link(link: StudentGuardian, *, actor: Any, **changes: Any) -> StudentGuardian:
    """Change relation, authority and whether the guardian receives messages."""
    check_change(actor, link)
    before = reload(link)
    apply_changes(link, changes, LINK_FIELDS)
    validate(link)
    link.save()
    audit_update(actor, before, link, student=link.student)
    return link


@transaction.atomic
def unlink_guardian(link: StudentGuardian, *, actor: Any) -> None:
    check_change(actor, link)
    audit_delete(actor, link, student=link.student)
    link.delete()


# --- groups, mentors, memberships --------------------------------------------------------------

GROUP_FIELDS = ("name", "kind", "year_level", "level", "programme", "external_key")


def _validate_group(group: Group) -> None:
    errors: Errors = {}
    if group.school_year.school_id != group.school_id:
        add_error(errors, "school_year", _("The school year belongs to another school."),
                  "other_school")
    validate(group, errors)


@transaction.atomic
def create_group(school_year: SchoolYear, *, name: str, kind: str, actor: Any,
                 **fields: Any) -> Group:
    group = Group(school_id=school_year.school_id, school_year=school_year, name=name, kind=kind)
    apply_changes(group, fields, GROUP_FIELDS)
    check_change(actor, group)
    _validate_group(group)
    group.save()
    audit_create(actor, group)
    return group


@transaction.atomic
def update_group(group: Group, *, actor: Any, **changes: Any) -> Group:
    check_change(actor, group)
    before = reload(group)
    apply_changes(group, changes, GROUP_FIELDS)
    _validate_group(group)
    group.save()
    audit_update(actor, before, group)
    return group


@transaction.atomic
def add_mentor(group: Group, user: Any, *, actor: Any) -> GroupMentor:
    """Make a staff member of the group's school its mentor."""
    mentorship = GroupMentor(school_id=group.school_id, group=group, user=user)
    check_change(actor, mentorship)
    errors: Errors = {}
    _check_staff(errors, "user", user, group.school)
    if GroupMentor.objects.filter(group=group, user=user).exists():
        add_error(errors, "user", _("%(person)s already mentors %(group)s."), "already_mentor",
                  {"person": _person(user), "group": group.name})
    validate(mentorship, errors, validate_constraints=False)
    mentorship.save()
    audit_create(actor, mentorship)
    return mentorship


@transaction.atomic
def remove_mentor(mentorship: GroupMentor, *, actor: Any) -> None:
    check_change(actor, mentorship)
    audit_delete(actor, mentorship)
    mentorship.delete()


def _validate_membership(membership: Membership) -> None:
    errors: Errors = {}
    group, student = membership.group, membership.student
    if student.school_id != group.school_id:
        add_error(errors, "student", _("%(student)s is not a student of this school."),
                  "other_school", {"student": student.full_name})
    if membership.start_date and membership.end_date and membership.end_date < membership.start_date:
        add_error(errors, "end_date", _("The membership cannot end before it starts."),
                  "end_before_start")
    _check_inside_year(errors, None, group.school_year, membership.start_date,
                       membership.end_date)
    if membership.start_date:
        overlap = Membership.objects.filter(group=group, student=student).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=membership.start_date)
        )
        if membership.end_date:
            overlap = overlap.filter(start_date__lte=membership.end_date)
        clash = overlap.exclude(pk=membership.pk).first()
        if clash is not None:
            params = {"student": student.full_name, "group": group.name,
                      "start": _d(clash.start_date)}
            if clash.end_date:
                params["end"] = _d(clash.end_date)
                message = _("%(student)s is already in %(group)s from %(start)s until %(end)s.")
            else:
                message = _("%(student)s is already in %(group)s from %(start)s.")
            add_error(errors, None, message, "membership_overlap", params)
    validate(membership, errors, run_clean=False)


@transaction.atomic
def add_membership(student: Student, group: Group, *, start_date: dt.date,
                   end_date: dt.date | None = None, actor: Any) -> Membership:
    """Put a student in a group from ``start_date`` (until ``end_date``, or open-ended)."""
    membership = Membership(school_id=group.school_id, group=group, student=student,
                            start_date=start_date, end_date=end_date)
    check_change(actor, membership)
    _validate_membership(membership)
    membership.save()
    audit_create(actor, membership, student=student)
    return membership


@transaction.atomic
def end_membership(membership: Membership, *, end_date: dt.date, actor: Any) -> Membership:
    """End a membership on ``end_date`` (the last day the student is in the group)."""
    check_change(actor, membership)
    before = reload(membership)
    membership.end_date = end_date
    _validate_membership(membership)
    membership.save()
    audit_update(actor, before, membership, student=membership.student)
    return membership


# --- timetable ---------------------------------------------------------------------------------

ENTRY_FIELDS = ("group_id", "period_id", "teacher_id", "subject", "room", "valid_from",
                "valid_until")


def _entry_clashes(entry: TimetableEntry) -> list[ValidationError]:
    """Entries of the same teacher, group or room at an overlapping time on the same weekday
    whose validity overlaps ``entry``'s."""
    period = entry.period
    candidates = (
        TimetableEntry.objects.filter(
            school_id=entry.school_id,
            period__weekday=period.weekday,
            period__start_time__lt=period.end_time,
            period__end_time__gt=period.start_time,
            valid_from__lte=entry.valid_until,
            valid_until__gte=entry.valid_from,
        )
        .exclude(pk=entry.pk)
        .select_related("group", "period", "teacher")
    )
    who = Q(teacher_id=entry.teacher_id) | Q(group_id=entry.group_id)
    if entry.room:
        who |= Q(room__iexact=entry.room)
    errors: list[ValidationError] = []
    for other in candidates.filter(who):
        params = {
            "teacher": _person(other.teacher), "group": other.group.name,
            "subject": other.subject, "room": other.room,
            "weekday": other.period.get_weekday_display(),
            "start": _t(other.period.start_time), "end": _t(other.period.end_time),
        }
        if other.teacher_id == entry.teacher_id:
            message = _("Timetable clash: %(teacher)s already teaches %(group)s (%(subject)s) on "
                        "%(weekday)s from %(start)s to %(end)s.")
        elif other.group_id == entry.group_id:
            message = _("Timetable clash: group %(group)s already has %(subject)s with "
                        "%(teacher)s on %(weekday)s from %(start)s to %(end)s.")
        else:
            message = _("Timetable clash: room %(room)s is already used by %(group)s "
                        "(%(subject)s) on %(weekday)s from %(start)s to %(end)s.")
        errors.append(ValidationError(message, code="timetable_clash", params=params))
    return errors


def _validate_entry(entry: TimetableEntry) -> None:
    errors: Errors = {}
    group = entry.group
    entry.school_year_id = group.school_year_id
    if group.school_id != entry.school_id:
        add_error(errors, "group", _("The group belongs to another school."), "other_school")
    if entry.period.school_id != entry.school_id:
        add_error(errors, "period", _("The period belongs to another school."), "other_school")
    _check_staff(errors, "teacher", entry.teacher, entry.school)
    if entry.valid_from and entry.valid_until:
        if entry.valid_until < entry.valid_from:
            add_error(errors, "valid_until", _("The entry cannot end before it starts."),
                      "end_before_start")
        _check_inside_year(errors, None, group.school_year, entry.valid_from, entry.valid_until)
        if not errors:
            clashes = _entry_clashes(entry)
            if clashes:
                errors.setdefault(NON_FIELD_ERRORS, []).extend(clashes)
    validate(entry, errors)


@transaction.atomic
def create_timetable_entry(
    group: Group, period: Period, teacher: Any, *, subject: str, actor: Any, room: str = "",
    valid_from: dt.date | None = None, valid_until: dt.date | None = None,
) -> TimetableEntry:
    """Add a weekly slot; validity defaults to the group's whole school year."""
    year = group.school_year
    entry = TimetableEntry(
        school_id=group.school_id, school_year=year, group=group, period=period,
        teacher=teacher, subject=subject, room=(room or "").strip(),
        valid_from=valid_from or year.start_date, valid_until=valid_until or year.end_date,
    )
    check_change(actor, entry)
    _validate_entry(entry)
    entry.save()
    audit_create(actor, entry)
    return entry


@transaction.atomic
def update_timetable_entry(entry: TimetableEntry, *, actor: Any, **changes: Any) -> TimetableEntry:
    """Change a weekly slot (teacher, period, room, validity ...). Lessons already generated
    are left to the lesson generator."""
    check_change(actor, entry)
    before = reload(entry)
    for name in ("group", "period", "teacher"):
        if name in changes:
            changes[f"{name}_id"] = getattr(changes.pop(name), "pk", None)
    apply_changes(entry, changes, ENTRY_FIELDS)
    entry.room = (entry.room or "").strip()
    _validate_entry(entry)
    entry.save()
    audit_update(actor, before, entry)
    return entry


@transaction.atomic
def remove_timetable_entry(entry: TimetableEntry, *, actor: Any) -> None:
    """Remove a weekly slot; its lessons stay (they lose the link to the entry)."""
    check_change(actor, entry)
    audit_delete(actor, entry)
    entry.delete()


# --- lessons -----------------------------------------------------------------------------------

def _lesson_clashes(lesson: Lesson) -> list[ValidationError]:
    candidates = (
        Lesson.objects.filter(
            school_id=lesson.school_id, date=lesson.date, status=LessonStatus.SCHEDULED,
            start_time__lt=lesson.end_time, end_time__gt=lesson.start_time,
        )
        .exclude(pk=lesson.pk)
        .select_related("group", "teacher")
    )
    who = Q(teacher_id=lesson.teacher_id) | Q(group_id=lesson.group_id)
    if lesson.room:
        who |= Q(room__iexact=lesson.room)
    errors = []
    for other in candidates.filter(who):
        params = {"teacher": _person(other.teacher), "group": other.group.name,
                  "subject": other.subject, "room": other.room, "date": _d(other.date),
                  "start": _t(other.start_time), "end": _t(other.end_time)}
        if other.teacher_id == lesson.teacher_id:
            message = _("Clash: %(teacher)s already teaches %(group)s (%(subject)s) on %(date)s "
                        "from %(start)s to %(end)s.")
        elif other.group_id == lesson.group_id:
            message = _("Clash: group %(group)s already has %(subject)s with %(teacher)s on "
                        "%(date)s from %(start)s to %(end)s.")
        else:
            message = _("Clash: room %(room)s is already used by %(group)s (%(subject)s) on "
                        "%(date)s from %(start)s to %(end)s.")
        errors.append(ValidationError(message, code="lesson_clash", params=params))
    return errors


def _validate_lesson(lesson: Lesson) -> None:
    """Check a scheduled lesson: its school, date, times, teacher and clashes."""
    errors: Errors = {}
    group = lesson.group
    if group.school_id != lesson.school_id:
        add_error(errors, "group", _("The group belongs to another school."), "other_school")
    if lesson.period is not None and lesson.period.school_id != lesson.school_id:
        add_error(errors, "period", _("The period belongs to another school."), "other_school")
    _check_staff(errors, "teacher", lesson.teacher, lesson.school)
    if lesson.date:
        year = group.school_year
        if not year.contains(lesson.date):
            add_error(
                errors, "date",
                _("%(date)s lies outside school year %(year)s (%(start)s to %(end)s)."),
                "outside_school_year",
                {"date": _d(lesson.date), "year": year.name, "start": _d(year.start_date),
                 "end": _d(year.end_date)},
            )
        elif not Calendar(lesson.school, lesson.date, lesson.date).is_school_day(lesson.date):
            add_error(errors, "date",
                      _("%(date)s is not a school day: it is a weekend, a holiday or a day "
                        "without lessons."), "not_a_school_day", {"date": _d(lesson.date)})
    if lesson.start_time and lesson.end_time and lesson.end_time <= lesson.start_time:
        add_error(errors, "end_time", _("A lesson must end after it starts."), "end_before_start")
    if not errors and lesson.status == LessonStatus.SCHEDULED:
        clashes = _lesson_clashes(lesson)
        if clashes:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(clashes)
    validate(lesson, errors)


@transaction.atomic
def add_lesson(
    group: Group, teacher: Any, date: dt.date, *, subject: str, actor: Any,
    period: Period | None = None, start_time: dt.time | None = None,
    end_time: dt.time | None = None, room: str = "", note: str = "",
) -> Lesson:
    """Add a one-off lesson (not from the timetable) on a school day of the group's year.
    Times default to the period's."""
    if period is not None:
        start_time = start_time or period.start_time
        end_time = end_time or period.end_time
    lesson = Lesson(
        school_id=group.school_id, date=date, period=period, group=group, teacher=teacher,
        subject=subject, room=(room or "").strip(), note=note,
        start_time=start_time, end_time=end_time,  # type: ignore[misc]  # None: refused below
        # Not from the timetable: marked changed so that generate_lessons leaves it alone.
        is_changed=True,
    )
    check_change(actor, lesson)
    _validate_lesson(lesson)
    lesson.save()
    audit_create(actor, lesson)
    return lesson


LESSON_CHANGE_FIELDS = ("teacher", "room", "date", "period", "start_time", "end_time", "subject",
                        "note")


@transaction.atomic
def change_lesson(lesson: Lesson, *, actor: Any, **changes: Any) -> Lesson:
    """Give one lesson another teacher, room, date or time; marks it ``is_changed`` so that
    regenerating the timetable leaves it alone."""
    check_change(actor, lesson)
    before = reload(lesson)
    if changes.get("period") is not None:
        period = changes["period"]
        changes.setdefault("start_time", period.start_time)
        changes.setdefault("end_time", period.end_time)
    apply_changes(lesson, changes, LESSON_CHANGE_FIELDS)
    lesson.room = (lesson.room or "").strip()
    _validate_lesson(lesson)
    if not diff(before, lesson, field_names(Lesson)):
        return lesson
    lesson.is_changed = True
    lesson.save()
    audit_update(actor, before, lesson, action="change_lesson")
    return lesson


@transaction.atomic
def cancel_lesson(lesson: Lesson, *, actor: Any, note: str = "") -> Lesson:
    check_change(actor, lesson)
    if lesson.status == LessonStatus.CANCELLED:
        raise ValidationError(_("This lesson is already cancelled."), code="already_cancelled")
    before = reload(lesson)
    lesson.status = LessonStatus.CANCELLED
    if note:
        lesson.note = note
    lesson.save()
    audit_update(actor, before, lesson, action="cancel_lesson")
    return lesson


@transaction.atomic
def restore_lesson(lesson: Lesson, *, actor: Any) -> Lesson:
    """Undo a cancellation; refused when another lesson has taken the slot meanwhile."""
    check_change(actor, lesson)
    if lesson.status != LessonStatus.CANCELLED:
        raise ValidationError(_("This lesson is not cancelled."), code="not_cancelled")
    before = reload(lesson)
    lesson.status = LessonStatus.SCHEDULED
    try:
        _validate_lesson(lesson)
    except ValidationError:
        lesson.status = LessonStatus.CANCELLED  # keep the caller's object as stored
        raise
    lesson.save()
    audit_update(actor, before, lesson, action="restore_lesson")
    return lesson
