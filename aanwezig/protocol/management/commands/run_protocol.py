"""Run every school's absence protocol (for cron, daily): ``manage.py run_protocol``.

Fires each due step once per student and window; running it twice changes
nothing the second time. See docs/protocol.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from aanwezig.protocol.management.commands.duo_reports import _date
from aanwezig.protocol.run import sweep
from aanwezig.schools.management.commands.create_school_year import find_school


class Command(BaseCommand):
    help = "Run the absence protocol of every school (or one) and fire the steps that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", help="only this school: BRIN, or BRIN plus vestiging")
        parser.add_argument("--date", help="evaluate as of this day, YYYY-MM-DD (default today)")
        parser.add_argument("--dry-run", action="store_true",
                            help="count what would fire, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["date"], "--date") if options["date"] else None
        schools = [find_school(options["school"])] if options["school"] else None
        result = sweep(today=today, dry_run=options["dry_run"], schools=schools)
        message = (_("%(students)s students checked, %(signals)s steps due, %(fired)s fired, "
                     "%(skipped)s already done.") if not options["dry_run"] else
                   _("Dry run: %(students)s students checked, %(signals)s steps due, "
                     "%(fired)s would fire, %(skipped)s already done."))
        self.stdout.write(message % {"students": result.students, "signals": result.signals,
                                     "fired": result.fired, "skipped": result.skipped})
