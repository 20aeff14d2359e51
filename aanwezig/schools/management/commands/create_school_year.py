"""Create a school year for one school, with its region's advised holidays and the
public holidays.

Messages are translatable; Django runs management commands in
``settings.LANGUAGE_CODE`` (Dutch) unless another language is activated, so
nothing needs activating here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aanwezig.schools.models import DayOffKind, School
from aanwezig.schools.services import add_school_year


def find_school(code: str) -> School:
    """Find a school by BRIN (``12AB``) or BRIN plus vestiging (``12AB01``)."""
    code = (code or "").strip().upper()
    brin, vestiging = code[:4], code[4:]
    schools = School.objects.filter(brin=brin)
    if vestiging:
        schools = schools.filter(vestiging=vestiging)
    found = list(schools[:2])
    if not found or len(code) not in (4, 6):
        raise CommandError(_("No school with BRIN %(brin)s.") % {"brin": code})
    if len(found) > 1:
        raise CommandError(
            _("BRIN %(brin)s has several locations; add the vestiging number, "
              "for example %(brin)s00.") % {"brin": code}
        )
    return found[0]


class Command(BaseCommand):
    help = "Create a school year (1 August - 31 July) with the default holidays."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="BRIN, or BRIN plus vestiging")
        parser.add_argument("--year", required=True, type=int,
                            help="the calendar year in which the school year starts, e.g. 2026")

    def handle(self, *args: Any, **options: Any) -> None:
        school = find_school(options["school"])
        start_year = options["year"]
        if not 2000 <= start_year <= 2100:
            raise CommandError(_("Give the year as four digits, for example 2026."))
        try:
            year = add_school_year(school, start_year, actor=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        holidays = year.days_off.filter(kind=DayOffKind.HOLIDAY).count()
        public = year.days_off.filter(kind=DayOffKind.PUBLIC_HOLIDAY).count()
        self.stdout.write(self.style.SUCCESS(
            _("Created school year %(year)s for %(school)s with %(holidays)s holidays and "
              "%(public)s public holidays.")
            % {"year": year.name, "school": school.name, "holidays": holidays, "public": public}
        ))
        if not holidays:
            self.stdout.write(self.style.WARNING(
                _("No advised holidays are shipped for %(year)s: enter the holidays in the "
                  "school's calendar.") % {"year": year.name}
            ))
