"""Run the protocol: gather facts, evaluate, record each firing once, carry out its actions.

Two triggers run it:

* after a register or sick report is saved, ``after_attendance_change`` enqueues
  ``reevaluate_task`` for the students concerned once the transaction commits;
* ``manage.py run_protocol`` (cron, daily) sweeps every school.

Firing is idempotent: ``Firing`` is unique per (school, student, step, window
start), and a step with a cooldown does not fire again for a student within it.
When the task and the sweep race, the second insert fails on the unique
constraint inside its own savepoint and that firing's actions are not carried
out twice. The actions of one firing run in the same transaction as its row:
all or nothing. See docs/protocol.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from aanwezig.lib.dates import add_working_days
from aanwezig.protocol import engine
from aanwezig.protocol.facts import SchoolContext, build_facts, school_context
from aanwezig.protocol.models import Case, CaseStatus, DuoKind, Firing, ProtocolVersion, TaskKind
from aanwezig.protocol.services import steps_of, version_in_force
from aanwezig.protocol.vocabulary import StepSpec, StudentFacts
from aanwezig.roster.models import Student
from aanwezig.schools.models import Role, School
from aanwezig.schools.services import audit_create

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What a run did (or, with ``dry_run``, would do)."""

    students: int = 0
    signals: int = 0
    fired: int = 0
    skipped: int = 0
    firings: list[Firing] = field(default_factory=list)

    def add(self, other: RunResult) -> None:
        self.students += other.students
        self.signals += other.signals
        self.fired += other.fired
        self.skipped += other.skipped
        self.firings += other.firings


def _consent_line(student: Student, today: dt.date) -> str:
    """Who must consent before the youth doctor shares anything with the school (MAZL)."""
    age = student.age_on(today)
    if age < 12:
        return _("Under 12: the parents give consent.")
    if age < 16:
        return _("From 12 to 16: the parents and the student both give consent.")
    return _("From 16: the student gives consent alone.")


def _carry_out(firing: Firing, step: StepSpec, signal: engine.Signal, student: Student,
               today: dt.date, now: dt.datetime, facts: StudentFacts | None) -> None:
    """Carry out the step's actions for one new firing (inside its transaction).

    1. Open or escalate the case first, so that the tasks of this step belong to it;
       without a case action, tasks join the student's open case when there is one.
    2. Then every other action in the step's order.
    """
    from aanwezig.protocol import cases, dossiers
    from aanwezig.protocol.messages import queue_step_message

    # The engine's intents for this signal: the step's actions in order, with their role.
    intents = engine.plan([step], [signal])
    case: Case | None = None
    for intent in intents:
        if intent.action == "open_case":
            case = cases.open_or_escalate_case(student, title=step.title, role=step.role,
                                               escalate=intent.params.escalate, now=now)
    if case is None:
        case = Case.objects.filter(school_id=firing.school_id, student=student,
                                   status=CaseStatus.OPEN).order_by("-opened_at").first()
    if case is not None:
        firing.case = case
        firing.save(update_fields=["case"])
    name = student.full_name
    why = f"{step.title}: {signal.explanation}"

    def task(kind: str, role: str, title: str, description: str = why,
             due: dt.date | None = None) -> None:
        cases.create_task(firing.school, kind=kind, role=role, title=title,
                          description=description, student=student, case=case, firing=firing,
                          due_on=due, now=now)

    for intent in intents:
        action, params = intent.action, intent.params
        if action == "open_case":
            continue
        if action == "message_guardians":
            counts = ((sum(facts.present.values()), sum(facts.lessons.values()))
                      if facts is not None else None)
            queue_step_message(firing, template=params.template, step=step, now=now,
                               counts=counts)
        elif action == "task":
            kind = TaskKind(params.kind)
            task(kind, params.role or intent.role, params.title or f"{kind.label}: {name}",
                 due=add_working_days(today, params.due_days) if params.due_days else today)
        elif action == "notify_staff":
            task(TaskKind.NOTICE, params.role, f"{step.title}: {name}")
        elif action == "inform_partner":
            kind = (TaskKind.INFORM_RMC if params.partner == "rmc"
                    else TaskKind.INFORM_LEERPLICHT)
            task(kind, intent.role, f"{kind.label}: {name}",
                 description=why + "\n" + _("Pass on only unexcused absence, never sickness."),
                 due=add_working_days(today, 5))
        elif action == "propose_jeugdarts":
            task(TaskKind.JEUGDARTS, Role.CARE_COORDINATOR, f"{TaskKind.JEUGDARTS.label}: {name}",
                 description=why + "\n" + _consent_line(student, today),
                 due=add_working_days(today, 5))
        elif action == "propose_duo":
            kind_map = {"luxury_absence": DuoKind.LUXURY, "long_absence": DuoKind.LONG}
            trigger, _params = step.trigger()
            duo_kind = kind_map.get(trigger.id) or (
                DuoKind.FOLLOW_UP if signal.figures.get("kind") == "follow_up" else DuoKind.FIRST)
            due_iso = signal.figures.get("due_date")
            due_on = (dt.date.fromisoformat(due_iso) if due_iso
                      else add_working_days(signal.reached_on, 5))
            dossiers.propose_dossier(
                student, kind=duo_kind, start_date=signal.window_start,
                end_date=signal.reached_on, hours=float(signal.figures.get("hours", 0)),
                due_on=due_on, mandatory=bool(signal.figures.get("mandatory", True)),
                firing=firing, case=case, now=now,
            )
            task(TaskKind.DUO_REPORT, Role.ATTENDANCE_OFFICER,
                 f"{TaskKind.DUO_REPORT.label}: {name}", due=due_on)
        else:  # pragma: no cover - parse_steps refuses unknown actions
            raise LookupError(action)


