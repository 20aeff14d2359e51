"""Apply a ``RosterSet`` to one school: a re-import is a sync (docs/import-roster.md).

``sync_roster`` first checks the whole set and refuses it with every problem located
(``RosterFileError``); then it applies it in one transaction:

* groups match on ``external_key`` in the school year (a group of the same name without a
  key is adopted), staff on e-mail, students on ``school_key``, parents and carers on the
  board and ``external_key``;
* changed records are updated, new ones created; nothing is ever deleted;
* a membership that disappeared from a complete set is ended the day before ``today``; a
  student missing from a complete set gets ``enrolment_end`` the day before ``today``;
* attendance history is never touched.

Everything is read with one query per model and written with ``bulk_create`` /
``bulk_update`` and audit rows in bulk, so 40,000 students take seconds. An unchanged set
writes nothing at all. ``dry_run`` runs the same code in a savepoint that is rolled back:
the report is exactly what a real run would do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from aanwezig.audit.models import AuditEvent
from aanwezig.audit.services import _jsonable
from aanwezig.lib.phone import to_e164
from aanwezig.roster.importing.model import (
    Problem,
    RosterFileError,
    RosterGuardian,
    RosterSet,
    RosterStaff,
    RosterStudent,
)
from aanwezig.roster.models import (
    Group,
    GroupKind,
    GroupMentor,
    Guardian,
    Language,
    Membership,
    Relation,
    Student,
    StudentGuardian,
    bsn_is_valid,
)
from aanwezig.schools.models import Role, School, SchoolYear, StaffRole
from aanwezig.schools.services import RESTRICTED_FIELDS, check_administer

BATCH = 1000

#: Kinds of record in the report, in the order they are applied.
KINDS = ("group", "staff", "role", "mentor", "student", "membership", "guardian", "link")

GROUP_FIELDS = ("name", "kind", "year_level", "level", "programme", "external_key")
STUDENT_FIELDS = ("first_names", "given_name", "prefix", "last_name", "birth_date", "eckid",
                  "bsn", "onderwijsnummer", "enrolment_start", "enrolment_end")
GUARDIAN_FIELDS = ("given_name", "prefix", "last_name", "email", "phone", "language",
                   "external_key")
LINK_FIELDS = ("relation", "has_authority", "lives_with_student", "receives_messages")
STAFF_ROLES = frozenset({Role.TEACHER.value, Role.MENTOR.value})


def kind_label(kind: str) -> str:
    labels = {
        "group": _("groups"), "staff": _("staff members"), "role": _("staff roles"),
        "mentor": _("mentors"), "student": _("students"), "membership": _("group memberships"),
        "guardian": _("parents and carers"), "link": _("links to parents and carers"),
    }
    return labels[kind]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ended: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.ended


@dataclass(frozen=True)
class Change:
    """One change: ``action`` is created, updated or ended; ``field`` is set for updates
    (and for ended: the end-date field). Restricted identifiers show as ``changed``."""

    kind: str
    record: str
    action: str
    field: str = ""
    before: str = ""
    after: str = ""
    label: str = ""  # the field's name for people

    def __str__(self) -> str:
        if self.action == "created":
            return _("new: %(record)s") % {"record": self.record}
        return _("%(record)s: %(field)s %(before)s → %(after)s") % {
            "record": self.record, "field": self.label or self.field,
            "before": self.before or "–", "after": self.after or "–"}


@dataclass
class SyncReport:
    source: str
    school_year: str
    dry_run: bool
    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    changes: list[Change] = field(default_factory=list)
    #: Records left out or details left empty, with why; the rest of the file is imported.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.counts.values())

    def totals(self) -> Counts:
        out = Counts()
        for c in self.counts.values():
            out.created += c.created
            out.updated += c.updated
            out.unchanged += c.unchanged
            out.ended += c.ended
        return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


# --- validation ------------------------------------------------------------------------------

class _Checker:
    def __init__(self, roster: RosterSet):
        # The set no longer knows its file; the caller names it (the command prefixes it).
        self.file = ""
        self.problems: list[Problem] = []

    def add(self, where: str, field_name: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, field_name, message))


def _duplicates(keys: list[str]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for key in keys:
        (dup if key in seen else seen).add(key)
    return dup


def _resolve_year(school: School, roster: RosterSet, today: dt.date,
                  check: _Checker) -> SchoolYear | None:
    years = list(SchoolYear.objects.filter(school=school))
    if roster.school_year:
        wanted = roster.school_year.replace("/", "-").strip()
        found = next((y for y in years if y.name == wanted), None)
        if found is None:
            check.add("", "school_year", _("School year %(year)s does not exist at %(school)s; "
                                           "create it first.")
                      % {"year": roster.school_year, "school": school.name})
        return found
    found = next((y for y in years if y.contains(today)), None)
    if found is None:
        check.add("", "school_year", _("%(school)s has no school year on %(day)s; create it "
                                       "first.") % {"school": school.name, "day": _text(today)})
    return found


def _validate(school: School, roster: RosterSet, today: dt.date,
              known_students: set[str]) -> tuple[list[Problem], dict[str, str]]:
    """Check the whole set; returns the problems and the guardians' phones as E.164."""
    check = _Checker(roster)
    group_keys = [g.key for g in roster.groups]
    group_set = set(group_keys)
    for key in sorted(_duplicates(group_keys)):
        check.add(_("group %(key)s") % {"key": key}, "key",
                  _("This key appears more than once in the file."))
    for name in sorted(_duplicates([g.name.strip() for g in roster.groups])):
        check.add(_("group %(key)s") % {"key": name}, "name",
                  _("Two groups in the file have this name."))
    kinds = set(GroupKind.values)
    for g in roster.groups:
        where = _("group %(key)s") % {"key": g.key}
        if not g.key.strip():
            check.add(where, "key", _("The key is missing."))
        if not g.name.strip():
            check.add(where, "name", _("The name is missing."))
        elif len(g.name.strip()) > 60:
            check.add(where, "name", _("The name is longer than %(max)s characters.") % {"max": 60})
        if g.kind not in kinds:
            check.add(where, "kind", _("“%(value)s” is not a kind of group.") % {"value": g.kind})
        for part in g.part_of:
            if part not in group_set:
                check.add(where, "part_of", _("Group %(key)s is not in the file.") % {"key": part})

    staff_keys = [s.key for s in roster.staff]
    for key in sorted(_duplicates(staff_keys)):
        check.add(_("staff member %(key)s") % {"key": key}, "key",
                  _("This key appears more than once in the file."))
    for email in sorted(_duplicates([s.email.strip().lower() for s in roster.staff if s.email])):
        check.add(_("staff member %(key)s") % {"key": email}, "email",
                  _("Two staff members in the file have this e-mail address."))
    for rs in roster.staff:
        where = _("staff member %(key)s") % {"key": rs.key}
        if not rs.email.strip():
            check.add(where, "email", _("The e-mail address is missing; staff are matched on it."))
        else:
            try:
                validate_email(rs.email.strip())
            except ValidationError:
                check.add(where, "email", _("“%(value)s” is not an e-mail address.")
                          % {"value": rs.email})
        if not rs.last_name.strip():
            check.add(where, "last_name", _("The last name is missing."))
        for role in sorted(rs.roles - STAFF_ROLES):
            check.add(where, "roles", _("“%(value)s” is not a role the import gives.")
                      % {"value": role})
        for key in rs.mentor_of:
            if key not in group_set:
                check.add(where, "mentor_of", _("Group %(key)s is not in the file.") % {"key": key})

    student_keys = [s.key for s in roster.students]
    for key in sorted(_duplicates(student_keys)):
        check.add(_("student %(key)s") % {"key": key}, "key",
                  _("This key appears more than once in the file."))
    for s in roster.students:
        where = _("student %(key)s") % {"key": s.key}
        if not s.key.strip():
            check.add(where, "key", _("The student number is missing."))
        elif len(s.key.strip()) > 40:
            check.add(where, "key", _("The student number is longer than %(max)s characters.")
                      % {"max": 40})
        if not s.last_name.strip():
            check.add(where, "last_name", _("The last name is missing."))
        if not (s.given_name.strip() or s.first_names.strip()):
            check.add(where, "given_name", _("The first name is missing."))
        if s.birth_date is None:
            check.add(where, "birth_date", _("The date of birth is missing."))
        elif s.birth_date > today:
            check.add(where, "birth_date", _("The date of birth cannot be in the future."))
        if s.enrolment_start and s.enrolment_end and s.enrolment_end < s.enrolment_start:
            check.add(where, "enrolment_end", _("The enrolment cannot end before it starts."))
        for name in ("bsn", "onderwijsnummer"):
            value = getattr(s, name).strip()
            if value and not (value.isdigit() and len(value) == 9):
                check.add(where, name, _("Enter nine digits."))
            elif name == "bsn" and value and not bsn_is_valid(value):
                check.add(where, name, _("This BSN does not pass the eleven test."))
        for key in s.groups:
            if key not in group_set:
                check.add(where, "groups", _("Group %(key)s is not in the file.") % {"key": key})

    phones: dict[str, str] = {}
    guardian_keys = [g.key for g in roster.guardians]
    for key in sorted(_duplicates(guardian_keys)):
        check.add(_("parent or carer %(key)s") % {"key": key}, "key",
                  _("This key appears more than once in the file."))
    languages = set(Language.values)
    relations = set(Relation.values)
    in_file = set(student_keys)
    for gd in roster.guardians:
        where = _("parent or carer %(key)s") % {"key": gd.key}
        if not gd.key.strip():
            check.add(where, "key", _("The key is missing."))
        if not gd.last_name.strip():
            check.add(where, "last_name", _("The last name is missing."))
        if gd.email.strip():
            try:
                validate_email(gd.email.strip())
            except ValidationError:
                check.add(where, "email", _("“%(value)s” is not an e-mail address.")
                          % {"value": gd.email})
        if gd.phone.strip():
            try:
                phones[gd.key] = to_e164(gd.phone)
            except ValidationError as exc:
                check.add(where, "phone", " ".join(exc.messages))
        if gd.language and gd.language not in languages:
            check.add(where, "language", _("“%(value)s” is not a language aanwezig speaks.")
                      % {"value": gd.language})
        for key in sorted(_duplicates([link.student_key for link in gd.links])):
            check.add(where, "student", _("Student %(key)s is linked twice.") % {"key": key})
        for link in gd.links:
            if link.relation not in relations:
                check.add(where, "relation", _("“%(value)s” is not a relation.")
                          % {"value": link.relation})
            if link.student_key not in in_file and link.student_key not in known_students:
                check.add(where, "student", _("Student %(key)s is not in the file nor at "
                                              "the school.") % {"key": link.student_key})
    return check.problems, phones


