"""The protocol engine: pure — steps and facts in, signals and intents out.

``evaluate`` tells which steps a student reaches as of a day, with the window and
the figures behind each; ``plan`` turns signals into intents (what to do). The
engine reads no database and writes nothing: ``protocol.run`` gathers the facts,
records each firing once (idempotent) and carries out the intents. The same
functions power the preview ("which students would this step hit today") and
``manage.py protocol_signals``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aanwezig.protocol.vocabulary import Measure, StepSpec, StudentFacts

#: A step that was reached at most this many days ago still fires (a missed sweep
#: catches up); older windows are history and never fire.
FRESH_DAYS = 14


@dataclass(frozen=True)
class Signal:
    """A step reached by one student: the window it counts from and why."""

    step_key: str
    student_id: int
    window_start: dt.date
    reached_on: dt.date
    figures: dict[str, Any]
    explanation: str


@dataclass(frozen=True)
class Intent:
    """One action to carry out for a signal."""

    action: str
    params: Any
    signal: Signal
    role: str


def step_hits(step: StepSpec, facts: StudentFacts, today: dt.date) -> list[Signal]:
    """Every window in which ``step`` was reached through ``today`` (history included).

    1. The step's trigger finds its windows.
    2. The filters are checked on the day each window was reached (age on that day).
    """
    condition, params = step.trigger()
    filters = step.filters()
    return [
        Signal(step.key, facts.student_id, hit.window_start, hit.reached_on, hit.figures,
               hit.explanation)
        for hit in condition.hits(facts, params, today)
        if all(f.passes(facts, p, hit.reached_on) for f, p in filters)
    ]


def evaluate(steps: Iterable[StepSpec], facts: StudentFacts, today: dt.date, *,
             fresh_days: int = FRESH_DAYS) -> list[Signal]:
    """Return the signals that are due as of ``today``: windows reached in the last
    ``fresh_days`` days, for active steps, in protocol order."""
    oldest = today - dt.timedelta(days=fresh_days - 1)
    return [
        signal
        for step in steps if step.active
        for signal in step_hits(step, facts, today)
        if oldest <= signal.reached_on <= today
    ]


def plan(steps: Iterable[StepSpec], signals: Iterable[Signal]) -> list[Intent]:
    """Turn signals into intents: the step's actions, in order, with the responsible role."""
    by_key = {step.key: step for step in steps}
    return [
        Intent(action.id, params, signal, by_key[signal.step_key].role)
        for signal in signals
        for action, params in by_key[signal.step_key].actions()
    ]


@dataclass(frozen=True)
class Position:
    """Where a student stands on one ladder (steps sharing a trigger type)."""

    trigger: str
    measure: Measure
    reached: list[StepSpec]
    next_step: StepSpec | None


def positions(steps: Iterable[StepSpec], facts: StudentFacts, today: dt.date, *,
              fired: set[str] | None = None) -> list[Position]:
    """Return per ladder the current figure, the steps reached lately and the next step.

    Steps with the same trigger type form a ladder in protocol order. A step counts
    as reached when it fired for the student within its window (``fired``: step keys
    with a firing in the current school year) or is due today; the next step is the
    first active step of the ladder not reached. Filters decide whether a step applies
    to the student today (an 18+ step is not the next step of a 15-year-old).
    """
    fired = fired or set()
    ladders: dict[str, list[StepSpec]] = {}
    for step in steps:
        if not step.active:
            continue
        if not all(f.passes(facts, p, today) for f, p in step.filters()):
            continue
        condition, _params = step.trigger()
        ladders.setdefault(condition.id, []).append(step)
    due = {signal.step_key for signal in evaluate(steps, facts, today)}
    result = []
    for trigger, ladder in ladders.items():
        reached = [s for s in ladder if s.key in fired or s.key in due]
        remaining = [s for s in ladder if s not in reached]
        condition, params = (remaining[0] if remaining else ladder[-1]).trigger()
        measure = condition.measure(facts, params, today)
        if measure is None:
            continue
        result.append(Position(trigger, measure, reached, remaining[0] if remaining else None))
    return result
