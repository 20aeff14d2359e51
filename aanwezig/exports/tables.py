"""Attendance exports (docs/exports.md): per student, group or school over a period, as CSV
(semicolons, UTF-8 with BOM, for Dutch Excel) or XLSX. Figures come from
:mod:`aanwezig.attendance.counting`, the same counting as the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from aanwezig.attendance.counting import (
    AttendanceCount,
    count_attendance_many,
    lesson_outcomes,
    summarise_by_day,
)
from aanwezig.roster.models import Group, Membership, Student, active_membership_q
from aanwezig.schools.calendar import school_year_on
from aanwezig.schools.models import School

CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]


def default_period(school: School, today: dt.date) -> tuple[dt.date, dt.date]:
    """The school year so far (or the last year when there is none)."""
    year = school_year_on(school, today)
    return (year.start_date if year else today - dt.timedelta(days=365)), today


def current_members(visible: QuerySet[Student], group: Group, day: dt.date) -> list[Student]:
    """The students of ``visible`` (already through the gatekeeper) in ``group`` on ``day``."""
    members = Membership.objects.filter(active_membership_q(day), group=group)
    return list(visible.filter(pk__in=members.values("student_id")))


def _figures(count: AttendanceCount) -> list[Any]:
    percent = count.percent_present
    return [count.lessons, count.present, count.absent_excused, count.absent_unexcused,
            count.late, count.removed, None if percent is None else round(percent, 1)]


def figure_header() -> list[str]:
    return [_("Lessons"), _("Present"), _("Absent, excused"), _("Absent, unexcused"),
            _("Late"), _("Removed"), _("% present")]


def students_table(school: School, students: Sequence[Student], start: dt.date,
                   end: dt.date, title: str) -> Table:
    """One row per student: the counts over ``start``..``end``."""
    counts = count_attendance_many(school, [s.pk for s in students], start, end)
    rows = [[s.school_key, s.full_name, *_figures(counts.get(s.pk, AttendanceCount()))]
            for s in sorted(students, key=lambda s: (s.last_name, s.given_name, s.pk))]
    return Table(title, [_("Student number"), _("Name"), *figure_header()], rows)


def student_days_table(student: Student, start: dt.date, end: dt.date) -> Table:
    """One row per school day with lessons, and a total row."""
    outcomes = lesson_outcomes(student.school, [student.pk], start, end).get(student.pk, [])
    by_day = summarise_by_day(outcomes)
    total = count_attendance_many(student.school, [student.pk], start, end)[student.pk]
    rows: list[list[Any]] = [[day, *_figures(by_day[day])] for day in sorted(by_day)]
    rows.append([_("Total"), *_figures(total)])
    return Table(student.full_name, [_("Date"), *figure_header()], rows)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([_cell_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.title[:31] or "Export"
    sheet.append(table.header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(row)
    for cell in sheet["A"]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "DD-MM-YYYY"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