# --- applying ----------------------------------------------------------------------------------

class _Writer:
    """Collects the report and the audit rows; flushes audit rows in bulk."""

    def __init__(self, school: School, actor: Any, report: SyncReport):
        self.school = school
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.report = report
        self.audit: list[AuditEvent] = []

    def created(self, kind: str, record: str, obj: models.Model, *,
                student_id: int | None = None, board_id: int | None = None) -> None:
        self.report.counts[kind].created += 1
        self.report.changes.append(Change(kind, record, "created"))
        changes = {}
        for f in obj._meta.concrete_fields:
            if f.primary_key or f.attname == "password":
                continue
            value = getattr(obj, f.attname)
            if value not in (None, "", False):
                changes[f.attname] = "changed" if f.attname in RESTRICTED_FIELDS else _jsonable(value)
        self._event("create", obj, changes, student_id, board_id)

    def updated(self, kind: str, record: str, obj: models.Model, diffs: dict[str, tuple[Any, Any]],
                *, action: str = "updated", student_id: int | None = None,
                board_id: int | None = None) -> None:
        counts = self.report.counts[kind]
        if action == "ended":
            counts.ended += 1
        else:
            counts.updated += 1
        changes: dict[str, Any] = {}
        for name, (old, new) in diffs.items():
            if name in RESTRICTED_FIELDS:
                before, after = "", _("changed")
                changes[name] = "changed"
            else:
                before, after = _text(old), _text(new)
                changes[name] = [_jsonable(old), _jsonable(new)]
            label = str(getattr(obj._meta.get_field(name.removesuffix("_id")), "verbose_name", name))
            self.report.changes.append(Change(kind, record, action, name, before, after, label))
        self._event("update", obj, changes, student_id, board_id)

    def _event(self, action: str, obj: models.Model, changes: dict[str, Any],
               student_id: int | None, board_id: int | None) -> None:
        label = obj._meta.label
        if label == "roster.Student":
            student_id = obj.pk
        school_id = getattr(obj, "school_id", None)
        if label in ("roster.Guardian", "accounts.User"):
            school_id = None if label == "roster.Guardian" else self.school.pk
        self.audit.append(AuditEvent(
            board_id=board_id or self.school.board_id, school_id=school_id, actor=self.actor,
            action=action, object_type=label, object_id=str(obj.pk or ""),
            student_id=student_id, changes=changes))

    def flush(self) -> None:
        AuditEvent.objects.bulk_create(self.audit, batch_size=BATCH)
        self.audit = []


