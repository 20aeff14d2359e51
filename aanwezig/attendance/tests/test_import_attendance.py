"""manage.py import_attendance: the whole file is checked first, errors in Dutch with line
numbers, nothing partial, and a second import changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from aanwezig.attendance.models import Mark, MarkChange, Registration
from aanwezig.audit.models import AuditEvent
from conftest import TODAY


@pytest.fixture(autouse=True)
def _dutch_on_a_school_day():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(16, 0)), tick=False), \
            translation.override("nl"):
        yield


def write(tmp_path, text, name="aanwezigheid.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def good_file(world, reasons, tmp_path):
    sam, noor, daan = (s.school_key for s in (world.child_a, world.classmate_a, world.other_a))
    return write(tmp_path, (
        "student_key;date;period;start_time;end_time;status;reason_code;minutes_late\n"
        f"{sam};{TODAY};3;;;afwezig;ziek;\n"
        f"{noor};18-11-2026;;10:30;11:20;late;;12\n"
        f"{daan};{TODAY};4;;;present;;\n"
    ))


def run(path, *extra):
    call_command("import_attendance", path, "--school", "11AA", *extra)


def test_a_bad_file_is_refused_with_line_numbered_dutch_errors(world, reasons, tmp_path, capsys):
    sam = world.child_a.school_key
    path = write(tmp_path, (
        "student_key,date,period,status,reason_code\n"
        f"{sam},{TODAY},3,absent,\n"
        "X999,2026-11-18,3,absent,\n"
        f"{sam},2030-01-07,3,absent,\n"
        f"{sam},{TODAY},7,absent,\n"
        f"{sam},{TODAY},3,absent,griep\n"
        f"{sam},{TODAY},3,weg,\n"
        f"{sam},18 november,3,absent,\n"
    ))
    with pytest.raises(CommandError, match="Er is niets ingelezen: 8 problemen"):
        run(path)
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        "Regel 3: onbekende leerling “X999”.",
        "Regel 4: 07-01-2030 valt buiten het schooljaar.",
        "Regel 5: Sam Jansen heeft geen les om lesuur 7 op 18-11-2026.",
        "Regel 6: onbekende reden “griep”.",
        "Regel 6: dezelfde leerling en les als regel 2.",
        "Regel 7: onbekende status “weg”; gebruik aanwezig, afwezig, te laat of verwijderd.",
        "Regel 7: dezelfde leerling en les als regel 2.",
        "Regel 8: “18 november” is geen datum; gebruik JJJJ-MM-DD of DD-MM-JJJJ.",
    ]
    assert not Mark.objects.exists()
    assert not Registration.objects.exists()
    assert not MarkChange.objects.exists()


def test_a_good_file_is_imported(world, good_file, capsys):
    run(good_file)
    marks = {m.student: m for m in Mark.objects.all()}
    assert set(marks) == {world.child_a, world.classmate_a}
    assert (marks[world.child_a].status, marks[world.child_a].source) == ("absent", "import")
    assert marks[world.classmate_a].minutes_late == 12
    assert set(Registration.objects.values_list("lesson_id", flat=True)) == {
        world.lesson_a.pk, world.lesson_a2.pk}
    assert MarkChange.objects.filter(source="import").count() == 2
    assert AuditEvent.objects.filter(action="import_attendance").count() == 1
    assert "2 gewijzigd" in capsys.readouterr().out


def test_a_second_import_of_the_same_file_changes_nothing(world, good_file, capsys):
    run(good_file)
    capsys.readouterr()
    history = MarkChange.objects.count()
    run(good_file)
    assert "0 gewijzigd" in capsys.readouterr().out
    assert MarkChange.objects.count() == history
    assert Registration.objects.count() == 2


def test_a_dry_run_writes_nothing(world, good_file, capsys):
    audit = AuditEvent.objects.count()
    run(good_file, "--dry-run")
    out = capsys.readouterr().out
    assert "Proefrun, er is niets opgeslagen." in out and "2 gewijzigd" in out
    assert not Mark.objects.exists()
    assert not Registration.objects.exists()
    assert AuditEvent.objects.count() == audit
