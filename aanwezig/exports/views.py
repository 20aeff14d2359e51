"""Download attendance as CSV or XLSX: the school's students, a group, one student.

``?format=csv|xlsx&start=YYYY-MM-DD&end=YYYY-MM-DD`` (default: CSV, this school year so
far). Who may download is who may see the page: the gatekeeper decides.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from aanwezig import access
from aanwezig.exports import tables
from aanwezig.schools.models import School
from aanwezig.web.views import school_page


def _period(request: HttpRequest, school: School) -> tuple[dt.date, dt.date]:
    start, end = tables.default_period(school, timezone.localdate())
    with contextlib.suppress(ValueError):
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    with contextlib.suppress(ValueError):
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    return (start, end) if start <= end else (end, start)


def _download(request: HttpRequest, table: tables.Table, name: str) -> HttpResponse:
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(tables.to_xlsx(table), content_type=tables.XLSX_MEDIA)
        filename = f"{name}.xlsx"
    else:
        response = HttpResponse(tables.to_csv(table), content_type=tables.CSV_MEDIA)
        filename = f"{name}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@school_page
@require_safe
def export_school(request: HttpRequest, school: School) -> HttpResponse:
    """Every student the user may see at the school, one row each."""
    start, end = _period(request, school)
    students = list(access.students_for_user(request.user, school))
    table = tables.students_table(school, students, start, end, school.name)
    return _download(request, table, f"aanwezigheid-{school.brin}-{start}-{end}")


@school_page
@require_safe
def export_group(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The group's current members the user may see, one row each."""
    group = access.get_group_for_user(request.user, school, pk)
    start, end = _period(request, school)
    students = tables.current_members(access.students_for_user(request.user, school), group,
                                      timezone.localdate())
    table = tables.students_table(school, students, start, end, group.name)
    return _download(request, table, f"aanwezigheid-{group.name}-{start}-{end}")


@school_page
@require_safe
def export_student(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """One student, a row per day and a total; the read is audited."""
    student = access.get_student_for_user(request.user, school, pk, what="attendance_export")
    start, end = _period(request, school)
    table = tables.student_days_table(student, start, end)
    return _download(request, table, f"aanwezigheid-{student.school_key}-{start}-{end}")