def _diff(obj: models.Model, wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    out = {}
    for name, value in wanted.items():
        old = getattr(obj, name)
        if old != value:
            out[name] = (old, value)
            setattr(obj, name, value)
    return out


def _sync_groups(school: School, year: SchoolYear, roster: RosterSet, w: _Writer,
                 problems: list[Problem]) -> dict[str, Group]:
    existing = list(Group.objects.filter(school=school, school_year=year))
    by_key = {g.external_key: g for g in existing if g.external_key}
    by_name = {g.name: g for g in existing}
    result: dict[str, Group] = {}
    new: list[Group] = []
    changed: list[Group] = []
    changed_diffs: list[dict[str, tuple[Any, Any]]] = []
    claimed_names: dict[str, str] = {}
    for rg in roster.groups:
        name = rg.name.strip()
        wanted = {"name": name, "kind": rg.kind, "year_level": rg.year_level,
                  "level": rg.level.strip(), "programme": rg.programme.strip(),
                  "external_key": rg.key}
        group = by_key.get(rg.key)
        if group is None:
            same_name = by_name.get(name)
            if same_name is not None and not same_name.external_key:
                group = same_name  # made by hand before the first import: adopt it
        claimed_names[name] = rg.key
        if group is None:
            group = Group(school=school, school_year=year, **wanted)
            new.append(group)
        else:
            diffs = _diff(group, wanted)
            if diffs:
                changed.append(group)
                changed_diffs.append(diffs)
            else:
                w.report.counts["group"].unchanged += 1
        result[rg.key] = group
    # A name taken by a group the file does not describe would break the unique name.
    described = {id(g) for g in result.values()}
    for g in existing:
        if id(g) not in described and g.name in claimed_names:
            problems.append(Problem(
                "", _("group %(key)s") % {"key": claimed_names[g.name]}, "name",
                _("Another group in %(year)s is already called %(name)s.")
                % {"year": year.name, "name": g.name}))
    if problems:
        return result
    if changed:
        # Two-step rename so groups may swap names within one import.
        renamed = [g for g, d in zip(changed, changed_diffs, strict=True) if "name" in d]
        if renamed:
            final = {g.pk: g.name for g in renamed}
            for g in renamed:
                g.name = f"~{g.pk}~"
            Group.objects.bulk_update(renamed, ["name"], batch_size=BATCH)
            for g in renamed:
                g.name = final[g.pk]
        Group.objects.bulk_update(changed, list(GROUP_FIELDS), batch_size=BATCH)
        for g, diffs in zip(changed, changed_diffs, strict=True):
            w.updated("group", f"{g.name} ({g.external_key})", g, diffs)
    Group.objects.bulk_create(new, batch_size=BATCH)
    for g in new:
        w.created("group", f"{g.name} ({g.external_key})", g)
    return result


def _staff_names(rs: RosterStaff) -> dict[str, str]:
    last = " ".join(p for p in (rs.prefix.strip(), rs.last_name.strip()) if p)
    return {"first_name": rs.first_name.strip()[:150], "last_name": last[:150]}


def _sync_staff(school: School, roster: RosterSet, groups: dict[str, Group], w: _Writer) -> None:
    User = get_user_model()
    emails = {rs.email.strip().lower() for rs in roster.staff}
    users: dict[str, Any] = {}
    user: Any
    if emails:
        found = (User.objects.annotate(e=Lower("email"), u=Lower("username"))
                 .filter(Q(e__in=emails) | Q(u__in=emails)).order_by("pk"))
        for user in found:
            for value in (user.u, user.e):  # an e-mail address wins over a username
                if value in emails:
                    users[value] = user
    new_users: list[Any] = []
    changed_users: list[tuple[Any, dict[str, tuple[Any, Any]]]] = []
    for rs in roster.staff:
        email = rs.email.strip().lower()
        user = users.get(email)
        names = _staff_names(rs)
        if user is None:
            user = User(username=email, email=email, **names)
            user.set_unusable_password()
            users[email] = user
            new_users.append(user)
        else:
            diffs = _diff(user, names)
            if diffs:
                changed_users.append((user, diffs))
            else:
                w.report.counts["staff"].unchanged += 1
    User.objects.bulk_create(new_users, batch_size=BATCH)
    for user in new_users:
        w.created("staff", user.email, user)
    if changed_users:
        User.objects.bulk_update([u for u, _d in changed_users], ["first_name", "last_name"],
                                 batch_size=BATCH)
        for user, diffs in changed_users:
            w.updated("staff", user.email or user.username, user, diffs)

    have_roles = set(StaffRole.objects.filter(school=school).values_list("user_id", "role"))
    new_roles: list[StaffRole] = []
    have_mentors = set(GroupMentor.objects.filter(school=school).values_list("group_id", "user_id"))
    new_mentors: list[GroupMentor] = []
    for rs in roster.staff:
        user = users[rs.email.strip().lower()]
        roles = set(rs.roles) | ({Role.MENTOR.value} if rs.mentor_of else set())
        for role in sorted(roles):
            if (user.pk, role) in have_roles:
                w.report.counts["role"].unchanged += 1
            else:
                have_roles.add((user.pk, role))
                new_roles.append(StaffRole(school=school, user=user, role=role))
        for key in rs.mentor_of:
            group = groups[key]
            if (group.pk, user.pk) in have_mentors:
                w.report.counts["mentor"].unchanged += 1
            else:
                have_mentors.add((group.pk, user.pk))
                new_mentors.append(GroupMentor(school=school, group=group, user=user))
    StaffRole.objects.bulk_create(new_roles, batch_size=BATCH)
    for sr in new_roles:
        w.created("role", f"{sr.user.email or sr.user.username}: {sr.get_role_display()}", sr)
    GroupMentor.objects.bulk_create(new_mentors, batch_size=BATCH)
    for gm in new_mentors:
        w.created("mentor", f"{gm.user.email or gm.user.username} – {gm.group.name}", gm)


def _student_wanted(rs: RosterStudent, today: dt.date, existing: Student | None) -> dict[str, Any]:
    given = rs.given_name.strip() or rs.first_names.strip().split(" ")[0]
    wanted: dict[str, Any] = {
        "first_names": rs.first_names.strip() or given, "given_name": given,
        "prefix": rs.prefix.strip(), "last_name": rs.last_name.strip(),
        "birth_date": rs.birth_date, "enrolment_end": rs.enrolment_end,
    }
    # Identifiers and the start date only when the file gives them: a format without
    # them (OneRoster has no BSN) never wipes what another import stored.
    for name in ("eckid", "bsn", "onderwijsnummer"):
        value = getattr(rs, name).strip()
        if value:
            wanted[name] = value
    if rs.enrolment_start:
        wanted["enrolment_start"] = rs.enrolment_start
    elif existing is None:
        wanted["enrolment_start"] = today
    return wanted


def _sync_students(school: School, roster: RosterSet, today: dt.date,
                   existing: dict[str, Student], w: _Writer) -> dict[str, Student]:
    new, changed = [], []
    seen: set[str] = set()
    for rs in roster.students:
        key = rs.key.strip()
        seen.add(key)
        student = existing.get(key)
        wanted = _student_wanted(rs, today, student)
        if student is None:
            student = Student(school=school, school_key=key, sector=school.sector, **wanted)
            existing[key] = student
            new.append(student)
        else:
            diffs = _diff(student, wanted)
            if diffs:
                changed.append((student, diffs))
            else:
                w.report.counts["student"].unchanged += 1
    left: list[tuple[Student, dict[str, tuple[Any, Any]]]] = []
    if roster.complete:
        yesterday = today - dt.timedelta(days=1)
        for key, student in existing.items():
            if key in seen or (student.enrolment_end is not None and student.enrolment_end < today):
                continue
            end = max(yesterday, student.enrolment_start)
            left.append((student, _diff(student, {"enrolment_end": end})))
    Student.objects.bulk_create(new, batch_size=BATCH)
    for s in new:
        w.created("student", f"{s.full_name} ({s.school_key})", s)
    if changed or left:
        fields = sorted({name for _s, d in changed + left for name in d})
        Student.objects.bulk_update([s for s, _d in changed + left], fields, batch_size=BATCH)
        for s, diffs in changed:
            w.updated("student", f"{s.full_name} ({s.school_key})", s, diffs)
        for s, diffs in left:
            w.updated("student", f"{s.full_name} ({s.school_key})", s, diffs, action="ended")
    return existing


def _sync_memberships(school: School, year: SchoolYear, roster: RosterSet, today: dt.date,
                      groups: dict[str, Group], students: dict[str, Student],
                      w: _Writer) -> None:
    yesterday = today - dt.timedelta(days=1)
    rows = list(Membership.objects.filter(school=school, group__school_year=year)
                .only("id", "school_id", "group_id", "student_id", "start_date", "end_date"))
    had_any = {m.student_id for m in rows}
    current: dict[tuple[int, int], Membership] = {}
    for m in rows:
        if m.end_date is None or m.end_date >= today:
            current[(m.student_id, m.group_id)] = m
    group_names = {g.pk: g.name for g in groups.values()}
    group_names.update(Group.objects.filter(school=school, school_year=year)
                       .exclude(pk__in=list(group_names)).values_list("pk", "name"))
    names = {s.pk: f"{s.full_name} ({s.school_key})" for s in students.values()}
    enrolment_ends = {s.pk: s.enrolment_end for s in students.values()}
    wanted: set[tuple[int, int]] = set()
    new: list[Membership] = []
    in_file: set[int] = set()
    for rs in roster.students:
        student = students[rs.key.strip()]
        in_file.add(student.pk)
        if student.enrolment_end is not None and student.enrolment_end < today:
            continue  # left: no current memberships
        for key in dict.fromkeys(rs.groups):
            group = groups[key]
            pair = (student.pk, group.pk)
            wanted.add(pair)
            if pair in current:
                w.report.counts["membership"].unchanged += 1
                continue
            if student.pk in had_any:
                start = today  # a move during the year
            else:
                start = max(year.start_date, student.enrolment_start)
            start = min(max(start, year.start_date), year.end_date)
            end = None
            if student.enrolment_end is not None and student.enrolment_end <= year.end_date:
                end = max(student.enrolment_end, start)
            new.append(Membership(school=school, group=group, student=student,
                                  start_date=start, end_date=end))
    ended: list[tuple[Membership, dict[str, tuple[Any, Any]]]] = []
    for pair, m in current.items():
        if pair in wanted:
            continue
        if not roster.complete and m.student_id not in in_file:
            continue  # a partial set says nothing about students it does not name
        last = yesterday
        end_of = enrolment_ends.get(m.student_id)
        if end_of is not None and end_of < today:
            last = min(last, end_of)
        ended.append((m, _diff(m, {"end_date": max(last, m.start_date)})))
    Membership.objects.bulk_create(new, batch_size=BATCH)
    for m in new:
        w.created("membership", f"{names[m.student_id]} – {group_names[m.group_id]}", m,
                  student_id=m.student_id)
    if ended:
        Membership.objects.bulk_update([m for m, _d in ended], ["end_date"], batch_size=BATCH)
        for m, diffs in ended:
            w.updated("membership", f"{names.get(m.student_id, m.student_id)} – "
                      f"{group_names.get(m.group_id, m.group_id)}", m, diffs, action="ended",
                      student_id=m.student_id)


def _guardian_wanted(rg: RosterGuardian, phone: str) -> dict[str, Any]:
    wanted: dict[str, Any] = {"given_name": rg.given_name.strip(), "prefix": rg.prefix.strip(),
                              "last_name": rg.last_name.strip()}
    # Contact details only when the file gives them: an empty cell never wipes what a
    # parent entered in the portal.
    if rg.email.strip():
        wanted["email"] = rg.email.strip()
    if phone:
        wanted["phone"] = phone
    if rg.language:
        wanted["language"] = rg.language
    return wanted


def _sync_guardians(school: School, roster: RosterSet, phones: dict[str, str],
                    students: dict[str, Student], w: _Writer) -> None:
    if not roster.guardians:
        return
    board_id = school.board_id
    existing = {g.external_key: g for g in Guardian.objects.filter(board_id=board_id)
                .exclude(external_key="")}
    new, changed = [], []
    result: dict[str, Guardian] = {}
    for rg in roster.guardians:
        guardian = existing.get(rg.key)
        wanted = _guardian_wanted(rg, phones.get(rg.key, ""))
        if guardian is None:
            guardian = Guardian(board_id=board_id, external_key=rg.key, **wanted)
            new.append(guardian)
        else:
            diffs = _diff(guardian, wanted)
            if diffs:
                changed.append((guardian, diffs))
            else:
                w.report.counts["guardian"].unchanged += 1
        result[rg.key] = guardian
    Guardian.objects.bulk_create(new, batch_size=BATCH)
    for g in new:
        w.created("guardian", f"{g.full_name} ({g.external_key})", g, board_id=board_id)
    if changed:
        fields = sorted({name for _g, d in changed for name in d})
        Guardian.objects.bulk_update([g for g, _d in changed], fields, batch_size=BATCH)
        for g, diffs in changed:
            w.updated("guardian", f"{g.full_name} ({g.external_key})", g, diffs,
                      board_id=board_id)

    links = {(sg.student_id, sg.guardian_id): sg for sg in StudentGuardian.objects.filter(
        school=school).only("id", "school_id", "student_id", "guardian_id", *LINK_FIELDS)}
    new_links, changed_links = [], []
    for rg in roster.guardians:
        guardian = result[rg.key]
        for link in rg.links:
            student = students[link.student_key.strip()]
            wanted = {"relation": link.relation, "has_authority": link.has_authority,
                      "lives_with_student": link.lives_with_student,
                      "receives_messages": link.receives_messages}
            sg = links.get((student.pk, guardian.pk))
            if sg is None:
                sg = StudentGuardian(school=school, student=student, guardian=guardian, **wanted)
                links[(student.pk, guardian.pk)] = sg
                new_links.append(sg)
            else:
                diffs = _diff(sg, wanted)
                if diffs:
                    changed_links.append((sg, student, guardian, diffs))
                else:
                    w.report.counts["link"].unchanged += 1
    StudentGuardian.objects.bulk_create(new_links, batch_size=BATCH)
    for sg in new_links:
        w.created("link", f"{sg.guardian.full_name} – {sg.student.full_name}", sg,
                  student_id=sg.student_id)
    if changed_links:
        StudentGuardian.objects.bulk_update([c[0] for c in changed_links], list(LINK_FIELDS),
                                            batch_size=BATCH)
        for sg, student, guardian, diffs in changed_links:
            w.updated("link", f"{guardian.full_name} – {student.full_name}", sg, diffs,
                      student_id=student.pk)


def _set_aside(roster: RosterSet) -> tuple[RosterSet, list[Problem]]:
    """Leave out what the product cannot use from an otherwise sound file, with a warning.

    The formats make these optional, the product needs them:

    1. a staff member without an e-mail address (it is their login) is not imported;
    2. a student without a date of birth (every age rule needs it) is not imported, nor
       their links to parents;
    3. a BSN that fails the eleven test is left empty; the student is imported.
    """
    file = roster.source
    warnings: list[Problem] = []
    staff = []
    for rs in roster.staff:
        if rs.email.strip():
            staff.append(rs)
        else:
            warnings.append(Problem(file, _("staff member %(key)s") % {"key": rs.key}, "email",
                                    _("Not imported: without an e-mail address a staff member "
                                      "cannot sign in. Add it in the administration system.")))
    students = []
    for st in roster.students:
        where = _("student %(key)s") % {"key": st.key}
        if st.birth_date is None:
            warnings.append(Problem(file, where, "birth_date",
                                    _("Not imported: the date of birth is missing. Add it in "
                                      "the administration system.")))
            continue
        bsn = st.bsn.strip()
        if bsn and bsn.isdigit() and len(bsn) == 9 and not bsn_is_valid(bsn):
            warnings.append(Problem(file, where, "bsn",
                                    _("The BSN does not pass the eleven test and is left empty; "
                                      "the student is imported.")))
            st = replace(st, bsn="")
        students.append(st)
    left_out = {st.key for st in roster.students} - {st.key for st in students}
    guardians = [replace(g, links=[link for link in g.links if link.student_key not in left_out])
                 for g in roster.guardians]
    return replace(roster, staff=staff, students=students, guardians=guardians), warnings


def sync_roster(school: School, roster: RosterSet, *, actor: Any, today: dt.date,
                dry_run: bool = False,
                progress: Callable[[str], None] | None = None) -> SyncReport:
    """Apply ``roster`` to ``school`` (see the module docstring); raise ``RosterFileError``
    with every problem when the set is refused, having written nothing. ``progress``, when
    given, is called with the name of each step as it starts: checking, groups, staff,
    students, memberships, guardians."""
    step = progress or (lambda name: None)
    check_administer(actor, school)
    step("checking")
    roster, warnings = _set_aside(roster)
    with transaction.atomic():
        existing = {s.school_key: s for s in Student.objects.filter(school=school)}
        check = _Checker(roster)
        year = _resolve_year(school, roster, today, check)
        if roster.brin and roster.brin.strip().upper() != school.brin.upper():
            check.add("", "brin", _("This file is for the school with BRIN %(file)s, not for "
                                    "%(school)s (%(brin)s).") % {
                "file": roster.brin, "school": school.name, "brin": school.brin})
        problems, phones = _validate(school, roster, today, set(existing))
        problems = check.problems + problems
        if problems:
            raise RosterFileError(problems)
        assert year is not None
        report = SyncReport(source=roster.source, school_year=year.name, dry_run=dry_run,
                            warnings=warnings)
        w = _Writer(school, actor, report)
        step("groups")
        groups = _sync_groups(school, year, roster, w, problems)
        if problems:
            raise RosterFileError(problems)
        step("staff")
        _sync_staff(school, roster, groups, w)
        step("students")
        students = _sync_students(school, roster, today, existing, w)
        step("memberships")
        _sync_memberships(school, year, roster, today, groups, students, w)
        step("guardians")
        _sync_guardians(school, roster, phones, students, w)
        if report.changed:
            totals = report.totals()
            w.audit.append(AuditEvent(
                board_id=school.board_id, school_id=school.pk, actor=w.actor,
                action="import_roster", object_type="schools.School", object_id=str(school.pk),
                changes={"source": roster.source, "school_year": year.name,
                         "created": totals.created, "updated": totals.updated,
                         "ended": totals.ended}))
        w.flush()
        if dry_run:
            transaction.set_rollback(True)
    return report


def counts_by_kind(report: SyncReport) -> dict[str, Counts]:
    """The report's counts keyed by kind, without kinds the set did not touch."""
    return {k: c for k, c in report.counts.items() if c.changed or c.unchanged}


__all__ = ["Change", "Counts", "KINDS", "SyncReport", "counts_by_kind", "kind_label",
           "sync_roster"]
