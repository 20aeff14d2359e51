"""The demo seed: a realistic board, working logins, plausible attendance, same seed same data."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from aanwezig import access
from aanwezig.accounts.models import User
from aanwezig.attendance.models import AbsenceReason, Mark, Registration
from aanwezig.demo.seed import DEMO_LOGINS, PASSWORD, default_absence_reasons, seed_demo
from aanwezig.roster.models import (
    Group,
    Guardian,
    Lesson,
    LessonStatus,
    Membership,
    Student,
    StudentGuardian,
    TimetableEntry,
    bsn_is_valid,
)
from aanwezig.schools.models import Board, DayOff, ExternalPartner, Role, School, StaffRole

TODAY = dt.date(2026, 11, 18)
STUDENTS = 300


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seed once for the module, roll back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        summary = seed_demo(STUDENTS, 7, TODAY)
        yield summary
        transaction.set_rollback(True)


def logins() -> dict[str, User]:
    return {key: User.objects.get(username=username) for key, username, _label in DEMO_LOGINS}


@pytest.mark.django_db
def test_board_has_a_school_per_sector(demo):
    board = Board.objects.get()
    assert board.name == "Stichting Samen Leren"
    assert sorted(School.objects.values_list("sector", flat=True)) == ["mbo", "po", "vo"]
    assert Student.objects.count() == demo.students
    assert abs(demo.students - STUDENTS) <= 5
    for school in School.objects.all():
        assert school.school_years.count() == 2
        assert DayOff.objects.filter(school=school, kind="study_day").exists()
        assert {r.code for r in AbsenceReason.objects.filter(school=school)} == {
            r["code"] for r in default_absence_reasons()
        }
        roles = set(StaffRole.objects.filter(school=school).values_list("role", flat=True))
        assert roles == set(Role.values)
        assert Lesson.objects.filter(school=school, status=LessonStatus.CANCELLED).exists()
    kinds = set(ExternalPartner.objects.values_list("kind", flat=True))
    assert kinds == {"leerplicht", "rmc", "youth_doctor"}
    assert Group.objects.filter(school__sector="mbo", programme__contains="niveau").exists()


@pytest.mark.django_db
def test_people_are_plausible(demo):
    assert Student.objects.exclude(bsn="").exists()
    assert all(bsn_is_valid(b) for b in Student.objects.exclude(bsn="").values_list("bsn", flat=True))
    phones = Guardian.objects.exclude(phone="").values_list("phone", flat=True)
    assert all(p.startswith("+316") and len(p) == 12 for p in phones)
    assert set(Guardian.objects.values_list("language", flat=True)) >= {"nl"}
    assert StudentGuardian.objects.filter(has_authority=False, lives_with_student=False).exists()
    # Siblings at different schools of the board share a guardian.
    shared = [g for g in Guardian.objects.all() if
              len({link.school_id for link in g.student_links.all()}) > 1]
    assert shared
    mbo = Student.objects.filter(sector="mbo")
    ages = [s.age_on(TODAY) for s in mbo]
    assert min(ages) >= 16 and max(ages) <= 25
    adults = [s for s in mbo if s.is_adult_on(TODAY)]
    consents = {link.adult_consent_view
                for s in adults for link in s.guardian_links.all()}
    assert consents == {True, False}


@pytest.mark.django_db
def test_timetable_has_no_clashes(demo):
    seen_teacher, seen_room = set(), set()
    for entry in TimetableEntry.objects.select_related("period"):
        key = (entry.school_year_id, entry.period.weekday, entry.period.start_time)
        assert (entry.teacher_id, *key) not in seen_teacher
        seen_teacher.add((entry.teacher_id, *key))
        assert (entry.school_id, entry.room, *key) not in seen_room
        seen_room.add((entry.school_id, entry.room, *key))


@pytest.mark.django_db
def test_every_demo_login_works_and_reaches_its_links(demo):
    users = logins()
    for user in users.values():
        assert authenticate(username=user.username, password=PASSWORD) == user
    vo = School.objects.get(sector="vo")
    teacher = users["teacher"]
    assert access.roles_at(teacher, vo) == {Role.TEACHER}
    assert access.groups_for_user(teacher, vo, TODAY).exists()
    assert access.students_for_user(teacher, vo, TODAY).exists()
    assert Lesson.objects.filter(teacher=teacher, date__gt=TODAY).exists()
    mentor = users["mentor"]
    assert Role.MENTOR in access.roles_at(mentor, vo)
    officer = users["attendance_officer"]
    assert access.students_for_user(officer, vo, TODAY).count() == Student.objects.filter(school=vo).count()
    assert access.may_see_identifiers(officer, vo)
    assert Role.SCHOOL_LEADER in access.roles_at(users["school_leader"], vo)
    admin = users["administrator"]
    assert admin.is_staff and access.may_administer(admin, vo)
    # Not a superuser: the admin shows the administrator's own school only.
    assert not admin.is_superuser
    other = School.objects.exclude(pk=vo.pk).first()
    assert other is not None and not access.may_administer(admin, other)

    # The parent sees two children under 18 at two schools, not their adult child.
    parent = users["parent"]
    children = access.children_for_user(parent, TODAY)
    assert len(children) == 2
    assert len({link.student.school_id for link in children}) == 2
    assert all(not link.student.is_adult_on(TODAY) for link in children)
    assert StudentGuardian.objects.filter(guardian=parent.guardian).count() == 3
    # The mentor mentors the parent's child in vo.
    vo_child = next(link.student for link in children if link.student.school == vo)
    group = Membership.objects.get(student=vo_child, end_date__isnull=True).group
    assert group.mentorships.filter(user=mentor).exists()

    student = access.own_student(users["student"])
    assert student is not None and student.sector == "mbo" and student.is_adult_on(TODAY)
    link = StudentGuardian.objects.get(student=student, guardian=parent.guardian)
    assert not link.may_view_on(TODAY)


@pytest.mark.django_db
def test_attendance_is_about_95_percent(demo):
    absent = Mark.objects.filter(reason__counts_as="absent").count()
    student_lessons = 0
    for m in Membership.objects.select_related("student"):
        registered = Registration.objects.filter(
            lesson__group_id=m.group_id,
            lesson__date__gte=max(m.start_date, m.student.enrolment_start),
        )
        if m.end_date:
            registered = registered.filter(lesson__date__lte=m.end_date)
        student_lessons += registered.count()
    present = 1 - absent / student_lessons
    assert 0.93 <= present <= 0.97
    reasons = Counter(Mark.objects.values_list("reason__code", flat=True))
    assert reasons["ziek"] > reasons["ongeoorloofd"] > 0
    assert reasons["te_laat"] > 0 and reasons["medisch"] > 0
    assert Mark.objects.filter(status="late", minutes_late__gt=0).exists()
    # Registers for (almost) every past lesson, none for the future or cancelled lessons.
    assert not Registration.objects.filter(lesson__date__gte=TODAY).exists()
    assert not Registration.objects.filter(lesson__status=LessonStatus.CANCELLED).exists()
    past = Lesson.objects.filter(date__lt=TODAY, status=LessonStatus.SCHEDULED,
                                 date__gte=Registration.objects.order_by("lesson__date")
                                 .values("lesson__date")[:1]).count()
    assert Registration.objects.count() >= 0.98 * past


@pytest.mark.django_db
def test_demo_logins_command_prints_the_table(demo, capsys):
    call_command("demo_logins", "--url", "http://localhost:8000/")
    out = capsys.readouterr().out
    assert "http://localhost:8000/" in out
    for _key, username, _label in DEMO_LOGINS:
        assert username in out
    assert PASSWORD in out
