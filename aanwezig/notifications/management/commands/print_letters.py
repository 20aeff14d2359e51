"""Print the waiting letters of a school as one PDF batch: ``manage.py print_letters --school BRIN``.

The letters are marked sent and the PDF is stored under ``LETTERS_DIR``; staff download
it from the Letters page. With no letters waiting, nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aanwezig.notifications.letters import NothingToPrint, batch_path, print_letter_batch
from aanwezig.schools.models import School


class Command(BaseCommand):
    help = "Print the letters waiting at a school as one PDF batch (one letter per page)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--school", required=True, help="the school's BRIN code")

    def handle(self, *args: Any, **options: Any) -> None:
        brin = options["school"].strip().upper()
        schools = list(School.objects.filter(brin=brin).order_by("pk"))
        if not schools:
            raise CommandError(f"No school with BRIN {brin}.")
        for school in schools:
            try:
                batch = print_letter_batch(school, actor=None)
            except NothingToPrint:
                self.stdout.write(f"{school.brin_vestiging} {school.name}: no letters waiting.")
                continue
            self.stdout.write(f"{school.brin_vestiging} {school.name}: {batch.count} letter(s) "
                              f"in {batch_path(batch)}")