def _cooling(school: School, student_ids: Iterable[int], steps: list[StepSpec],
             today: dt.date) -> set[tuple[int, str]]:
    """(student, step) pairs still within the step's cooldown. One query."""
    longest = max((s.cooldown_days for s in steps), default=0)
    if not longest:
        return set()
    cooldown = {s.key: s.cooldown_days for s in steps}
    since = today - dt.timedelta(days=longest)
    rows = Firing.objects.filter(school=school, student_id__in=list(student_ids),
                                 window_end__gt=since).values_list("student_id", "step_key",
                                                                   "window_end")
    return {(student_id, key) for student_id, key, end in rows
            if cooldown.get(key) and end > today - dt.timedelta(days=cooldown[key])}


def fire(signal: engine.Signal, step: StepSpec, version: ProtocolVersion, student: Student, *,
         today: dt.date, now: dt.datetime, facts: StudentFacts | None = None) -> Firing | None:
    """Record one firing and carry out its actions; None when it already fired (a race).

    ``facts``: the student's facts of this run, so that messages need not count again.
    """
    try:
        with transaction.atomic():
            firing = Firing.objects.create(
                school_id=student.school_id, student=student, step_key=step.key,
                step_title=step.title, window_start=signal.window_start,
                window_end=signal.reached_on, figures=signal.figures,
                explanation=signal.explanation[:300], version=version, fired_at=now,
            )
            audit_create(None, firing, student=student)
            _carry_out(firing, step, signal, student, today, now, facts)
    except IntegrityError:
        return None
    return firing


def run_school(context: SchoolContext, facts: dict[int, StudentFacts], *,
               now: dt.datetime, dry_run: bool = False) -> RunResult:
    """Evaluate the school's protocol for these students' facts and fire what is due.

    1. The version in force now gives the steps.
    2. The engine gives the signals due today per student.
    3. Signals already fired (same step and window start) or within a cooldown are
       skipped; the rest fire, each in its own transaction.
    """
    school, today = context.school, context.today
    result = RunResult(students=len(facts))
    if not facts:
        return result
    version = version_in_force(school, now)
    steps = steps_of(version)
    by_key = {step.key: step for step in steps}
    signals = [signal for student_facts in facts.values()
               for signal in engine.evaluate(steps, student_facts, today)]
    result.signals = len(signals)
    if not signals:
        return result
    ids = sorted({signal.student_id for signal in signals})
    done = set(Firing.objects.filter(school=school, student_id__in=ids).values_list(
        "student_id", "step_key", "window_start"))
    cooling = _cooling(school, ids, steps, today)
    students = {s.pk: s for s in Student.objects.filter(school=school, pk__in=ids)}
    for signal in signals:
        if ((signal.student_id, signal.step_key, signal.window_start) in done
                or (signal.student_id, signal.step_key) in cooling):
            result.skipped += 1
            continue
        if by_key[signal.step_key].cooldown_days:
            cooling.add((signal.student_id, signal.step_key))
        if dry_run:
            result.fired += 1
            continue
        student = students[signal.student_id]
        student.school = school
        firing = fire(signal, by_key[signal.step_key], version, student, today=today, now=now,
                      facts=facts[signal.student_id])
        if firing is None:
            result.skipped += 1
            continue
        result.fired += 1
        result.firings.append(firing)
    return result


def _in_school_language(school: School) -> Any:
    """Explanations and task titles are stored in the school's language: Dutch."""
    return translation.override("nl")


def reevaluate(school: School, student_ids: Iterable[int], *, today: dt.date | None = None,
               now: dt.datetime | None = None, dry_run: bool = False) -> RunResult:
    """Re-run the protocol for some students of one school (after a register change)."""
    now = now or timezone.now()
    context = school_context(school, today or timezone.localdate(now))
    if context is None:
        return RunResult()
    with _in_school_language(school):
        facts = build_facts(context, student_ids)
        return run_school(context, facts, now=now, dry_run=dry_run)


def sweep(*, today: dt.date | None = None, now: dt.datetime | None = None,
          dry_run: bool = False, schools: Iterable[School] | None = None) -> RunResult:
    """Run the protocol for every student of every school (``manage.py run_protocol``)."""
    now = now or timezone.now()
    total = RunResult()
    for school in schools if schools is not None else School.objects.order_by("pk"):
        context = school_context(school, today or timezone.localdate(now))
        if context is None:
            continue
        with _in_school_language(school):
            facts = build_facts(context, None, only_with_absence=True)
            total.add(run_school(context, facts, now=now, dry_run=dry_run))
    return total


@task()
def reevaluate_task(school_id: int, student_ids: list[int]) -> int:
    """Task: re-run the protocol for these students now; returns the number fired."""
    school = School.objects.get(pk=school_id)
    return reevaluate(school, student_ids).fired


def after_attendance_change(school_id: int, student_ids: Iterable[int]) -> None:
    """After marks or a sick report change, re-evaluate those students once the
    transaction commits (through the task queue, so the save stays quick)."""
    ids = sorted(set(student_ids))
    if ids:
        transaction.on_commit(lambda: reevaluate_task.enqueue(school_id, ids))
