"""What every roster format is parsed into, and how a bad file is refused.

A parser reads a whole file (or folder, or zip) and returns one ``RosterSet``; when
anything is wrong it raises ``RosterFileError`` with *every* problem it found, each located
(file, line or element, field) and explained in the user's language. Nothing is written by a
parser; ``sync.sync_roster`` applies the set in one transaction.

Keys are the source system's stable keys: they match records again on a re-import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file: where, which field, and what (translated)."""

    file: str
    where: str  # "regel 12" / "line 12" or an element path such as "leerling[key=123]"
    field: str
    message: str

    def __str__(self) -> str:
        place = ", ".join(part for part in (self.file, self.where, self.field) if part)
        return f"{place}: {self.message}"


class RosterFileError(Exception):
    """The file is refused whole; ``problems`` lists everything found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


@dataclass
class RosterGroup:
    key: str
    name: str
    kind: str = "class"  # roster.models.GroupKind value: class, cluster, cohort ...
    year_level: int | None = None
    level: str = ""
    programme: str = ""
    #: For a combined group (EDEXML "samengestelde groep"): the keys of the groups it joins.
    part_of: list[str] = field(default_factory=list)


@dataclass
class RosterStaff:
    key: str
    email: str
    first_name: str
    last_name: str
    prefix: str = ""
    #: roles at the school: "teacher", "mentor" (schools.models.Role values)
    roles: set[str] = field(default_factory=set)
    #: groups this person is mentor of
    mentor_of: list[str] = field(default_factory=list)


@dataclass
class RosterStudent:
    key: str  # the school's student number (Student.school_key)
    first_names: str
    given_name: str
    last_name: str
    birth_date: dt.date | None  # None when the file leaves it out: the sync sets the student aside
    prefix: str = ""
    eckid: str = ""
    bsn: str = ""
    onderwijsnummer: str = ""
    enrolment_start: dt.date | None = None  # instroom
    enrolment_end: dt.date | None = None  # uitstroom
    groups: list[str] = field(default_factory=list)  # group keys, current memberships
    email: str = ""


@dataclass
class GuardianLink:
    student_key: str
    relation: str = "parent"  # roster.models.Relation value
    has_authority: bool = True
    lives_with_student: bool = True
    receives_messages: bool = True


@dataclass
class RosterGuardian:
    key: str  # Guardian.external_key
    last_name: str
    given_name: str = ""
    prefix: str = ""
    email: str = ""
    phone: str = ""  # as given; the sync stores it as E.164
    language: str = ""
    links: list[GuardianLink] = field(default_factory=list)


@dataclass
class RosterSet:
    """Everything one file says about one school. Lists, in file order."""

    source: str  # "edexml", "oneroster", "csv"
    school_year: str = ""  # e.g. "2026-2027" when the file says so
    #: The school's BRIN as the file gives it; the sync refuses a file for another school.
    brin: str = ""
    groups: list[RosterGroup] = field(default_factory=list)
    staff: list[RosterStaff] = field(default_factory=list)
    students: list[RosterStudent] = field(default_factory=list)
    guardians: list[RosterGuardian] = field(default_factory=list)
    #: True when the file is a full picture of the school (EDEXML, OneRoster): students and
    #: memberships missing from it are ended. False for the guardians CSV (adds and updates).
    complete: bool = True
