"""The DUO rule (``protocol.duo``) applied to the students of a school, from real registers.

``school_reports`` is what ``manage.py duo_reports`` lists; ``reports_by_student`` gives the
same reports with the student's primary key, for the DUO overview page
(``protocol.dossiers.due_reports``); ``student_reports`` runs the rule for one student.
See docs/duo-report.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from aanwezig.protocol.duo import DuoReport, duo_reports
from aanwezig.protocol.facts import unexcused_hours_by_day
from aanwezig.roster.models import Student
from aanwezig.schools.calendar import Calendar
from aanwezig.schools.models import School, SchoolYear

#: (student pk, student key, report)
StudentReport = tuple[int, str, DuoReport]


def reports_by_student(
    school: School, start: dt.date, end: dt.date, *, report_adults: bool = False,
    student_ids: Iterable[int] | None = None,
) -> list[StudentReport]:
    """Every report of the school's students whose end date lies in [start, end].

    Counting runs per school year, from the first day of each school year that
    overlaps the range through ``end``, so windows that began before ``start``
    are found and follow-ups keep their dates. ``student_ids`` limits the
    students (default: all of the school). Sorted by end date, then student key.
    """
    students_qs = Student.objects.filter(school=school)
    if student_ids is not None:
        students_qs = students_qs.filter(pk__in=list(student_ids))
    students = list(
        students_qs.values_list("pk", "school_key", "birth_date", "has_startkwalificatie")
    )
    found: list[StudentReport] = []
    if not students:
        return found
    years = SchoolYear.objects.filter(
        school=school, start_date__lte=end, end_date__gte=start
    ).order_by("start_date")
    for year in years:
        until = min(end, year.end_date)
        calendar_days = set(Calendar(school, year.start_date, year.end_date).school_days())
        hours = unexcused_hours_by_day(school, [pk for pk, *_rest in students],
                                       year.start_date, until)
        for pk, key, birth_date, has_startkwalificatie in students:
            by_day = hours[pk]
            if not by_day:
                continue
            # A lesson given on a day the calendar has off still is a lesson day.
            school_days = calendar_days | set(by_day)
            for report in duo_reports(
                by_day, school_days, birth_date=birth_date,
                has_startkwalificatie=has_startkwalificatie, report_adults=report_adults,
                until=until,
            ):
                if start <= report.end_date <= end:
                    found.append((pk, key, report))
    found.sort(key=lambda item: (item[2].end_date, item[1]))
    return found


def school_reports(
    school: School, start: dt.date, end: dt.date, *, report_adults: bool = False
) -> list[tuple[str, DuoReport]]:
    """Every report of every student of ``school`` whose end date lies in [start, end], as
    (student key, report) pairs sorted by end date, then student key."""
    return [(key, report) for _pk, key, report in
            reports_by_student(school, start, end, report_adults=report_adults)]


def student_reports(
    student: Student, start: dt.date, end: dt.date, *, report_adults: bool = False
) -> list[DuoReport]:
    """The reports of one student whose end date lies in [start, end]."""
    return [report for _pk, _key, report in
            reports_by_student(student.school, start, end, report_adults=report_adults,
                               student_ids=[student.pk])]
