"""Generate the concrete lessons of one school from its timetable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig.roster.lessons import generate_lessons
from aanwezig.schools.calendar import school_year_on
from aanwezig.schools.models import School


def _parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(option)s expects a date as YYYY-MM-DD, not “%(value)s”.")
            % {"option": option, "value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Generate lessons from the timetable for a school. Without dates: from today "
        "through the end of the current school year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, metavar="BRIN",
                            help="BRIN of the school, optionally followed by the vestiging (12AB or 12AB01).")
        parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["school"].strip().upper()
        brin, vestiging = code[:4], code[4:]
        schools = School.objects.filter(brin=brin)
        if vestiging:
            schools = schools.filter(vestiging=vestiging)
        found = list(schools[:2])
        if not found:
            raise CommandError(_("No school with BRIN %(brin)s.") % {"brin": code})
        if len(found) > 1:
            raise CommandError(
                _("BRIN %(brin)s has several locations; add the vestiging, for example %(example)s.")
                % {"brin": code, "example": f"{brin}{found[0].vestiging}"}
            )
        school = found[0]

        start = _parse_date(options["start"], "--from") or timezone.localdate()
        year = school_year_on(school, start)
        if year is None:
            raise CommandError(
                _("%(date)s is not in a school year of %(school)s.")
                % {"date": start.isoformat(), "school": school.name}
            )
        end = _parse_date(options["end"], "--to") or year.end_date
        if end < start:
            raise CommandError(_("--to must not come before --from."))
        if school_year_on(school, end) is None:
            raise CommandError(
                _("%(date)s is not in a school year of %(school)s.")
                % {"date": end.isoformat(), "school": school.name}
            )

        result = generate_lessons(school, start, end)
        self.stdout.write(
            _(
                "%(school)s, %(start)s through %(end)s: %(created)d lessons created, "
                "%(updated)d updated, %(removed)d removed, %(kept)d kept because a register "
                "was taken, %(unchanged)d unchanged."
            )
            % {
                "school": school.name,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "created": result.created,
                "updated": result.updated,
                "removed": result.removed,
                "kept": result.kept_registered,
                "unchanged": result.unchanged,
            }
        )
