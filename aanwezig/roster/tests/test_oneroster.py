"""OneRoster 1.1 and 1.2 CSV: the sample sets are read completely (folder or zip); bad sets
are refused whole with every problem located; importing a set twice changes nothing.

Messages are read back in English (the msgids); their Dutch is in the catalogue.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from aanwezig.roster.importing import oneroster
from aanwezig.roster.importing.model import RosterFileError

SAMPLES = Path(oneroster.__file__).resolve().parent / "samples"
V11 = SAMPLES / "oneroster-1.1"
V12 = SAMPLES / "oneroster-1.2"


def copy(tmp_path: Path, sample: Path = V12) -> Path:
    target = tmp_path / sample.name
    shutil.copytree(sample, target)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(path: Path, **kw) -> list:
    with translation.override("en"), pytest.raises(RosterFileError) as caught:
        oneroster.parse(path, **kw)
    return caught.value.problems


def located(problems: list) -> set[tuple[str, str, str]]:
    return {(p.file, p.where, p.field) for p in problems}


@pytest.mark.parametrize("sample", [V11, V12], ids=["1.1", "1.2"])
def test_both_sample_sets_parse_to_the_expected_set(sample):
    roster = oneroster.parse(sample)

    assert roster.source == "oneroster"
    assert roster.complete is True
    assert roster.school_year == "2026-2027"
    assert [(g.key, g.name, g.kind) for g in roster.groups] == [
        ("cls-1a", "1A", "class"), ("cls-1b", "1B", "class"), ("cls-1en1", "1en1", "course_group"),
    ]
    staff = {s.key: s for s in roster.staff}
    assert set(staff) == {"t-001", "t-002"}
    # the primary teacher of a homeroom class is its mentor; a scheduled class makes no mentor
    assert staff["t-001"].roles == {"teacher", "mentor"}
    assert staff["t-001"].mentor_of == ["cls-1a"]
    assert staff["t-002"].mentor_of == ["cls-1b"]
    assert (staff["t-002"].email, staff["t-002"].prefix, staff["t-002"].last_name) == (
        "m.vandijk@voorbeeld.example", "van", "Dijk")

    students = {s.key: s for s in roster.students}
    assert list(students) == ["1001", "1002", "1003", "1004"]  # identifier is the key
    emma = students["1001"]
    assert (emma.first_names, emma.prefix, emma.last_name) == ("Emma Sophie", "de", "Vries")
    assert emma.birth_date == dt.date(2014, 3, 2)
    assert emma.groups == ["cls-1a", "cls-1en1"]
    assert students["1004"].groups == ["cls-1b"]

    guardians = {g.key: g for g in roster.guardians}
    assert set(guardians) == {"p-01", "p-02", "p-03", "p-04"}
    # student → parent (agentSourcedIds on the student) ...
    assert [(lk.student_key, lk.relation) for lk in guardians["p-01"].links] == [("1001", "parent")]
    assert [(lk.student_key, lk.relation) for lk in guardians["p-03"].links] == [("1002", "guardian")]
    # ... and parent → student (agentSourcedIds on the parent)
    assert [lk.student_key for lk in guardians["p-04"].links] == ["1003"]
    assert (guardians["p-01"].email, guardians["p-01"].phone) == (
        "anna.devries@example.nl", "06 12345678")


def test_version_1_2_reads_roles_preferred_names_and_user_ids():
    students = {s.key: s for s in oneroster.parse(V12).students}
    emma = students["1001"]
    assert emma.given_name == "Emma"  # preferredGivenName
    assert emma.eckid == "https://ketenid.nl/201703/a1b2c3"
    assert emma.onderwijsnummer == "123456782"
    assert students["1002"].bsn == "111222333"
    assert emma.enrolment_start == dt.date(2026, 8, 1)  # roles.csv beginDate
    assert students["1004"].enrolment_end == dt.date(2027, 1, 31)


def test_version_1_1_has_no_roles_file_and_reads_roles_from_users():
    assert not (V11 / "roles.csv").exists()
    assert "role" in (V11 / "users.csv").read_text().splitlines()[0].split(",")
    students = {s.key: s for s in oneroster.parse(V11).students}
    assert students["1001"].given_name == "Emma Sophie"
    assert students["1001"].enrolment_start is None


def test_without_a_manifest_the_version_is_told_from_the_files(tmp_path):
    for sample in (V11, V12):
        folder = copy(tmp_path, sample)
        (folder / "manifest.csv").unlink()
        assert len(oneroster.parse(folder).students) == 4


def test_a_zip_reads_the_same_as_the_folder(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for item in V12.iterdir():
            z.write(item, f"export/{item.name}")  # files in a sub-folder are found too
    assert oneroster.parse(archive) == oneroster.parse(V12)


def test_a_broken_zip_is_refused(tmp_path):
    archive = tmp_path / "export.zip"
    archive.write_bytes(b"PK\x03\x04 this is not really a zip")
    problems = refused(archive)
    assert [(p.file, p.message) for p in problems] == [
        ("export.zip", "This is not a readable zip file.")]


def test_a_missing_file_is_refused(tmp_path):
    folder = copy(tmp_path)
    (folder / "enrollments.csv").unlink()
    problems = refused(folder)
    assert ("enrollments.csv", "", "") in located(problems)
    assert "missing" in problems[0].message


def test_a_missing_column_is_refused_located(tmp_path):
    folder = copy(tmp_path)
    edit(folder, "classes.csv", ",classType,", ",kind,")
    problems = refused(folder)
    assert located(problems) == {("classes.csv", "line 1", "classType")}
    assert problems[0].message == "This column is missing."


def test_a_bad_date_is_refused_located(tmp_path):
    folder = copy(tmp_path)
    edit(folder, "demographics.csv", "2014-06-15", "15-06-2014")
    edit(folder, "academicSessions.csv", "2027-07-31", "2027-02-30")
    problems = refused(folder)
    assert located(problems) == {("demographics.csv", "line 4", "birthDate"),
                                 ("academicSessions.csv", "line 2", "endDate")}
    assert "“15-06-2014” is not a date" in str(problems)


def test_an_enrollment_naming_an_unknown_class_is_refused_located(tmp_path):
    folder = copy(tmp_path)
    edit(folder, "enrollments.csv", "e-07,,,cls-1b,", "e-07,,,cls-9z,")
    problems = refused(folder)
    assert located(problems) == {("enrollments.csv", "line 8", "classSourcedId")}
    assert problems[0].message == "No class with this sourcedId: “cls-9z”."


def test_every_problem_is_reported_at_once(tmp_path):
    folder = copy(tmp_path)
    edit(folder, "enrollments.csv", ",s-1004,", ",s-9999,")
    edit(folder, "users.csv", ",\"p-02,p-03\",", ",\"p-02,p-77\",")
    edit(folder, "classes.csv", "cls-1en1,,,Engels 1 cluster 1,07,crs-en-1",
         "cls-1en1,,,Engels 1 cluster 1,07,crs-xx")
    edit(folder, "users.csv", "t-002,,,true,m.dijk,,Mark,Dijk,van,D002,m.vandijk@voorbeeld.example",
         "t-002,,,true,m.dijk,,Mark,Dijk,van,D002,")
    problems = refused(folder)
    assert located(problems) == {
        ("enrollments.csv", "line 8", "userSourcedId"),
        ("users.csv", "line 5", "agentSourcedIds"),
        ("classes.csv", "line 4", "courseSourcedId"),
        ("users.csv", "line 3", "email"),
    }


def test_duplicate_keys_are_refused(tmp_path):
    folder = copy(tmp_path, V11)
    edit(folder, "users.csv", "s-1004,,,true,org-school,student,1004,,Julia,Smit,,1004",
         "s-1004,,,true,org-school,student,1004,,Julia,Smit,,1003")
    edit(folder, "classes.csv", "cls-1b,", "cls-1a,")
    problems = refused(folder)
    assert ("users.csv", "line 7", "identifier") in located(problems)
    assert ("classes.csv", "line 3", "sourcedId") in located(problems)


def test_a_delta_set_is_refused(tmp_path):
    folder = copy(tmp_path)
    edit(folder, "manifest.csv", "file.users,bulk", "file.users,delta")
    problems = refused(folder)
    assert [p.field for p in problems] == ["value"]
    assert problems[0].file == "manifest.csv"


def test_a_set_with_two_schools_needs_a_choice(tmp_path):
    folder = copy(tmp_path)
    with open(folder / "orgs.csv", "a", encoding="utf-8") as out:
        out.write("org-other,,,Ander College,school,88YY,org-bestuur\n")
    assert "several schools" in refused(folder)[0].message
    assert len(oneroster.parse(folder, school="11AA").students) == 4
    assert oneroster.parse(folder, school="org-other").students == []
    assert refused(folder, school="00ZZ")[0].field == "identifier"


def test_problems_are_explained_in_dutch(tmp_path):
    folder = copy(tmp_path)
    edit(folder, "classes.csv", ",classType,", ",kind,")
    with translation.override("nl"), pytest.raises(RosterFileError) as caught:
        oneroster.parse(folder)
    problem = caught.value.problems[0]
    # the catalogue may not hold the Dutch yet; the place is always there
    assert (problem.file, problem.field) == ("classes.csv", "classType")
    assert problem.where in ("regel 1", "line 1")


# -- importing: a re-import is a sync ------------------------------------------------------

sync = pytest.importorskip("aanwezig.roster.importing.sync")
TODAY = dt.date(2026, 11, 18)


@pytest.mark.parametrize("sample", [V11, V12], ids=["1.1", "1.2"])
def test_importing_a_sample_twice_changes_nothing_the_second_time(world, sample):
    from aanwezig.roster.models import Guardian, Membership, Student, StudentGuardian

    school, admin = world.school_a, world.admin_a
    first = sync.sync_roster(school, oneroster.parse(sample), actor=admin, today=TODAY)
    assert first.changed
    assert first.counts["student"].created == 4
    assert Student.objects.filter(school=school, school_key__in=["1001", "1002", "1003", "1004"]
                                  ).count() == 4
    counts = (Student.objects.count(), Guardian.objects.count(), Membership.objects.count(),
              StudentGuardian.objects.count())

    again = sync.sync_roster(school, oneroster.parse(sample), actor=admin, today=TODAY)
    assert not again.changed, again.changes
    assert (Student.objects.count(), Guardian.objects.count(), Membership.objects.count(),
            StudentGuardian.objects.count()) == counts


def test_a_refused_set_leaves_the_database_as_it_was(world, tmp_path):
    from aanwezig.roster.models import Student

    folder = copy(tmp_path)
    edit(folder, "enrollments.csv", "e-07,,,cls-1b,", "e-07,,,cls-9z,")
    before = Student.objects.count()
    with pytest.raises(RosterFileError):
        sync.sync_roster(world.school_a, oneroster.parse(folder), actor=world.admin_a,
                         today=TODAY)
    assert Student.objects.count() == before


def test_the_school_s_brin_comes_from_the_org_identifier_and_is_checked(world):
    from aanwezig.roster.importing import sync

    assert oneroster.parse(V12).brin == "11AA"
    with pytest.raises(RosterFileError) as refused_:
        sync.sync_roster(world.school_b, oneroster.parse(V12), actor=None, today=TODAY)
    assert any(p.field == "brin" for p in refused_.value.problems)
