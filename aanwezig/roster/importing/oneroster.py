"""OneRoster 1.1 and 1.2 CSV (a folder or a .zip) → ``RosterSet``.

The set is read whole and checked whole: every problem is collected, located as
(file, "regel N", column) and explained in the active language; if there is any, the set
is refused with ``RosterFileError``. Nothing is written here.

What is read (see docs/import-roster.md for the full mapping):

* ``manifest.csv`` — ``oneroster.version`` tells 1.1 from 1.2; without a manifest a
  ``roles.csv`` (or a ``users.csv`` without a ``role`` column) means 1.2. Only bulk files.
* ``orgs.csv`` — the school (``type=school``); with several schools, ``school=`` picks one
  by ``identifier`` (BRIN) or ``sourcedId``, and only that school's records are read.
* ``academicSessions.csv`` — the school year (``type=schoolYear``).
* ``courses.csv`` + ``classes.csv`` — groups: the class ``sourcedId`` is the key; a
  ``homeroom`` class is a class (klas), a ``scheduled`` one a course group.
* ``users.csv`` (+ ``roles.csv`` in 1.2, ``demographics.csv`` for birth dates, optional:
  without it the sync decides) — students,
  teachers, and parents/guardians/relatives linked through ``agentSourcedIds``, in either
  direction (a student naming its parents, or a parent naming its children).
* ``enrollments.csv`` — students' groups; the primary teacher of a homeroom class is its mentor.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from aanwezig.roster.importing.model import (
    GuardianLink,
    Problem,
    RosterFileError,
    RosterGroup,
    RosterGuardian,
    RosterSet,
    RosterStaff,
    RosterStudent,
)

BASE = ["sourcedId"]
REQUIRED_COLUMNS: dict[str, list[str]] = {
    "orgs.csv": [*BASE, "name", "type"],
    "academicSessions.csv": [*BASE, "title", "type", "startDate", "endDate"],
    "courses.csv": [*BASE, "title", "orgSourcedId"],
    "classes.csv": [*BASE, "title", "courseSourcedId", "classType", "schoolSourcedId"],
    "users.csv": [*BASE, "givenName", "familyName"],
    "enrollments.csv": [*BASE, "classSourcedId", "schoolSourcedId", "userSourcedId", "role"],
    "roles.csv": [*BASE, "userSourcedId", "roleType", "role", "orgSourcedId"],
    "demographics.csv": [*BASE, "birthDate"],
    "manifest.csv": ["propertyName", "value"],
}
REQUIRED_FILES = ["orgs.csv", "academicSessions.csv", "courses.csv", "classes.csv", "users.csv",
                  "enrollments.csv"]
STUDENT_ROLES = {"student"}
TEACHER_ROLES = {"teacher"}
#: OneRoster role → (roster.models.Relation, has authority)
GUARDIAN_ROLES = {"parent": ("parent", True), "guardian": ("guardian", True),
                  "relative": ("other", False)}
KNOWN_ROLES = {
    "administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher",
    # 1.2 additions
    "districtAdministrator", "siteAdministrator", "systemAdministrator", "principal",
}
#: userIds types (1.2 ``{type:id}``) that carry a Dutch identifier, lower case.
ID_TYPES = {"eckid": "eckid", "eck": "eckid", "bsn": "bsn", "onderwijsnummer": "onderwijsnummer",
            "own": "onderwijsnummer"}
DUTCH_PREFIX = re.compile(r"^[a-z' ]+$")


@dataclass
class _Row:
    file: str
    line: int
    data: dict[str, str]

    def get(self, column: str) -> str:
        return (self.data.get(column) or "").strip()


@dataclass
class _Reader:
    problems: list[Problem] = field(default_factory=list)

    def problem(self, file: str, line: int | None, column: str, message: str) -> None:
        where = _("line %(line)s") % {"line": line} if line else ""
        self.problems.append(Problem(file, where, column, message))


def parse(path: Path, *, school: str | None = None) -> RosterSet:
    """Read a OneRoster CSV set (folder or zip). ``school``: BRIN or sourcedId of the org to
    read when the set holds several schools."""
    reader = _Reader()
    files = _open(Path(path), reader)
    if reader.problems:
        raise RosterFileError(reader.problems)
    roster = _Parser(files, reader, school).run()
    if reader.problems:
        raise RosterFileError(reader.problems)
    return roster


def _open(path: Path, reader: _Reader) -> dict[str, str]:
    """The CSV files of the set by name, decoded."""
    raw: dict[str, bytes] = {}
    if path.is_dir():
        for item in path.iterdir():
            if item.suffix.lower() == ".csv" and item.is_file():
                raw[item.name] = item.read_bytes()
    elif path.is_file() and path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    name = info.filename.rsplit("/", 1)[-1]
                    if name.lower().endswith(".csv") and not info.is_dir():
                        raw[name] = archive.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile):
            reader.problem(path.name, None, "", _("This is not a readable zip file."))
            return {}
    else:
        reader.problem(path.name, None, "",
                       _("Expected a folder or a .zip file with the OneRoster CSV files."))
        return {}
    texts: dict[str, str] = {}
    for name, data in raw.items():
        try:
            texts[name] = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            reader.problem(name, None, "", _("The file is not UTF-8 encoded."))
    for name in REQUIRED_FILES:
        if name not in texts and name not in raw:
            reader.problem(name, None, "", _("This file is missing from the set."))
    return texts


def _date(reader: _Reader, row: _Row, column: str, *, required: bool = False) -> dt.date | None:
    value = row.get(column)
    if not value:
        if required:
            reader.problem(row.file, row.line, column, _("This field is empty."))
        return None
    try:
        if len(value) != 10 and value[10:11] != "T":
            raise ValueError(value)
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        reader.problem(row.file, row.line, column,
                       _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": value})
        return None


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _user_ids(value: str) -> dict[str, str]:
    """``{type:id},{type:id}`` → {type (lower case): id}."""
    found: dict[str, str] = {}
    for match in re.finditer(r"\{([^:{}]+):([^{}]*)\}", value):
        found[match.group(1).strip().lower()] = match.group(2).strip()
    return found


def _names(row: _Row) -> tuple[str, str, str, str]:
    """(first names, name used, prefix, last name). A lower-case middleName is a Dutch
    prefix (tussenvoegsel: "van der"); otherwise it belongs to the first names."""
    given = row.get("givenName")
    middle = row.get("middleName")
    prefix = ""
    first_names = given
    if middle and DUTCH_PREFIX.match(middle):
        prefix = middle
    elif middle:
        first_names = f"{given} {middle}"
    used = row.get("preferredGivenName") or given
    return first_names, used, prefix, row.get("familyName")


class _Parser:
    def __init__(self, files: dict[str, str], reader: _Reader, school: str | None):
        self.files = files
        self.reader = reader
        self.school = school
        self.version = "1.1"
        self.role_dates: dict[str, tuple[dt.date | None, dt.date | None]] = {}

    # -- reading -------------------------------------------------------------
    def rows(self, name: str) -> Iterator[_Row]:
        text = self.files.get(name)
        if text is None:
            return
        csv_reader = csv.DictReader(io.StringIO(text, newline=""))
        header = csv_reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS.get(name, []) if c not in header]
        for column in missing:
            self.reader.problem(name, 1, column, _("This column is missing."))
        if missing:
            return
        for data in csv_reader:
            if not any((v or "").strip() for v in data.values() if isinstance(v, str)):
                continue
            yield _Row(name, csv_reader.line_num, data)

    def table(self, name: str, *, active_only: bool = True) -> dict[str, _Row]:
        """The rows of a file by sourcedId; duplicates and empty ids are problems."""
        result: dict[str, _Row] = {}
        for row in self.rows(name):
            if active_only and row.get("status").lower() == "tobedeleted":
                continue
            key = row.get("sourcedId")
            if not key:
                self.reader.problem(name, row.line, "sourcedId", _("This field is empty."))
            elif key in result:
                self.reader.problem(
                    name, row.line, "sourcedId",
                    _("“%(key)s” is used twice (also on line %(line)s).")
                    % {"key": key, "line": result[key].line})
            else:
                result[key] = row
        return result

    # -- the set -------------------------------------------------------------
    def run(self) -> RosterSet:
        p = self.reader.problem
        # Structure first: a missing column would make every reference to its file a problem.
        for name in REQUIRED_COLUMNS:
            for _row in self.rows(name):
                break
        if self.reader.problems:
            return RosterSet(source="oneroster")
        self.read_manifest()
        orgs = self.table("orgs.csv")
        school_id = self.pick_school(orgs)
        sessions = self.table("academicSessions.csv")
        courses = self.table("courses.csv")
        classes = self.table("classes.csv")
        users = self.table("users.csv")
        demographics = self.table("demographics.csv")
        roles = self.read_roles(users, orgs)

        for row in sessions.values():
            _date(self.reader, row, "startDate", required=True)
            _date(self.reader, row, "endDate", required=True)
        for row in courses.values():
            if row.get("orgSourcedId") not in orgs:
                p(row.file, row.line, "orgSourcedId", _("No organisation with this sourcedId."))
            year = row.get("schoolYearSourcedId")
            if year and year not in sessions:
                p(row.file, row.line, "schoolYearSourcedId",
                  _("No academic session with this sourcedId."))

        roster = RosterSet(source="oneroster", complete=True)
        roster.school_year = self.school_year(sessions, courses)
        # A Dutch school's org identifier is its BRIN (with or without the vestiging).
        identifier = (orgs[school_id].get("identifier") if school_id in orgs else "") or ""
        if re.match(r"^\d{2}[A-Za-z]{2}", identifier):
            roster.brin = identifier[:4].upper()

        groups: dict[str, RosterGroup] = {}
        homerooms: set[str] = set()
        for key, row in classes.items():
            if row.get("courseSourcedId") not in courses:
                p(row.file, row.line, "courseSourcedId", _("No course with this sourcedId."))
            if row.get("schoolSourcedId") not in orgs:
                p(row.file, row.line, "schoolSourcedId", _("No organisation with this sourcedId."))
            class_type = row.get("classType")
            if class_type not in ("homeroom", "scheduled"):
                p(row.file, row.line, "classType",
                  _("“%(value)s” is not a class type; use homeroom or scheduled.")
                  % {"value": class_type})
            if school_id and row.get("schoolSourcedId") != school_id:
                continue
            if class_type == "homeroom":
                homerooms.add(key)
            groups[key] = RosterGroup(
                key=key, name=(row.get("classCode") or row.get("title"))[:60],
                kind="class" if class_type == "homeroom" else "course_group")
        roster.groups = list(groups.values())

        # users: role per user (1.1: users.csv role/orgSourcedIds; 1.2: roles.csv)
        students: dict[str, RosterStudent] = {}
        staff: dict[str, RosterStaff] = {}
        guardians: dict[str, tuple[RosterGuardian, str, _Row]] = {}
        student_keys: dict[str, _Row] = {}
        for sourced_id, row in users.items():
            role, user_orgs = roles.get(sourced_id, ("", []))
            for org in user_orgs:
                if org not in orgs:
                    p(row.file, row.line, "orgSourcedIds",
                      _("No organisation with this sourcedId: “%(key)s”.") % {"key": org})
            if role and role not in KNOWN_ROLES:
                p(row.file, row.line, "role",
                  _("“%(value)s” is not a OneRoster role.") % {"value": role})
                continue
            at_school = not school_id or school_id in user_orgs
            if role in STUDENT_ROLES and at_school:
                student = self.student(row, demographics, roles)
                if student is None:
                    continue
                if student.key in student_keys:
                    p(row.file, row.line, "identifier",
                      _("Student number “%(key)s” is used twice (also on line %(line)s).")
                      % {"key": student.key, "line": student_keys[student.key].line})
                    continue
                student_keys[student.key] = row
                students[sourced_id] = student
            elif role in TEACHER_ROLES and at_school:
                first, used, prefix, last = _names(row)
                if not row.get("email"):
                    p(row.file, row.line, "email",
                      _("A teacher needs an e-mail address: they sign in with it."))
                staff[sourced_id] = RosterStaff(
                    key=sourced_id, email=row.get("email").lower(), first_name=used,
                    last_name=last, prefix=prefix, roles={"teacher"})
            elif role in GUARDIAN_ROLES:
                first, used, prefix, last = _names(row)
                guardian = RosterGuardian(
                    key=sourced_id, last_name=last, given_name=used, prefix=prefix,
                    email=row.get("email").lower(), phone=row.get("phone") or row.get("sms"))
                guardians[sourced_id] = (guardian, role, row)
            if role in STUDENT_ROLES | TEACHER_ROLES | set(GUARDIAN_ROLES) and not row.get(
                    "familyName"):
                p(row.file, row.line, "familyName", _("This field is empty."))

        # agentSourcedIds, both directions
        links: dict[str, list[str]] = {}  # guardian sourcedId → student sourcedIds
        for sourced_id, row in users.items():
            for agent in _ids(row.get("agentSourcedIds")):
                if agent not in users:
                    p(row.file, row.line, "agentSourcedIds",
                      _("No user with this sourcedId: “%(key)s”.") % {"key": agent})
                elif sourced_id in students and agent in guardians:
                    links.setdefault(agent, []).append(sourced_id)
                elif sourced_id in guardians and agent in students:
                    links.setdefault(sourced_id, []).append(agent)
        for guardian_id, (guardian, role, _row) in guardians.items():
            relation, authority = GUARDIAN_ROLES[role]
            seen: set[str] = set()
            for student_id in links.get(guardian_id, []):
                if student_id in seen:
                    continue
                seen.add(student_id)
                guardian.links.append(GuardianLink(
                    student_key=students[student_id].key, relation=relation,
                    has_authority=authority))
        # a guardian of none of this school's students is not part of this school's set
        roster.guardians = [g for g, _r, _row in guardians.values() if g.links]

        # enrollments
        for row in self.table("enrollments.csv").values():
            class_id, user_id = row.get("classSourcedId"), row.get("userSourcedId")
            if class_id not in classes:
                p(row.file, row.line, "classSourcedId",
                  _("No class with this sourcedId: “%(key)s”.") % {"key": class_id})
                continue
            if user_id not in users:
                p(row.file, row.line, "userSourcedId",
                  _("No user with this sourcedId: “%(key)s”.") % {"key": user_id})
                continue
            _date(self.reader, row, "beginDate")
            _date(self.reader, row, "endDate")
            if class_id not in groups:
                continue
            role = row.get("role")
            if role == "student":
                if user_id in students:
                    if class_id not in students[user_id].groups:
                        students[user_id].groups.append(class_id)
                else:
                    p(row.file, row.line, "userSourcedId",
                      _("This user is enrolled as a student but is not a student."))
            elif role == "teacher":
                if user_id not in staff:
                    p(row.file, row.line, "userSourcedId",
                      _("This user is enrolled as a teacher but is not a teacher."))
                    continue
                if class_id in homerooms and row.get("primary").lower() == "true":
                    person = staff[user_id]
                    person.roles.add("mentor")
                    if class_id not in person.mentor_of:
                        person.mentor_of.append(class_id)
        roster.students = list(students.values())
        roster.staff = list(staff.values())
        return roster

    def read_manifest(self) -> None:
        rows = list(self.rows("manifest.csv"))
        props = {r.get("propertyName"): (r.get("value"), r) for r in rows}
        if "oneroster.version" in props:
            version, row = props["oneroster.version"]
            if version not in ("1.1", "1.2"):
                self.reader.problem(row.file, row.line, "value",
                                    _("OneRoster version “%(value)s” is not supported; "
                                      "use 1.1 or 1.2.") % {"value": version})
            self.version = version
        else:
            header = self.files.get("users.csv", "").split("\n", 1)[0]
            if "roles.csv" in self.files or "role" not in [
                    c.strip().strip('"') for c in header.split(",")]:
                self.version = "1.2"
        for name, (value, row) in props.items():
            if name and name.startswith("file.") and value.lower() == "delta":
                self.reader.problem(row.file, row.line, "value",
                                    _("Only complete (bulk) files can be imported, not delta."))

    def school_year(self, sessions: dict[str, _Row], courses: dict[str, _Row]) -> str:
        """"2026-2027" from the schoolYear session the courses name (or the only one)."""
        years = {k: r for k, r in sessions.items() if r.get("type") == "schoolYear"}
        named = [c.get("schoolYearSourcedId") for c in courses.values()]
        chosen = next((years[k] for k in named if k in years), None)
        if chosen is None and len(years) == 1:
            chosen = next(iter(years.values()))
        if chosen is None:
            return ""
        if _iso(chosen.get("startDate")) and _iso(chosen.get("endDate")):
            start = dt.date.fromisoformat(chosen.get("startDate")[:10])
            end = dt.date.fromisoformat(chosen.get("endDate")[:10])
            return f"{start.year}-{end.year}" if end.year > start.year else f"{start.year}-{start.year + 1}"
        return ""

    def pick_school(self, orgs: dict[str, _Row]) -> str:
        schools = {k: r for k, r in orgs.items() if r.get("type") == "school"}
        if self.school:
            wanted = self.school.upper()
            for key, row in schools.items():
                identifier = (row.get("identifier") or "").upper()
                if self.school == key or wanted in (identifier, identifier[:4]):
                    return key
            if len(schools) == 1:
                # One school in the set: it is the one (the sync checks its BRIN).
                return next(iter(schools))
            self.reader.problem("orgs.csv", None, "identifier",
                                _("The set has no school “%(code)s”.") % {"code": self.school})
            return ""
        if not schools and orgs:
            self.reader.problem("orgs.csv", None, "type", _("The set has no school."))
        if len(schools) > 1:
            self.reader.problem(
                "orgs.csv", None, "type",
                _("The set holds several schools (%(names)s); choose one.")
                % {"names": ", ".join(r.get("name") for r in schools.values())})
            return ""
        return next(iter(schools), "")

    def read_roles(self, users: dict[str, _Row],
                   orgs: dict[str, _Row]) -> dict[str, tuple[str, list[str]]]:
        """sourcedId → (role, org sourcedIds)."""
        result: dict[str, tuple[str, list[str]]] = {}
        if self.version == "1.2" and "roles.csv" in self.files:
            for row in self.table("roles.csv").values():
                user = row.get("userSourcedId")
                if user not in users:
                    self.reader.problem(row.file, row.line, "userSourcedId",
                                        _("No user with this sourcedId: “%(key)s”.") % {"key": user})
                    continue
                if row.get("orgSourcedId") not in orgs:
                    self.reader.problem(row.file, row.line, "orgSourcedId",
                                        _("No organisation with this sourcedId."))
                begin = _date(self.reader, row, "beginDate")
                end = _date(self.reader, row, "endDate")
                if row.get("role") == "student":
                    self.role_dates[user] = (begin, end)
                role, org_ids = result.get(user, ("", []))
                if row.get("roleType") == "primary" or not role:
                    role = row.get("role")
                org_ids.append(row.get("orgSourcedId"))
                result[user] = (role, org_ids)
            return result
        for key, row in users.items():
            if "role" not in row.data:
                self.reader.problem(row.file, 1, "role", _("This column is missing."))
                return result
            role = row.get("role")
            if not role:
                self.reader.problem(row.file, row.line, "role", _("This field is empty."))
            result[key] = (role, _ids(row.get("orgSourcedIds") or row.get("primaryOrgSourcedId")))
        return result

    def student(self, row: _Row, demographics: dict[str, _Row],
                roles: dict[str, tuple[str, list[str]]]) -> RosterStudent | None:
        p = self.reader.problem
        first, used, prefix, last = _names(row)
        sourced_id = row.get("sourcedId")
        if not row.get("givenName"):
            p(row.file, row.line, "givenName", _("This field is empty."))
        demo = demographics.get(sourced_id)
        birth = _date(self.reader, demo, "birthDate", required=True) if demo else None
        ids = _user_ids(row.get("userIds"))
        extra = {ID_TYPES[t]: v for t, v in ids.items() if t in ID_TYPES}
        key = row.get("identifier") or sourced_id
        if len(key) > 40:
            p(row.file, row.line, "identifier",
              _("A student number is at most 40 characters."))
        start, end = self.role_dates.get(sourced_id, (None, None))
        return RosterStudent(
            key=key, first_names=first, given_name=used, last_name=last, prefix=prefix,
            birth_date=birth,  # None: the sync decides
            eckid=extra.get("eckid", ""), bsn=extra.get("bsn", ""),
            onderwijsnummer=extra.get("onderwijsnummer", ""), email=row.get("email").lower(),
            enrolment_start=start, enrolment_end=end)


def _iso(value: str) -> bool:
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError:
        return False
    return bool(value)
