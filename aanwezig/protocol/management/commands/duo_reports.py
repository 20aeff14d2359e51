"""List the DUO reports (16 hours of unexcused absence in 4 school weeks) of one school.

The rule is ``protocol.duo``, applied to the school by ``protocol.duo_school``; the hours
come from ``protocol.facts``, which counts with ``attendance.counting``. See
docs/duo-report.md for the output. Messages are translatable and shown in Dutch by default.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aanwezig.protocol.duo import DuoReport
from aanwezig.protocol.duo_school import school_reports
from aanwezig.schools.management.commands.create_school_year import find_school


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise CommandError(
            _("Give %(option)s as a date like 2026-11-30, not “%(value)s”.")
            % {"option": option, "value": value}
        ) from None


def as_json(found: list[tuple[str, DuoReport]]) -> str:
    return json.dumps(
        [
            {
                "student_key": key,
                "type": report.kind,
                "start_date": report.start_date.isoformat(),
                "end_date": report.end_date.isoformat(),
                "hours": round(report.hours, 2),
                "due_date": report.due_date.isoformat(),
            }
            for key, report in found
        ],
        indent=2,
    )


def as_table(found: list[tuple[str, DuoReport]], *, adults: bool) -> list[str]:
    headers = [_("Student number"), _("Report"), _("From"), _("Through"), _("Hours"),
               _("Report by")]
    if adults:
        headers.append(_("Mandatory"))
    rows = [headers]
    for key, report in found:
        row = [
            key,
            _("first report") if report.kind == "first" else _("follow-up report"),
            f"{report.start_date:%d-%m-%Y}",
            f"{report.end_date:%d-%m-%Y}",
            f"{report.hours:.2f}".replace(".", ","),
            f"{report.due_date:%d-%m-%Y}",
        ]
        if adults:
            row.append(_("yes") if report.mandatory else _("no"))
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in rows]


class Command(BaseCommand):
    help = "List the DUO reports (16 hours unexcused in 4 school weeks) of a school."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="BRIN, or BRIN plus vestiging")
        parser.add_argument("--from", dest="date_from", required=True,
                            help="first end date to list, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True,
                            help="last end date to list, YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="print a JSON array")
        parser.add_argument("--adults", action="store_true",
                            help="also list students of 18 or older without startkwalificatie")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date(options["date_from"], "--from")
        end = _date(options["date_to"], "--to")
        if start > end:
            raise CommandError(_("--from (%(from)s) lies after --to (%(to)s).")
                               % {"from": start.isoformat(), "to": end.isoformat()})
        school = find_school(options["school"])
        found = school_reports(school, start, end, report_adults=options["adults"])
        if options["json"]:
            self.stdout.write(as_json(found))
            return
        if not found:
            self.stdout.write(
                _("No DUO reports for %(school)s with an end date from %(from)s through %(to)s.")
                % {"school": school.name, "from": f"{start:%d-%m-%Y}", "to": f"{end:%d-%m-%Y}"}
            )
            return
        self.stdout.write(
            _("DUO reports for %(school)s with an end date from %(from)s through %(to)s:")
            % {"school": school.name, "from": f"{start:%d-%m-%Y}", "to": f"{end:%d-%m-%Y}"}
        )
        for line in as_table(found, adults=options["adults"]):
            self.stdout.write(line)
