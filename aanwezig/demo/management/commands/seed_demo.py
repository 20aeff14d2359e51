"""Fill the database with the demo board (see docs/demo-data.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig.demo.seed import DEFAULT_STUDENTS, FIRST_YEAR, LAST_YEAR, seed_demo


class Command(BaseCommand):
    help = "Create a demo school board with schools, people, timetables and a year of attendance."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=DEFAULT_STUDENTS,
                            help=f"Number of students over all schools (default {DEFAULT_STUDENTS}).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when a school board already exists.")
        parser.add_argument("--today", metavar="YYYY-MM-DD",
                            help="The date the history runs up to (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        students = options["students"]
        if students < 60:
            raise CommandError(_("--students must be at least 60."))
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    _("--today expects a date as YYYY-MM-DD, not “%(value)s”.")
                    % {"value": options["today"]}
                ) from None
        else:
            today = timezone.localdate()
        first, last = dt.date(FIRST_YEAR, 9, 1), dt.date(LAST_YEAR + 1, 7, 15)
        if not first <= today <= last:
            raise CommandError(
                _("The demo covers the school years %(first)s to %(last)s; choose --today "
                  "between %(from)s and %(to)s.")
                % {"first": f"{FIRST_YEAR}-{FIRST_YEAR + 1}", "last": f"{LAST_YEAR}-{LAST_YEAR + 1}",
                   "from": first.isoformat(), "to": last.isoformat()}
            )
        verbosity = options["verbosity"]

        def log(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(message)

        summary = seed_demo(students, options["seed"], today, if_empty=options["if_empty"], log=log)
        if summary.skipped:
            self.stdout.write(_("A school board already exists; no demo data added."))
            return
        self.stdout.write(self.style.SUCCESS(
            _("Demo data ready in %(seconds).0f s: %(schools)d schools, %(students)d students, "
              "%(guardians)d parents and carers, %(staff)d staff, %(lessons)d lessons, "
              "%(registrations)d registers, %(marks)d marks.")
            % {"seconds": summary.seconds, "schools": sum(summary.schools.values()),
               "students": summary.students, "guardians": summary.guardians,
               "staff": summary.staff, "lessons": summary.lessons,
               "registrations": summary.registrations, "marks": summary.marks}
        ))
