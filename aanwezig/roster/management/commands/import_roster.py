"""Import a school's roster (EDEXML, OneRoster CSV or the guardians CSV) as a sync.

Format and rules: docs/import-roster.md. Messages come out in Dutch unless ``--language en``
is given. A bad file is refused whole with every problem located; nothing is imported.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aanwezig.roster.importing.model import RosterFileError
from aanwezig.roster.importing.sync import SyncReport, counts_by_kind, kind_label, sync_roster
from aanwezig.schools.management.commands.create_school_year import find_school

#: --format value -> parser module in aanwezig.roster.importing
PARSERS = {"edexml": "edexml", "oneroster": "oneroster", "csv": "guardians_csv"}


def load_parser(fmt: str) -> Any:
    """The parser module for ``fmt``, imported only when needed."""
    name = f"aanwezig.roster.importing.{PARSERS[fmt]}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise CommandError(
            _("The %(format)s format cannot be read yet: its reader is not installed.")
            % {"format": fmt}) from exc


def report_lines(report: SyncReport, *, limit: int | None = None) -> list[str]:
    """The report as lines of text in the active language."""
    lines = []
    if report.dry_run:
        lines.append(_("Dry run: nothing was written. This is what the import would change."))
    for kind, counts in counts_by_kind(report).items():
        lines.append(_("%(kind)s: %(created)s new, %(updated)s changed, %(ended)s ended, "
                       "%(unchanged)s unchanged") % {
            "kind": kind_label(kind), "created": counts.created, "updated": counts.updated,
            "ended": counts.ended, "unchanged": counts.unchanged})
    if report.warnings:
        lines.append(_("Left out or left empty (the rest is imported):"))
        lines.extend(f"  {warning}" for warning in report.warnings)
    if not report.changed:
        lines.append(_("Nothing changed."))
        return lines
    changes = report.changes if limit is None else report.changes[:limit]
    lines.append(_("Changes:"))
    lines.extend(f"  {change}" for change in changes)
    if len(changes) < len(report.changes):
        lines.append(_("… and %(count)s more changes (use --all to see them all).")
                     % {"count": len(report.changes) - len(changes)})
    return lines


class Command(BaseCommand):
    help = "Import students, groups, staff and guardians (EDEXML, OneRoster or guardians CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the file, folder or zip to import")
        parser.add_argument("--format", required=True, choices=sorted(PARSERS),
                            help="edexml, oneroster or csv (parents and carers)")
        parser.add_argument("--school", required=True, help="BRIN, or BRIN plus vestiging")
        parser.add_argument("--dry-run", action="store_true",
                            help="show what would change, but write nothing")
        parser.add_argument("--all", action="store_true", help="list every change")
        parser.add_argument("--language", choices=["nl", "en"], default="nl",
                            help="language of the report (default nl)")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        school = find_school(options["school"])
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(_("Cannot read %(file)s.") % {"file": path})
        parser = load_parser(options["format"])
        try:
            roster = (parser.parse(path, school=school.brin) if options["format"] == "oneroster"
                      else parser.parse(path))
            report = sync_roster(school, roster, actor=None, today=timezone.localdate(),
                                 dry_run=options["dry_run"])
        except RosterFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}: {problem}" if not problem.file else str(problem))
            raise CommandError(
                _("Nothing was imported: %(count)s problems in %(file)s.")
                % {"count": len(exc.problems), "file": path.name}) from exc
        for line in report_lines(report, limit=None if options["all"] else 200):
            self.stdout.write(line)
        totals = report.totals()
        summary = _("%(school)s, school year %(year)s: %(created)s new, %(updated)s changed, "
                    "%(ended)s ended.") % {
            "school": school.name, "year": report.school_year, "created": totals.created,
            "updated": totals.updated, "ended": totals.ended}
        self.stdout.write(self.style.SUCCESS(summary))
