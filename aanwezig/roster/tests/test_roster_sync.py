"""A roster import is a sync: create, update, never duplicate, end instead of delete."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from aanwezig.attendance.models import Mark
from aanwezig.audit.models import AuditEvent
from aanwezig.roster.importing.model import (
    GuardianLink,
    RosterFileError,
    RosterGroup,
    RosterGuardian,
    RosterSet,
    RosterStaff,
    RosterStudent,
)
from aanwezig.roster.importing.sync import sync_roster
from aanwezig.roster.models import (
    Group,
    GroupMentor,
    Guardian,
    Membership,
    Student,
    StudentGuardian,
)
from aanwezig.schools.models import Role, StaffRole
from aanwezig.testing import factories as f
from conftest import TODAY

YESTERDAY = TODAY - dt.timedelta(days=1)
User = get_user_model()


def roster_set(**overrides) -> RosterSet:
    groups = [RosterGroup(key="G1A", name="1A", year_level=1),
              RosterGroup(key="G3C", name="3C", year_level=3, level="havo")]
    staff = [RosterStaff(key="T1", email="Kees.Klaver@school.test", first_name="Kees",
                         last_name="Klaver", roles={"teacher"}, mentor_of=["G3C"])]
    students = [
        RosterStudent(key="9001", first_names="Emma Sofie", given_name="Emma", last_name="Berg",
                      prefix="van den", birth_date=dt.date(2013, 2, 3), bsn="111222333",
                      enrolment_start=dt.date(2025, 8, 1), groups=["G3C"]),
        RosterStudent(key="9002", first_names="Mo", given_name="Mo", last_name="Amrani",
                      birth_date=dt.date(2013, 6, 7), enrolment_start=dt.date(2024, 8, 1),
                      groups=["G3C"]),
    ]
    guardians = [RosterGuardian(key="P1", given_name="Ria", last_name="Berg",
                                email="ria@example.test", phone="06 12345678",
                                links=[GuardianLink("9001", relation="mother")])]
    data: dict = {"source": "edexml", "groups": groups, "staff": staff, "students": students,
                  "guardians": guardians}
    data.update(overrides)
    return RosterSet(**data)


def snapshot() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (
        Group, User, StaffRole, GroupMentor, Student, Membership, Guardian, StudentGuardian,
        AuditEvent)}


def run(world, roster: RosterSet, **kw):
    """Sync to school A; the fixture's students of school A stay out of a complete set unless
    told otherwise, so most tests use ``complete=False``-like sets built from the fixture."""
    return sync_roster(world.school_a, roster, actor=kw.pop("actor", None), today=TODAY, **kw)


def with_fixture_students(world, roster: RosterSet) -> RosterSet:
    """Add school A's fixture students as they are, so a complete set does not end them."""
    by_name = {rg.name: rg.key for rg in roster.groups}
    keys = {}
    for g in Group.objects.filter(school=world.school_a):
        keys[g.pk] = g.external_key or by_name.get(g.name) or g.name
        if keys[g.pk] not in {rg.key for rg in roster.groups}:
            roster.groups.append(RosterGroup(key=keys[g.pk], name=g.name, year_level=g.year_level))
    listed = {rs.key for rs in roster.students}
    for s in Student.objects.filter(school=world.school_a).exclude(school_key__in=listed):
        groups = [keys[m.group_id] for m in Membership.objects.filter(
            student=s, end_date__isnull=True)]
        roster.students.append(RosterStudent(
            key=s.school_key, first_names=s.first_names, given_name=s.given_name,
            last_name=s.last_name, birth_date=s.birth_date, enrolment_start=s.enrolment_start,
            groups=groups))
    return roster


def test_first_import_creates_everything(world):
    report = run(world, with_fixture_students(world, roster_set()))
    emma = Student.objects.get(school=world.school_a, school_key="9001")
    assert (emma.given_name, emma.prefix, emma.bsn) == ("Emma", "van den", "111222333")
    g3c = Group.objects.get(school=world.school_a, external_key="G3C")
    assert (g3c.name, g3c.level, g3c.school_year) == ("3C", "havo", world.year_a)
    # First import: members from the start of the school year (history lessons count).
    m = Membership.objects.get(student=emma, group=g3c)
    assert (m.start_date, m.end_date) == (world.year_a.start_date, None)
    kees = User.objects.get(email="kees.klaver@school.test")
    assert not kees.has_usable_password()
    assert set(StaffRole.objects.filter(school=world.school_a, user=kees)
               .values_list("role", flat=True)) == {Role.TEACHER, Role.MENTOR}
    assert GroupMentor.objects.filter(group=g3c, user=kees).exists()
    ria = Guardian.objects.get(board=world.board, external_key="P1")
    assert ria.phone == "+31612345678"
    assert StudentGuardian.objects.get(guardian=ria, student=emma).relation == "mother"
    assert report.counts["student"].created == 2
    assert report.counts["membership"].created == 2
    # Fixture groups without a key are adopted, not duplicated.
    assert Group.objects.filter(school=world.school_a, name="1A").count() == 1
    assert AuditEvent.objects.filter(action="import_roster", school=world.school_a).count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="roster.Student",
                                     student=emma).exists()


