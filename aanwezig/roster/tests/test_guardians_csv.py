"""The guardians CSV: the sample is read; `;` and `,` are both understood; bad rows are refused
whole, located. Messages are read back in English (the msgids)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from aanwezig.roster.importing import guardians_csv
from aanwezig.roster.importing.model import RosterFileError

SAMPLE = Path(guardians_csv.__file__).resolve().parent / "samples" / "ouders.csv"


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "ouders.csv"
    path.write_bytes(text.encode(encoding))
    return path


def refused(path: Path) -> list:
    with translation.override("en"), pytest.raises(RosterFileError) as caught:
        guardians_csv.parse(path)
    return caught.value.problems


def test_the_sample_parses_to_guardians_with_their_children():
    roster = guardians_csv.parse(SAMPLE)
    assert roster.source == "csv"
    assert roster.complete is False  # adds and updates; ends nothing
    assert (roster.students, roster.groups, roster.staff) == ([], [], [])
    guardians = {g.key: g for g in roster.guardians}
    assert list(guardians) == ["O-1", "O-2", "O-3"]
    anna = guardians["O-1"]
    assert (anna.given_name, anna.prefix, anna.last_name, anna.email, anna.phone, anna.language) == (
        "Anna", "de", "Vries", "anna.devries@example.nl", "06 12345678", "nl")
    # two rows with one key: one guardian, two children
    assert [(lk.student_key, lk.relation) for lk in guardians["O-2"].links] == [
        ("1002", "father"), ("1004", "father")]
    carer = guardians["O-3"].links[0]
    assert (carer.relation, carer.has_authority) == ("carer", False)


def test_comma_separated_english_headers_and_a_bom_are_understood(tmp_path):
    path = write(tmp_path, "\ufeffGuardian_Key,Last_Name,Student_Number,Relation,Authority\n"
                           "G1,Bakker,1001,guardian,no\n")
    (guardian,) = guardians_csv.parse(path).guardians
    assert (guardian.key, guardian.last_name) == ("G1", "Bakker")
    assert (guardian.links[0].relation, guardian.links[0].has_authority) == ("guardian", False)


def test_defaults_are_parent_with_authority(tmp_path):
    path = write(tmp_path, "ouder_sleutel;achternaam;leerlingnummer\nO-9;Smit;1004\n")
    link = guardians_csv.parse(path).guardians[0].links[0]
    assert (link.relation, link.has_authority) == ("parent", True)


def test_a_missing_column_is_refused_located(tmp_path):
    path = write(tmp_path, "ouder_sleutel;achternaam\nO-1;Vries\n")
    problems = refused(path)
    assert [(p.file, p.where, p.field, p.message) for p in problems] == [
        ("ouders.csv", "line 1", "leerlingnummer", "This column is missing.")]


def test_every_bad_value_is_refused_located(tmp_path):
    path = write(tmp_path, (
        "ouder_sleutel;achternaam;email;telefoon;taal;leerlingnummer;relatie;gezag\n"
        "O-1;Vries;geen-adres;06 12345678;nl;1001;moeder;ja\n"
        "O-2;Jansen;p@example.nl;12;de;1002;oom;misschien\n"
        "O-3;;;;;;;\n"
        "O-1;Vries;geen-adres;06 12345678;nl;1001;moeder;ja\n"
    ))
    problems = refused(path)
    assert {(p.where, p.field) for p in problems} == {
        ("line 2", "email"),
        ("line 3", "telefoon"), ("line 3", "taal"), ("line 3", "relatie"), ("line 3", "gezag"),
        ("line 4", "achternaam"), ("line 4", "leerlingnummer"),
        ("line 5", "email"), ("line 5", "leerlingnummer"),  # the same link twice
    }
    assert all(p.file == "ouders.csv" for p in problems)


def test_one_guardian_with_different_details_is_refused(tmp_path):
    path = write(tmp_path, "ouder_sleutel;achternaam;email;leerlingnummer\n"
                           "O-1;Vries;a@example.nl;1001\nO-1;Vries;b@example.nl;1002\n")
    problems = refused(path)
    assert [(p.where, p.field) for p in problems] == [("line 3", "ouder_sleutel")]
    assert "line 2" in problems[0].message


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = write(tmp_path, "ouder_sleutel;achternaam;leerlingnummer\nO-1;Müller;1001\n", "latin-1")
    assert [p.message for p in refused(path)] == ["The file is not UTF-8 encoded."]


sync = pytest.importorskip("aanwezig.roster.importing.sync")


def test_importing_the_sample_twice_changes_nothing_the_second_time(world, tmp_path):
    import datetime as dt

    from aanwezig.roster.models import StudentGuardian

    # the students of the sample: Sam Jansen (child_a) gets a guardian from the file
    key = world.child_a.school_key
    path = write(tmp_path, "ouder_sleutel;voornaam;achternaam;email;leerlingnummer;relatie\n"
                           f"O-1;Ria;Jansen;ria.jansen@example.nl;{key};moeder\n")
    today = dt.date(2026, 11, 18)
    first = sync.sync_roster(world.school_a, guardians_csv.parse(path), actor=world.admin_a,
                             today=today)
    assert first.changed
    links = StudentGuardian.objects.filter(student=world.child_a).count()
    again = sync.sync_roster(world.school_a, guardians_csv.parse(path), actor=world.admin_a,
                             today=today)
    assert not again.changed, again.changes
    assert StudentGuardian.objects.filter(student=world.child_a).count() == links
