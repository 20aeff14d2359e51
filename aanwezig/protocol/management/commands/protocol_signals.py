"""Print per student which protocol steps are due on a date, with the figures behind them.

``manage.py protocol_signals --school BRIN --date YYYY-MM-DD [--json]``. Reads
only; fires nothing. The JSON is described in docs/protocol.md.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from aanwezig.protocol import engine
from aanwezig.protocol.facts import build_facts, school_context
from aanwezig.protocol.management.commands.duo_reports import _date
from aanwezig.protocol.models import Firing
from aanwezig.protocol.services import steps_of, version_in_force
from aanwezig.roster.models import Student
from aanwezig.schools.management.commands.create_school_year import find_school
from aanwezig.schools.models import School


def school_signals(school: School, day: dt.date) -> list[dict[str, Any]]:
    """Every step due on ``day`` for every student of ``school``, as JSON-ready dicts.

    Uses the protocol version in force at the end of ``day`` and the facts through
    ``day``. Sorted by student key, then protocol order.
    """
    context = school_context(school, day)
    if context is None:
        return []
    end_of_day = dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)
    version = version_in_force(school, end_of_day)
    steps = steps_of(version)
    titles = {step.key: step.title for step in steps}
    order = {step.key: index for index, step in enumerate(steps)}
    facts = build_facts(context, None, only_with_absence=True)
    signals = [s for f in facts.values() for s in engine.evaluate(steps, f, day)]
    keys = dict(Student.objects.filter(pk__in={s.student_id for s in signals})
                .values_list("pk", "school_key"))
    fired = set(Firing.objects.filter(school=school, student_id__in=list(keys))
                .values_list("student_id", "step_key", "window_start"))
    rows: list[dict[str, Any]] = [
        {
            "student_key": keys[s.student_id],
            "step": s.step_key,
            "title": titles[s.step_key],
            "window_start": s.window_start.isoformat(),
            "reached_on": s.reached_on.isoformat(),
            "figures": s.figures,
            "explanation": s.explanation,
            "fired": (s.student_id, s.step_key, s.window_start) in fired,
            "protocol_version": version.number,
        }
        for s in signals
    ]
    rows.sort(key=lambda row: (row["student_key"], order[row["step"]], row["window_start"]))
    return rows


class Command(BaseCommand):
    help = "Print per student the protocol steps due on a date and the figures behind them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="BRIN, or BRIN plus vestiging")
        parser.add_argument("--date", required=True, help="YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="print a JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        day = _date(options["date"], "--date")
        school = find_school(options["school"])
        if school_context(school, day) is None:
            raise CommandError(_("%(date)s does not fall in a school year of %(school)s.")
                               % {"date": day.isoformat(), "school": school.name})
        rows = school_signals(school, day)
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write(_("No protocol steps due for %(school)s on %(date)s.")
                              % {"school": school.name, "date": f"{day:%d-%m-%Y}"})
            return
        self.stdout.write(_("Protocol steps due for %(school)s on %(date)s:")
                          % {"school": school.name, "date": f"{day:%d-%m-%Y}"})
        for row in rows:
            state = _("fired") if row["fired"] else _("due")
            self.stdout.write(f"{row['student_key']}  {row['title']}  ({state})  "
                              f"{row['explanation']}")