def test_second_identical_import_changes_nothing(world):
    run(world, with_fixture_students(world, roster_set()))
    before = snapshot()
    report = run(world, with_fixture_students(world, roster_set()))
    assert snapshot() == before
    assert not report.changed
    assert report.changes == []
    assert report.counts["student"].unchanged >= 2
    assert report.counts["student"].created == report.counts["student"].updated == 0


def test_changed_fields_are_updated_and_reported(world):
    run(world, with_fixture_students(world, roster_set()))
    changed = roster_set()
    changed.students[1].last_name = "El Amrani"
    changed.groups[1].name = "3C-havo"
    changed.guardians[0].phone = "+31 6 87654321"
    report = run(world, with_fixture_students(world, changed))
    assert Student.objects.get(school_key="9002").last_name == "El Amrani"
    assert Group.objects.get(external_key="G3C").name == "3C-havo"
    assert Guardian.objects.get(external_key="P1").phone == "+31687654321"
    fields = {(c.kind, c.field, c.before, c.after) for c in report.changes}
    assert ("student", "last_name", "Amrani", "El Amrani") in fields
    assert ("group", "name", "3C", "3C-havo") in fields
    assert report.counts["student"].updated == 1
    assert Student.objects.filter(school_key="9002").count() == 1


def test_student_who_left_keeps_history_and_membership_is_ended(world):
    first = with_fixture_students(world, roster_set())
    run(world, first)
    mo = Student.objects.get(school_key="9002")
    lesson = f.make_lesson(Group.objects.get(external_key="G3C"), world.teacher_a,
                           YESTERDAY - dt.timedelta(days=1), period=world.grid_a[4])
    Mark.objects.create(school=world.school_a, lesson=lesson, student=mo, date=lesson.date,
                        status="absent", created_at=f"{TODAY}T09:00Z",
                        updated_at=f"{TODAY}T09:00Z")
    second = with_fixture_students(world, roster_set())
    second.students = [s for s in second.students if s.key != "9002"]
    report = run(world, second)
    m = Membership.objects.get(student=mo)
    assert m.end_date == YESTERDAY
    mo.refresh_from_db()
    assert mo.enrolment_end == YESTERDAY
    assert Mark.objects.filter(student=mo).count() == 1
    assert report.counts["membership"].ended == 1
    assert report.counts["student"].ended == 1
    assert any(c.action == "ended" and c.field == "end_date" and c.after == f"{YESTERDAY:%d-%m-%Y}"
               for c in report.changes)


def test_group_change_ends_old_membership_and_starts_new_today(world):
    run(world, with_fixture_students(world, roster_set()))
    moved = roster_set()
    moved.students[1].groups = ["G1A"]
    run(world, with_fixture_students(world, moved))
    mo = Student.objects.get(school_key="9002")
    rows = {m.group.external_key: (m.start_date, m.end_date)
            for m in Membership.objects.filter(student=mo).select_related("group")}
    assert rows["G3C"] == (world.year_a.start_date, YESTERDAY)
    assert rows["G1A"] == (TODAY, None)


def test_dry_run_writes_nothing_and_reports_the_same(world):
    before = snapshot()
    dry = run(world, with_fixture_students(world, roster_set()), dry_run=True)
    assert snapshot() == before
    assert dry.dry_run and dry.changed
    real = run(world, with_fixture_students(world, roster_set()))
    assert [str(c) for c in dry.changes] == [str(c) for c in real.changes]
    assert dry.counts == real.counts


@pytest.mark.parametrize("spoil, where, field", [
    (lambda r: r.students[0].groups.append("NOPE"), "9001", "groups"),
    (lambda r: setattr(r.students[0], "bsn", "12345"), "9001", "bsn"),
    (lambda r: r.students.append(r.students[0]), "9001", "key"),
    (lambda r: r.guardians[0].links.append(GuardianLink("0000")), "P1", "student"),
    (lambda r: setattr(r.guardians[0], "phone", "12"), "P1", "phone"),
    (lambda r: r.staff[0].mentor_of.append("NOPE"), "T1", "mentor_of"),
])
def test_bad_set_is_refused_whole_with_located_problems(world, spoil, where, field):
    roster = roster_set()
    spoil(roster)
    before = snapshot()
    with pytest.raises(RosterFileError) as caught:
        run(world, roster)
    assert snapshot() == before
    assert any(p.field == field and where in p.where for p in caught.value.problems), \
        caught.value.problems
    assert all(p.where for p in caught.value.problems)


