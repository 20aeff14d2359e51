"""Ask students who turned 18 who may see their attendance: ``manage.py ask_adult_consent
[--school BRIN] [--date D] [--dry-run]``.

Run it daily from cron (early morning). Each student who is 18 or older on the day and was
never asked about a parent (and never chose) gets one message, in their own language, asking
them to choose per parent in the portal. Running it twice asks nobody twice
(``portal.consent.ask_adult_consent``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aanwezig.portal.consent import ask_adult_consent
from aanwezig.schools.models import School


class Command(BaseCommand):
    help = "Ask students who turned 18 (and were never asked) who may see their attendance."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--school", help="only the school with this BRIN code")
        parser.add_argument("--date", help="the day to run for (YYYY-MM-DD); default today")
        parser.add_argument("--dry-run", action="store_true",
                            help="only list the students who would be asked")

    def handle(self, *args: Any, **options: Any) -> None:
        school = None
        if options["school"]:
            school = School.objects.filter(brin=options["school"].strip().upper()).first()
            if school is None:
                raise CommandError(f"No school with BRIN {options['school']}.")
        day = timezone.localdate()
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Give the date as YYYY-MM-DD.") from None
        asked = ask_adult_consent(day, school=school, dry_run=options["dry_run"])
        verb = "would ask" if options["dry_run"] else "asked"
        if options["verbosity"] >= 2:
            for student in asked:
                self.stdout.write(f"  {student.school.brin} {student.school_key}")
        if options["verbosity"] >= 1:
            self.stdout.write(f"{day.isoformat()}: {verb} {len(asked)} student(s) about consent")
