"""Benchmark the absence protocol on the 40k demo board.

Figures (milliseconds; the demo's "today" is the day after its last registered lesson):

* ``sweep_40k_first`` — the first real sweep on the board (``manage.py run_protocol`` on
  a board that never ran the protocol): every due step fires and its actions are carried
  out (firings, cases, tasks, DUO dossiers, messages to parents). One run; reported
  against the sweep's target of 10,000 ms, though a school runs it once.
* ``sweep_40k`` — the daily sweep after that, for real: every school's facts, every
  student with an absence evaluated against the school's steps, the signals checked
  against earlier firings and cooldowns, new ones fired. Median of 3 runs; target
  10,000 ms.
* ``sweep_40k_dry`` — the same with ``dry_run=True``, for comparison.

The sweeps run inside one transaction that is rolled back at the end, so the database
stays as seeded, the figures are the same on every run and no message is delivered.
* ``student_reevaluate`` — ``protocol.run.reevaluate(school, [student], dry_run=True)``, what
  a register save triggers for each of its students: median of 20 runs after 2 warm-up
  runs, on a student of the 2,000-student school with absences; target 20 ms.
* ``step_preview_2000`` — the preview of one step on the 2,000-student school, as the
  protocol editor shows it: ``protocol.queries.preview_step(school, step, today)`` (the
  facts of every student with an absence, the unsaved step evaluated for each, names and
  groups of those it hits). Median of 10 runs after one warm-up run; target 1,000 ms.

Needs the database that ``bench/seed_demo_40k.py`` leaves at var/bench/demo-40k.sqlite3
(``make bench`` runs the seed first). Counts (students, signals, firings, queries) are
printed next to the figures.

Usage: .venv/bin/python bench/protocol.py
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The 40k board; ``BENCH_DB`` points elsewhere (e.g. a copy seeded with other options).
DB = Path(os.environ.get("BENCH_DB") or ROOT / "var" / "bench" / "demo-40k.sqlite3")
SWEEPS = 3
REEVALUATE_RUNS = 20
PREVIEW_RUNS = 10
PREVIEW_STEP = "hours-6"


def main() -> int:
    if not DB.exists():
        print(f"{DB} is missing: run bench/seed_demo_40k.py first.")
        return 1
    os.environ["SQLITE_PATH"] = str(DB)
    os.environ.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True,
                   cwd=ROOT)

    from _common import median_ms, record, setup_django, timer

    setup_django()
    from django.db import connection, transaction
    from django.db.models import Count, Max
    from django.test.utils import CaptureQueriesContext

    from aanwezig.attendance.models import Mark, Registration
    from aanwezig.protocol import run
    from aanwezig.protocol.facts import school_context
    from aanwezig.protocol.queries import preview_step
    from aanwezig.protocol.services import version_in_force
    from aanwezig.schools.models import School

    # 1. The demo's today, its 2,000-student school and a student there with absences.
    last = Registration.objects.aggregate(d=Max("lesson__date"))["d"]
    assert last is not None, "the database has no registers"
    today = last + dt.timedelta(days=1)
    now = dt.datetime.combine(today, dt.time(6, 30), zoneinfo.ZoneInfo("Europe/Amsterdam"))
    school = min(
        School.objects.annotate(n=Count("students")),
        key=lambda s: abs(s.n - 2000),  # type: ignore[attr-defined]
    )
    context = school_context(school, today)
    assert context is not None, f"{today} is outside {school.name}'s school year"
    print(f"today {today}; {School.objects.count()} schools; preview school {school.name} "
          f"({school.students.count()} students)")  # type: ignore[attr-defined]

    # 2. The sweeps, inside one transaction that is rolled back.
    with transaction.atomic():
        with timer() as t:
            result = run.sweep(today=today, now=now)
        print(f"sweep_40k_first: {result.students} students with absences evaluated, "
              f"{result.fired} steps fired ({result.skipped} skipped)")
        record("sweep_40k_first", median_ms=t[0], target_ms=10_000)
        for name, dry in (("sweep_40k", False), ("sweep_40k_dry", True)):
            samples = []
            for _ in range(SWEEPS):
                with timer() as t:
                    result = run.sweep(today=today, now=now, dry_run=dry)
                samples.append(t[0])
            print(f"{name}: {result.students} students evaluated, {result.signals} signals "
                  f"due, {result.fired} fired, {result.skipped} already done")
            record(name, median_ms=median_ms(samples), target_ms=10_000)
        transaction.set_rollback(True)

    # 3. student_reevaluate: one student of the big school, as after a register save.
    student_id = (Mark.objects.filter(school=school, date__lt=today).values("student_id")
                  .annotate(n=Count("id")).order_by("-n", "student_id")[0]["student_id"])
    samples, counts = [], []
    for _ in range(REEVALUATE_RUNS + 2):
        with CaptureQueriesContext(connection) as queries, timer() as t:
            run.reevaluate(school, [student_id], today=today, now=now, dry_run=True)
        samples.append(t[0])
        counts.append(len(queries))
    print(f"student_reevaluate: {max(counts)} queries")
    record("student_reevaluate", median_ms=median_ms(samples[2:]), target_ms=20)

    # 4. step_preview_2000: the editor's preview of one (unsaved) step.
    step = next(s for s in version_in_force(school, now).steps if s["key"] == PREVIEW_STEP)
    step = {**step, "when": [{"type": "unexcused_hours", "params": {"hours": 5, "weeks": 4}}]}
    samples = []
    for _ in range(PREVIEW_RUNS + 1):
        with timer() as t:
            preview = preview_step(school, step, today)
        samples.append(t[0])
    print(f"step_preview_2000: {PREVIEW_STEP} at 5 hours would hit {preview.count} of {preview.checked}")
    record("step_preview_2000", median_ms=median_ms(samples[1:]), target_ms=1_000)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
