"""``manage.py import_roster``: picks the parser, prints the report, refuses a bad file."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import CommandError, call_command

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.importing.model import Problem, RosterFileError
from aanwezig.roster.management.commands import import_roster
from aanwezig.roster.models import Student
from aanwezig.roster.tests.test_roster_sync import roster_set, with_fixture_students
from conftest import TODAY


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False):
        yield


def fake_parser(monkeypatch, parse):
    seen = {}

    def load(fmt):
        seen["format"] = fmt
        return SimpleNamespace(parse=parse)

    monkeypatch.setattr(import_roster, "load_parser", load)
    return seen


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_and_reports_in_dutch(world, monkeypatch, tmp_path):
    path = tmp_path / "school.xml"
    path.write_text("<x/>")
    seen = fake_parser(monkeypatch, lambda p: with_fixture_students(world, roster_set()))
    out, _err = run(str(path), "--format", "edexml", "--school", "11AA")
    assert seen["format"] == "edexml"
    assert Student.objects.filter(school=world.school_a, school_key="9001").exists()
    assert "leerlingen: " in out  # Dutch by default
    assert "Emma van den Berg (9001)" in out
    again, _err = run(str(path), "--format", "edexml", "--school", "11AA")
    assert "Emma" not in again


def test_report_in_english_with_the_language_switch(world, monkeypatch, tmp_path):
    path = tmp_path / "school.xml"
    path.write_text("<x/>")
    fake_parser(monkeypatch, lambda p: with_fixture_students(world, roster_set()))
    out, _err = run(str(path), "--format", "edexml", "--school", "11AA", "--language", "en",
                    "--dry-run")
    assert "Dry run: nothing was written." in out
    assert "students: 2 new, 0 changed, 0 ended" in out
    assert "new: Emma van den Berg (9001)" in out
    assert not Student.objects.filter(school_key="9001").exists()
    for _ in range(2):
        out, _err = run(str(path), "--format", "edexml", "--school", "11AA", "--language", "en")
    assert "Nothing changed." in out


def test_bad_file_exits_with_located_problems_and_imports_nothing(world, monkeypatch, tmp_path):
    path = tmp_path / "leerlingen.csv"
    path.write_text("x")

    def parse(p):
        raise RosterFileError([Problem("leerlingen.csv", "regel 3", "bsn", "Geen geldig BSN.")])

    fake_parser(monkeypatch, parse)
    events = AuditEvent.objects.count()
    err = StringIO()
    with pytest.raises(CommandError, match="Er is niets ingelezen: 1 problemen"):
        call_command("import_roster", str(path), "--format", "csv", "--school", "11AA",
                     stdout=StringIO(), stderr=err)
    assert "leerlingen.csv, regel 3, bsn: Geen geldig BSN." in err.getvalue()
    assert AuditEvent.objects.count() == events


def test_sync_problems_are_printed_with_the_file_name(world, monkeypatch, tmp_path):
    path = tmp_path / "school.xml"
    path.write_text("<x/>")
    bad = roster_set()
    bad.students[0].groups.append("ONBEKEND")
    fake_parser(monkeypatch, lambda p: bad)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--format", "edexml", "--school", "11AA",
                     stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith("school.xml: ")
    assert "9001" in err.getvalue() and "ONBEKEND" in err.getvalue()
    assert not Student.objects.filter(school_key="9001").exists()


def test_a_missing_reader_is_named_clearly(world, monkeypatch, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("x")
    monkeypatch.setitem(import_roster.PARSERS, "csv", "does_not_exist_yet")
    with pytest.raises(CommandError, match="csv"):
        call_command("import_roster", str(path), "--format", "csv", "--school", "11AA",
                     "--language", "en", stdout=StringIO(), stderr=StringIO())


def test_unknown_school_is_refused(world, tmp_path):
    path = tmp_path / "x.xml"
    path.write_text("x")
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--format", "edexml", "--school", "99ZZ",
                     stdout=StringIO(), stderr=StringIO())
