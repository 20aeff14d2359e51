"""Attendance exports: columns, figures (as counted by attendance.counting), CSV and XLSX."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.services import MarkInput, record_register
from aanwezig.audit.models import AuditEvent
from aanwezig.testing import factories as f
from conftest import TODAY

HEADER = ["Student number", "Name", "Lessons", "Present", "Absent, excused",
          "Absent, unexcused", "Late", "Removed", "% present"]


@pytest.fixture
def marked(world):
    """Sam: four lessons today — absent sick, absent without reason, late, present."""
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(16, 0)), tick=False):
        create_default_absence_reasons(world.school_a)
        lessons = [world.lesson_a] + [
            f.make_lesson(world.a1, world.teacher_a, TODAY, period=world.grid_a[i])
            for i in (0, 1, 3)]
        marks = [MarkInput(world.child_a.pk, "absent", reason_code="ziek"),
                 MarkInput(world.child_a.pk, "absent"),
                 MarkInput(world.child_a.pk, "late", minutes_late=5), None]
        for lesson, mark in zip(lessons, marks, strict=True):
            record_register(lesson, actor=world.officer_a, entries=[mark] if mark else [])
        yield world


def url(name, world, obj=None, **query):
    kwargs = {"school_id": world.school_a.pk} | ({"pk": obj.pk} if obj else {})
    q = "&".join(f"{k}={v}" for k, v in ({"start": TODAY, "end": TODAY} | query).items())
    return f"{reverse(name, kwargs=kwargs)}?{q}"


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return [line.split(";") for line in text[1:].strip().split("\r\n")]


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_group_csv_has_the_columns_and_the_counted_figures(client, marked):
    client.force_login(marked.teacher_a)
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(16, 0)), tick=False):
        response = client.get(url("export_group", marked, marked.a1))
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0] == HEADER
    sam = next(r for r in rows if r[1] == "Sam Jansen")
    assert sam[2:] == ["4", "2", "1", "1", "1", "0", "50,0"]
    noor = next(r for r in rows if r[1] == "Noor Bakker")
    assert noor[2:] == ["4", "4", "0", "0", "0", "0", "100,0"]


def test_school_xlsx_has_numbers_and_only_the_users_students(client, marked):
    client.force_login(marked.teacher_a)
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(16, 0)), tick=False):
        response = client.get(url("export_school", marked, format="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    names = {r[1] for r in rows[1:]}
    assert names == {"Sam Jansen", "Noor Bakker"}  # Daan is not in the teacher's groups
    sam = next(r for r in rows if r[1] == "Sam Jansen")
    assert sam[2:] == (4, 2, 1, 1, 1, 0, 50.0)


def test_student_export_has_a_row_per_day_and_a_total_and_is_audited(client, marked):
    client.force_login(marked.officer_a)
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(16, 0)), tick=False):
        response = client.get(url("export_student", marked, marked.child_a))
    rows = csv_rows(response)
    assert rows[0][0] == "Date"
    assert rows[1][0] == "18-11-2026" and rows[-1][0] == "Total"
    assert rows[-1][1:] == ["4", "2", "1", "1", "1", "0", "50,0"]
    assert AuditEvent.objects.filter(student=marked.child_a, object_type="attendance_export",
                                     action="read").exists()


def test_another_schools_student_is_404(client, marked):
    client.force_login(marked.officer_a)
    response = client.get(url("export_student", marked, marked.student_b))
    assert response.status_code == 404