def test_every_problem_is_reported_at_once(world):
    roster = roster_set()
    roster.students[0].bsn = "12345"
    roster.students[1].groups = ["NOPE"]
    with pytest.raises(RosterFileError) as caught:
        run(world, roster)
    assert {p.field for p in caught.value.problems} >= {"bsn", "groups"}


def test_problems_are_explained_in_dutch_by_default(world):
    roster = roster_set()
    roster.students[0].bsn = "12345"
    with pytest.raises(RosterFileError) as caught:
        run(world, roster)
    assert "Vul negen cijfers in." in str(caught.value.problems[0])


def test_what_the_product_cannot_use_is_left_out_with_a_warning(world):
    """A BSN failing the eleven test is left empty, a student without a date of birth and a
    staff member without an e-mail address are not imported; the rest is."""
    roster = with_fixture_students(world, roster_set())
    roster.students[0].bsn = "123456789"
    roster.students[1].birth_date = None
    roster.staff[0].email = ""
    with translation.override("en"):
        report = run(world, roster)
    assert {(w.where, w.field) for w in report.warnings} >= {
        ("student 9001", "bsn"), ("student 9002", "birth_date"), ("staff member T1", "email")}
    assert Student.objects.get(school=world.school_a, school_key="9001").bsn == ""
    assert not Student.objects.filter(school=world.school_a, school_key="9002").exists()
    assert not User.objects.filter(email="kees.klaver@school.test").exists()


def test_other_schools_students_are_never_touched(world):
    student_b = world.student_b
    b_membership = Membership.objects.get(student=student_b)
    same_key = roster_set()
    same_key.students[0].key = student_b.school_key  # the same number at another school
    same_key.guardians[0].links[0].student_key = student_b.school_key
    run(world, with_fixture_students(world, same_key))
    student_b.refresh_from_db()
    b_membership.refresh_from_db()
    assert student_b.enrolment_end is None and student_b.last_name == "Smit"
    assert b_membership.end_date is None
    assert Student.objects.filter(school=world.school_a, school_key=student_b.school_key).exists()
    assert not AuditEvent.objects.filter(school=world.school_b).exists()


def test_complete_set_ends_students_missing_from_it(world):
    run(world, roster_set())  # without the fixture's students
    world.child_a.refresh_from_db()
    assert world.child_a.enrolment_end == YESTERDAY
    assert Membership.objects.get(student=world.child_a).end_date == YESTERDAY
    assert Student.objects.filter(pk=world.child_a.pk).exists()


def test_partial_set_leaves_unnamed_students_alone(world):
    guardians_only = RosterSet(source="csv", complete=False, guardians=[RosterGuardian(
        key="P9", last_name="Jansen", email="ouder9@example.test",
        links=[GuardianLink(world.child_a.school_key, relation="father")])])
    report = run(world, guardians_only)
    world.child_a.refresh_from_db()
    assert world.child_a.enrolment_end is None
    assert StudentGuardian.objects.filter(student=world.child_a, guardian__external_key="P9",
                                          relation="father").exists()
    assert report.counts["link"].created == 1


def test_an_empty_cell_does_not_wipe_what_is_stored(world):
    run(world, with_fixture_students(world, roster_set()))
    again = roster_set()
    again.students[0].bsn = ""
    again.guardians[0].phone = ""
    report = run(world, with_fixture_students(world, again))
    assert Student.objects.get(school_key="9001").bsn == "111222333"
    assert Guardian.objects.get(external_key="P1").phone == "+31612345678"
    assert not report.changed


def test_bsn_changes_are_masked_in_report_and_audit(world):
    run(world, with_fixture_students(world, roster_set()))
    again = roster_set()
    again.students[0].bsn = "123456782"
    report = run(world, with_fixture_students(world, again))
    change = next(c for c in report.changes if c.field == "bsn")
    assert "123456782" not in str(change) and "111222333" not in str(change)
    event = AuditEvent.objects.filter(object_type="roster.Student", action="update").get()
    assert event.changes == {"bsn": "changed"}


def test_someone_who_does_not_administer_the_school_may_not_import(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(world, roster_set(), actor=world.teacher_a)
    report = run(world, with_fixture_students(world, roster_set()), actor=world.admin_a)
    assert report.changed
    assert AuditEvent.objects.filter(action="import_roster", actor=world.admin_a).exists()
