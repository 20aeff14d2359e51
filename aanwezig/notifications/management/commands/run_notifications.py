"""Queue the messages that are due: ``manage.py run_notifications [--school BRIN] [--monthly]
[--compliments]``.

Run it from cron every few minutes for unexplained absences and register reminders; add
``--monthly`` on the first school day of the month and ``--compliments`` once a week.
Queueing is idempotent, so running it twice does no harm.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aanwezig.notifications.events import run_all
from aanwezig.schools.models import School


class Command(BaseCommand):
    help = "Queue the messages that are due (absences, register reminders, overviews, compliments)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--school", help="only the school with this BRIN code")
        parser.add_argument("--monthly", action="store_true",
                            help="also queue the monthly attendance overview")
        parser.add_argument("--compliments", action="store_true",
                            help="also queue compliments for clearly improved attendance")

    def handle(self, *args: Any, **options: Any) -> None:
        schools = School.objects.order_by("pk")
        if options["school"]:
            schools = schools.filter(brin=options["school"].strip().upper())
            if not schools.exists():
                raise CommandError(f"No school with BRIN {options['school']}.")
        now = timezone.now()
        for school in schools:
            done = run_all(school, now, monthly=options["monthly"],
                           compliments=options["compliments"])
            summary = ", ".join(f"{key} {value}" for key, value in done.items())
            self.stdout.write(f"{school.brin_vestiging} {school.name}: {summary}")
