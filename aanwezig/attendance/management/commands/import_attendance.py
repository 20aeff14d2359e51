"""Import registered attendance from a CSV file (format: docs/import-attendance.md).

Messages are translatable and come out in ``settings.LANGUAGE_CODE`` (Dutch)
unless another language is active.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aanwezig.attendance.importer import import_attendance
from aanwezig.schools.management.commands.create_school_year import find_school


class Command(BaseCommand):
    help = "Import registered attendance (lesson registers) from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8, separated by ; or ,")
        parser.add_argument("--school", required=True, help="BRIN, or BRIN plus vestiging")
        parser.add_argument("--dry-run", action="store_true",
                            help="check and count, but write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        school = find_school(options["school"])
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s.") % {"file": path}) from exc
        result = import_attendance(school, data, dry_run=options["dry_run"])
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("Nothing was imported: %(count)s problems in %(file)s.")
                % {"count": len(result.problems), "file": path.name}
            )
        summary = _(
            "%(rows)s rows for %(lessons)s lessons: %(changed)s changed (%(created)s new, "
            "%(updated)s updated, %(removed)s removed), %(registers)s new registers."
        ) % {
            "rows": result.rows, "lessons": result.lessons, "changed": result.changed,
            "created": result.counts.created, "updated": result.counts.updated,
            "removed": result.counts.removed, "registers": result.registers_created,
        }
        if result.dry_run:
            summary = _("Dry run, nothing written. %(summary)s") % {"summary": summary}
        self.stdout.write(self.style.SUCCESS(summary))
