"""EDEXML 2.1: the official example is read completely; bad files are refused, located.

Messages are read back in English (the msgids); their Dutch is in the catalogue.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import translation

from aanwezig.roster.importing import edexml
from aanwezig.roster.importing.model import RosterFileError

EXAMPLE = edexml.EXAMPLE_FILE.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "export.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> list:
    with translation.override("en"), pytest.raises(RosterFileError) as caught:
        edexml.parse(path)
    return caught.value.problems


def test_the_schema_travels_with_the_product_with_its_licence():
    folder = edexml.SCHEMA_DIR
    for name in (
        "EDEXML.structuur.xsd",
        "EDEXML.elementen.xsd",
        "EDEXML.types.vast.xsd",
        "EDEXML.types.variabel.xsd",
        "LICENSE.txt",
        "PROVENANCE.md",
    ):
        assert (folder / name).is_file(), name
    assert "aanwezig" in str(folder)


def test_the_official_example_parses_to_the_expected_set():
    roster = edexml.parse(edexml.EXAMPLE_FILE)

    assert roster.source == "edexml"
    assert roster.complete is True
    assert roster.school_year == "2014-2015"
    assert roster.guardians == []

    groups = {g.key: g for g in roster.groups}
    assert [g.key for g in roster.groups] == [
        "001", "sg3", "002", "003", "GRP4A", "GRP4B", "sg1", "sg2",
    ]
    assert (groups["001"].name, groups["001"].kind, groups["001"].year_level) == ("Kabouters", "class", 0)
    assert (groups["GRP4A"].name, groups["GRP4A"].year_level) == ("4A", 4)
    assert (groups["sg1"].name, groups["sg1"].kind) == ("Samgroep 1", "course_group")
    # A combined group joins the groups its members come from.
    assert groups["sg1"].part_of == ["GRP4B"]
    assert groups["sg3"].part_of == []

    students = {s.key: s for s in roster.students}
    assert list(students) == ["00001", "00002", "12345"]
    wimpie = students["00001"]
    assert (wimpie.given_name, wimpie.prefix, wimpie.last_name) == ("Wimpie", "imp", "ie")
    assert wimpie.birth_date == dt.date(2006, 6, 21)
    assert wimpie.eckid.startswith("https://id.school/LL_")
    assert wimpie.groups == ["GRP4B", "sg1", "sg2"]
    ismael = students["00002"]
    assert (ismael.first_names, ismael.given_name, ismael.last_name) == (
        "Ismaël Hassan", "Ismaël", "Assati",
    )
    assert ismael.bsn == "133456785"
    assert ismael.enrolment_start == dt.date(2013, 8, 25)
    assert ismael.birth_date is None  # EDEXML leaves it optional; the sync decides
    gradje = students["12345"]
    assert gradje.prefix == "van 't"
    assert (gradje.enrolment_start, gradje.enrolment_end) == (dt.date(2010, 8, 19), dt.date(2014, 7, 18))
    assert gradje.groups == []

    staff = {s.key: s for s in roster.staff}
    assert list(staff) == ["LK1", "LK2", "LK3"]
    assert (staff["LK1"].first_name, staff["LK1"].prefix, staff["LK1"].last_name) == (
        "Julia", "van", "Bemmel",
    )
    assert staff["LK2"].roles == {"teacher"}
    assert all(s.mentor_of == [] for s in roster.staff)  # nobody is LRK in the example


def test_the_group_teacher_lrk_becomes_mentor_of_that_group(tmp_path):
    text = EXAMPLE.replace(
        '<groep key="GRP4A">\n\t\t\t\t\t<rol>STA</rol>',
        '<groep key="GRP4A">\n\t\t\t\t\t<rol>LRK</rol>',
    )
    assert text != EXAMPLE
    roster = edexml.parse(write(tmp_path, text))
    lia = next(s for s in roster.staff if s.key == "LK3")
    assert lia.mentor_of == ["GRP4A"]
    assert lia.roles == {"teacher", "mentor"}


def test_a_file_that_is_not_well_formed_is_refused_with_its_line(tmp_path):
    text = EXAMPLE.replace("</leerlingen>", "</leerlingenn>")
    problems = refused(write(tmp_path, text))
    assert len(problems) == 1
    problem = problems[0]
    line = text.splitlines().index("\t</leerlingenn>") + 1
    assert problem.file == "export.xml"
    assert problem.where == f"line {line}"
    assert "not well-formed XML" in problem.message


def test_a_missing_required_element_is_refused_located(tmp_path):
    # Every leerling must have an achternaam or roepnaam: drop Assati's achternaam.
    text = EXAMPLE.replace("<achternaam>Assati</achternaam>", "")
    problems = refused(write(tmp_path, text))
    assert len(problems) == 1
    missing = problems[0]
    line = EXAMPLE.splitlines().index("\t\t\t<voornamen>Ismaël Hassan</voornamen>") + 1
    assert missing.where == f"line {line}, leerling[key=00002]/voornamen"
    assert missing.field == "voornamen"
    assert "is not expected here" in missing.message
    # The English detail from the schema library is appended for support staff.
    assert "[Element 'voornamen'" in missing.message


def test_a_value_of_the_wrong_form_is_refused_located(tmp_path):
    text = EXAMPLE.replace("<bsn>133456785</bsn>", "<bsn>12</bsn>")
    problems = refused(write(tmp_path, text))
    assert [p.field for p in problems] == ["bsn"]
    assert "leerling[key=00002]/bsn" in problems[0].where
    assert "'12'" in problems[0].message and "required form" in problems[0].message


def test_a_doctype_is_refused_and_entities_are_never_expanded(tmp_path):
    text = EXAMPLE.replace(
        "<EDEX ", '<!DOCTYPE EDEX [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<EDEX ', 1
    ).replace("<roepnaam>Wimpie</roepnaam>", "<roepnaam>&x;</roepnaam>")
    problems = refused(write(tmp_path, text))
    assert len(problems) == 1
    assert "DOCTYPE" in problems[0].message


def test_a_student_in_an_unknown_group_is_refused(tmp_path):
    text = EXAMPLE.replace('<groep key="GRP4B"/>', '<groep key="GRP9Z"/>')
    problems = refused(write(tmp_path, text))
    assert len(problems) == 1
    problem = problems[0]
    assert "leerling[key=00001]/groep[key=GRP9Z]" in problem.where
    assert problem.field == "key"
    assert "'GRP9Z'" in problem.message and "not in the file" in problem.message


def test_a_duplicate_student_key_is_refused(tmp_path):
    text = EXAMPLE.replace('<leerling key="00002">', '<leerling key="00001">')
    problems = refused(write(tmp_path, text))
    assert any("'00001'" in p.message and "more than once" in p.message for p in problems)


def test_impossible_dates_are_refused(tmp_path):
    text = EXAMPLE.replace(
        "<uitstroomdatum>2014-07-18</uitstroomdatum>", "<uitstroomdatum>2009-07-18</uitstroomdatum>"
    ).replace("<geboortedatum>2006-06-21</geboortedatum>", "<geboortedatum>2006-02-30</geboortedatum>", 1)
    problems = refused(write(tmp_path, text))
    # The schema refuses a day that does not exist; nothing else is read until it is fixed.
    assert [p.field for p in problems] == ["geboortedatum"]
    assert "leerling[key=00001]" in problems[0].where
    assert "not an existing date" in problems[0].message

    text = EXAMPLE.replace(
        "<uitstroomdatum>2014-07-18</uitstroomdatum>", "<uitstroomdatum>2009-07-18</uitstroomdatum>"
    )
    problems = refused(write(tmp_path, text))
    assert [(p.field, "leerling[key=12345]" in p.where) for p in problems] == [("uitstroomdatum", True)]
    assert "uitstroom" in problems[0].message


def test_a_school_year_after_the_schemas_list_is_accepted_but_nonsense_is_not(tmp_path):
    # The 2.1 schema enumerates school years only up to 2024-2025.
    text = EXAMPLE.replace("<schooljaar>2014-2015</schooljaar>", "<schooljaar>2026-2027</schooljaar>")
    assert edexml.parse(write(tmp_path, text)).school_year == "2026-2027"

    text = EXAMPLE.replace("<schooljaar>2014-2015</schooljaar>", "<schooljaar>2026-2029</schooljaar>")
    problems = refused(write(tmp_path, text))
    assert [p.field for p in problems] == ["schooljaar"]
    assert "'2026-2029' is not one of the allowed values" in problems[0].message
