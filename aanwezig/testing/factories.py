"""Plain factory functions for tests: each makes one valid object with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from aanwezig.accounts.models import User
from aanwezig.roster.models import (
    Group,
    GroupKind,
    GroupMentor,
    Guardian,
    Lesson,
    Membership,
    Relation,
    Student,
    StudentGuardian,
    TimetableEntry,
)
from aanwezig.schools.models import (
    Board,
    HolidayRegion,
    Period,
    Role,
    School,
    SchoolYear,
    Sector,
    StaffRole,
)

_seq = itertools.count(1)
PASSWORD = "test-wachtwoord-123"

DEFAULT_GRID = [
    (1, dt.time(8, 30), dt.time(9, 20)),
    (2, dt.time(9, 20), dt.time(10, 10)),
    (3, dt.time(10, 30), dt.time(11, 20)),
    (4, dt.time(11, 20), dt.time(12, 10)),
]


def make_board(name: str = "") -> Board:
    return Board.objects.create(name=name or f"Bestuur {next(_seq)}")


def make_school(board: Board | None = None, *, sector: str = Sector.VO, brin: str = "", **kw: Any) -> School:
    n = next(_seq)
    return School.objects.create(
        board=board or make_board(),
        name=kw.pop("name", f"School {n}"),
        brin=brin or f"{n % 100:02d}X{chr(65 + n % 26)}",
        sector=sector,
        holiday_region=kw.pop("holiday_region", HolidayRegion.MIDDEN),
        **kw,
    )


def make_school_year(school: School, start_year: int = 2026) -> SchoolYear:
    return SchoolYear.objects.create(
        school=school,
        name=f"{start_year}-{start_year + 1}",
        start_date=dt.date(start_year, 8, 1),
        end_date=dt.date(start_year + 1, 7, 31),
    )


def make_period_grid(school: School, grid: list[tuple[int, dt.time, dt.time]] | None = None) -> list[Period]:
    periods = [
        Period(school=school, weekday=weekday, number=number, start_time=start, end_time=end)
        for weekday in range(5)
        for number, start, end in (grid or DEFAULT_GRID)
    ]
    return Period.objects.bulk_create(periods)


def make_user(username: str = "", *, first_name: str = "Test", last_name: str = "", **kw: Any) -> User:
    n = next(_seq)
    return User.objects.create_user(
        username=username or f"user{n}@example.test",
        password=PASSWORD,
        first_name=first_name,
        last_name=last_name or f"Gebruiker{n}",
        **kw,
    )


def make_staff(school: School, *roles: str, username: str = "", **kw: Any) -> User:
    user = make_user(username, **kw)
    for role in roles or (Role.TEACHER,):
        StaffRole.objects.create(school=school, user=user, role=role)
    return user


def make_group(school: School, year: SchoolYear, name: str = "", **kw: Any) -> Group:
    return Group.objects.create(
        school=school,
        school_year=year,
        name=name or f"G{next(_seq)}",
        kind=kw.pop("kind", GroupKind.CLASS),
        **kw,
    )


def add_mentor(group: Group, user: User) -> GroupMentor:
    return GroupMentor.objects.create(school=group.school, group=group, user=user)


def make_student(
    school: School,
    group: Group | None = None,
    *,
    birth_date: dt.date = dt.date(2012, 5, 17),
    given_name: str = "",
    last_name: str = "",
    member_from: dt.date | None = None,
    **kw: Any,
) -> Student:
    n = next(_seq)
    student = Student.objects.create(
        school=school,
        first_names=kw.pop("first_names", given_name or f"Leerling{n}"),
        given_name=given_name or f"Leerling{n}",
        last_name=last_name or f"Achternaam{n}",
        birth_date=birth_date,
        sector=kw.pop("sector", school.sector),
        enrolment_start=kw.pop("enrolment_start", dt.date(2024, 8, 1)),
        school_key=kw.pop("school_key", f"L{n:06d}"),
        **kw,
    )
    if group is not None:
        Membership.objects.create(
            school=school, group=group, student=student, start_date=member_from or dt.date(2024, 8, 1)
        )
    return student


def make_guardian(board: Board, *, user: User | None = None, **kw: Any) -> Guardian:
    n = next(_seq)
    return Guardian.objects.create(
        board=board,
        user=user,
        given_name=kw.pop("given_name", f"Ouder{n}"),
        last_name=kw.pop("last_name", f"Familie{n}"),
        email=kw.pop("email", f"ouder{n}@example.test"),
        phone=kw.pop("phone", "+31612345678"),
        **kw,
    )


def link_guardian(student: Student, guardian: Guardian, **kw: Any) -> StudentGuardian:
    return StudentGuardian.objects.create(
        school=student.school,
        student=student,
        guardian=guardian,
        relation=kw.pop("relation", Relation.PARENT),
        **kw,
    )


def make_entry(group: Group, period: Period, teacher: User, **kw: Any) -> TimetableEntry:
    return TimetableEntry.objects.create(
        school=group.school,
        school_year=group.school_year,
        group=group,
        period=period,
        teacher=teacher,
        subject=kw.pop("subject", "Nederlands"),
        room=kw.pop("room", "101"),
        valid_from=kw.pop("valid_from", group.school_year.start_date),
        valid_until=kw.pop("valid_until", group.school_year.end_date),
        **kw,
    )


def make_lesson(group: Group, teacher: User, day: dt.date, *, period: Period | None = None, **kw: Any) -> Lesson:
    start = kw.pop("start_time", period.start_time if period else dt.time(8, 30))
    end = kw.pop("end_time", period.end_time if period else dt.time(9, 20))
    return Lesson.objects.create(
        school=group.school,
        date=day,
        period=period,
        start_time=start,
        end_time=end,
        group=group,
        teacher=teacher,
        subject=kw.pop("subject", "Nederlands"),
        **kw,
    )
