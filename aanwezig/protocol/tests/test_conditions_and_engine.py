"""The protocol's conditions and engine, pure: hand-made facts in, signals out. No database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from aanwezig.protocol import engine
from aanwezig.protocol.defaults import default_steps
from aanwezig.protocol.vocabulary import StepError, StudentFacts, parse_step, parse_steps

D = dt.date


def weekdays(start: dt.date, end: dt.date, *, off: set[dt.date] | None = None) -> tuple:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in (off or set()):
            days.append(day)
        day += dt.timedelta(days=1)
    return tuple(days)


# Autumn term 2026: autumn break 19–23 Oct (region south), school from 31 Aug.
AUTUMN_BREAK = {D(2026, 10, 19) + dt.timedelta(days=n) for n in range(5)}
SCHOOL_DAYS = weekdays(D(2026, 8, 31), D(2026, 12, 18), off=AUTUMN_BREAK)


def facts(**overrides: Any) -> StudentFacts:
    lessons = dict.fromkeys(SCHOOL_DAYS, 6)
    base: dict[str, Any] = {
        "student_id": 1, "birth_date": D(2012, 5, 1), "sector": "vo",
        "has_startkwalificatie": False, "school_days": SCHOOL_DAYS,
        "holidays": frozenset(AUTUMN_BREAK), "lessons": lessons, "present": dict(lessons),
    }
    base.update(overrides)
    return StudentFacts(**base)


def step(key: str, sector: str = "vo") -> Any:
    return next(s for s in parse_steps(default_steps(sector)) if s.key == key)


def keys(signals: list[engine.Signal]) -> list[str]:
    return [s.step_key for s in signals]


@pytest.fixture(autouse=True)
def _dutch():
    with translation.override("nl"):
        yield


def test_six_unexcused_hours_in_four_weeks_fires_the_first_step_of_the_ladder():
    hours = {D(2026, 11, 9): 2.0, D(2026, 11, 12): 2.0, D(2026, 11, 17): 2.0}
    signals = engine.evaluate(parse_steps(default_steps("vo")), facts(unexcused_hours=hours),
                              D(2026, 11, 18))
    assert keys(signals) == ["hours-6"]
    (signal,) = signals
    assert (signal.window_start, signal.reached_on) == (D(2026, 11, 9), D(2026, 11, 17))
    assert signal.figures["hours"] == 6
    assert "6 lesuren" in signal.explanation


def test_five_hours_fire_nothing():
    hours = {D(2026, 11, 9): 2.0, D(2026, 11, 12): 2.0, D(2026, 11, 17): 1.0}
    assert engine.evaluate(parse_steps(default_steps("vo")), facts(unexcused_hours=hours),
                           D(2026, 11, 18)) == []


def test_a_window_reached_more_than_two_weeks_ago_is_history_not_due():
    hours = {D(2026, 10, 5): 3.0, D(2026, 10, 6): 3.0}
    f = facts(unexcused_hours=hours)
    assert keys(engine.step_hits(step("hours-6"), f, D(2026, 11, 18))) == ["hours-6"]
    assert engine.evaluate([step("hours-6")], f, D(2026, 11, 18)) == []
    assert keys(engine.evaluate([step("hours-6")], f, D(2026, 10, 19))) == ["hours-6"]


def test_the_legal_step_follows_the_duo_rule_and_skips_adults_unless_the_school_reports_them():
    hours = {D(2026, 11, 9) + dt.timedelta(days=n): 4.0 for n in range(4)}
    duo = step("duo-16")
    (signal,) = engine.evaluate([duo], facts(unexcused_hours=hours), D(2026, 11, 18))
    assert (signal.window_start, signal.reached_on) == (D(2026, 11, 9), D(2026, 11, 12))
    assert signal.figures["due_date"] == "2026-11-19"
    assert signal.figures["kind"] == "first"
    adult = facts(unexcused_hours=hours, birth_date=D(2008, 1, 1))
    assert engine.evaluate([duo], adult, D(2026, 11, 18)) == []
    (signal,) = engine.evaluate([duo], facts(unexcused_hours=hours, birth_date=D(2008, 1, 1),
                                             report_adults=True), D(2026, 11, 18))
    assert signal.figures["mandatory"] is False
    assert engine.evaluate([duo], facts(unexcused_hours=hours, has_startkwalificatie=True),
                           D(2026, 11, 18)) == []


def test_lateness_ladder_counts_the_school_year_and_each_rung_fires_once():
    late = {D(2026, 9, 1) + dt.timedelta(days=7 * n): 1 for n in range(11)}  # Tuesdays
    late = {day: 1 for day in late if day in SCHOOL_DAYS}
    f = facts(late=late)
    steps = [step("late-3"), step("late-6"), step("late-9"), step("late-12")]
    hits = {s.key: [h.reached_on for h in engine.step_hits(s, f, D(2026, 12, 1))] for s in steps}
    ordered = sorted(late)
    assert hits["late-3"] == [ordered[2], ordered[5], ordered[8]]  # restarts after each 3
    assert hits["late-6"] == [ordered[5]]
    assert hits["late-9"] == [ordered[8]]
    assert hits["late-12"] == []


def test_four_sick_reports_in_twelve_school_weeks_start_the_mazl_route():
    starts = (D(2026, 9, 7), D(2026, 9, 28), D(2026, 10, 12), D(2026, 11, 16))
    (signal,) = engine.evaluate([step("mazl-reports")], facts(sick_report_starts=starts),
                                D(2026, 11, 18))
    assert signal.figures["reports"] == 4
    assert (signal.window_start, signal.reached_on) == (D(2026, 9, 7), D(2026, 11, 16))
    # Twelve school weeks from 7 Sep skip the autumn break: the window ends before 7 Dec,
    # so a fourth report on 30 Nov is inside it and one on 7 Dec is not.
    inside = (D(2026, 9, 7), D(2026, 9, 28), D(2026, 10, 12), D(2026, 11, 30))
    (hit,) = engine.step_hits(step("mazl-reports"), facts(sick_report_starts=inside),
                              D(2026, 12, 18))
    assert (hit.window_start, hit.reached_on) == (D(2026, 9, 7), D(2026, 11, 30))
    outside = (D(2026, 9, 7), D(2026, 9, 28), D(2026, 10, 12), D(2026, 12, 7))
    assert engine.step_hits(step("mazl-reports"), facts(sick_report_starts=outside),
                            D(2026, 12, 18)) == []


def test_a_sick_report_on_a_saturday_counts_on_the_next_school_day():
    starts = (D(2026, 11, 14),)  # Saturday
    measure = step("mazl-reports").trigger()[0].measure(
        facts(sick_report_starts=starts), step("mazl-reports").trigger()[1], D(2026, 11, 18))
    assert measure.value == 1


def test_seven_sick_school_days_in_a_row_skip_the_weekend():
    sick = frozenset(weekdays(D(2026, 11, 6), D(2026, 11, 16)))  # Fri 6 – Mon 16: 7 days
    (signal,) = engine.evaluate([step("mazl-days")], facts(sick_days=sick), D(2026, 11, 18))
    assert (signal.window_start, signal.reached_on) == (D(2026, 11, 6), D(2026, 11, 16))
    shorter = frozenset(weekdays(D(2026, 11, 6), D(2026, 11, 13)))
    assert engine.evaluate([step("mazl-days")], facts(sick_days=shorter), D(2026, 11, 18)) == []


def test_sickness_never_counts_as_unexcused_hours():
    sick = frozenset(weekdays(D(2026, 11, 2), D(2026, 11, 13)))
    f = facts(sick_days=sick, present={d: (0 if d in sick else 6) for d in SCHOOL_DAYS})
    due = keys(engine.evaluate(parse_steps(default_steps("vo")), f, D(2026, 11, 18)))
    assert "duo-16" not in due and "hours-6" not in due
    assert "mazl-days" in due


def test_unexcused_absence_next_to_a_holiday_is_suspected_luxury_absence():
    luxury = step("luxury")
    before = facts(unexcused_hours={D(2026, 10, 16): 6.0})  # Friday before the autumn break
    (signal,) = engine.evaluate([luxury], before, D(2026, 10, 27))
    assert signal.window_start == D(2026, 10, 16)
    after = facts(unexcused_hours={D(2026, 10, 26): 6.0})  # Monday after
    assert keys(engine.evaluate([luxury], after, D(2026, 10, 27))) == ["luxury"]
    ordinary = facts(unexcused_hours={D(2026, 11, 11): 6.0})  # a Wednesday
    assert engine.evaluate([luxury], ordinary, D(2026, 11, 18)) == []
    refused = facts(unexcused_hours={D(2026, 11, 11): 6.0},
                    leave_refused=frozenset({D(2026, 11, 11)}))
    assert keys(engine.evaluate([luxury], refused, D(2026, 11, 18))) == ["luxury"]


def test_a_weekend_alone_is_not_a_holiday():
    friday = facts(unexcused_hours={D(2026, 11, 13): 6.0})
    assert engine.evaluate([step("luxury")], friday, D(2026, 11, 18)) == []


def test_attendance_below_ninety_percent_over_eight_school_weeks():
    days = [d for d in SCHOOL_DAYS if d <= D(2026, 11, 18)]
    # 8 school weeks through Wed 18 Nov: this week's 3 days and 7 weeks before (the autumn
    # break skipped) = 38 days, 228 lessons.
    recent = days[-38:]
    present = dict.fromkeys(SCHOOL_DAYS, 6)
    for d in recent[::5]:  # 8 whole days away: 180 of 228 lessons
        present[d] = 0
    (signal,) = engine.evaluate([step("chronic")], facts(present=present), D(2026, 11, 18))
    assert (signal.figures["lessons"], signal.figures["present"]) == (228, 180)
    assert signal.figures["percent"] == 78.9
    assert signal.window_start == D(2026, 9, 21)
    present = dict.fromkeys(SCHOOL_DAYS, 6)
    for d in recent[::20]:  # two days in eight weeks: 95%
        present[d] = 0
    assert engine.evaluate([step("chronic")], facts(present=present), D(2026, 11, 18)) == []


def test_absent_every_school_day_for_more_than_four_school_weeks_is_long_absence():
    days = weekdays(D(2026, 10, 5), D(2026, 11, 18), off=AUTUMN_BREAK)
    f = facts(unexcused_lessons=dict.fromkeys(days, 6), unexcused_hours=dict.fromkeys(days, 6.0))
    hits = engine.step_hits(step("long-absence"), f, D(2026, 11, 18))
    # Four school weeks from Mon 5 Oct skip the break: the window ends before Mon 9 Nov.
    assert [(h.window_start, h.reached_on) for h in hits] == [(D(2026, 10, 5), D(2026, 11, 9))]
    one_day_back = {d: 6 for d in days if d != D(2026, 11, 2)}
    assert engine.step_hits(step("long-absence"),
                            facts(unexcused_lessons=one_day_back), D(2026, 11, 6)) == []


def test_an_age_filter_is_checked_on_the_day_the_step_is_reached():
    rmc = step("rmc-16", "mbo")
    hours = {D(2026, 11, 9) + dt.timedelta(days=n): 4.0 for n in range(4)}
    turns_18_after = facts(unexcused_hours=hours, birth_date=D(2008, 11, 13), sector="mbo")
    assert engine.evaluate([rmc], turns_18_after, D(2026, 11, 18)) == []
    turns_18_before = facts(unexcused_hours=hours, birth_date=D(2008, 11, 12), sector="mbo")
    assert keys(engine.evaluate([rmc], turns_18_before, D(2026, 11, 18))) == ["rmc-16"]


def test_plan_turns_signals_into_the_steps_actions_in_order():
    hours = {D(2026, 11, 9): 3.0, D(2026, 11, 10): 3.0}
    steps = parse_steps(default_steps("vo"))
    intents = engine.plan(steps, engine.evaluate(steps, facts(unexcused_hours=hours),
                                                 D(2026, 11, 18)))
    assert [(i.action, i.role) for i in intents] == [("task", "mentor"),
                                                     ("message_guardians", "mentor")]


def test_positions_show_the_figure_and_the_next_step():
    hours = {D(2026, 11, 9): 3.0, D(2026, 11, 10): 3.0}
    steps = parse_steps(default_steps("vo"))
    by_trigger = {p.trigger: p for p in engine.positions(steps, facts(unexcused_hours=hours),
                                                         D(2026, 11, 18))}
    hours_ladder = by_trigger["unexcused_hours"]
    assert [s.key for s in hours_ladder.reached] == ["hours-6"]
    assert hours_ladder.next_step is not None and hours_ladder.next_step.key == "hours-9"
    # The figure is counted towards the next step: 6 of its 9 hours.
    assert (hours_ladder.measure.value, hours_ladder.measure.threshold) == (6, 9)
    late = by_trigger["times_late"]
    assert late.reached == [] and late.next_step is not None and late.next_step.key == "late-3"


# --- validation of steps -------------------------------------------------------------------------

def raw(**overrides: Any) -> dict[str, Any]:
    base = {"key": "x", "title": "X", "role": "mentor",
            "when": [{"type": "unexcused_hours", "params": {"hours": 6, "weeks": 4}}],
            "then": [{"type": "task", "params": {"kind": "phone_parents"}}],
            "texts": {"nl": "Tekst"}}
    base.update(overrides)
    return base


def test_every_default_protocol_is_valid():
    for sector in ("po", "vo", "mbo"):
        assert parse_steps(default_steps(sector))


@pytest.mark.parametrize(("change", "expected"), [
    ({"when": [{"type": "unexcused_hours", "params": {"hours": 0, "weeks": 4}}]}, "hours"),
    ({"when": [{"type": "moon_phase", "params": {}}]}, "moon_phase"),
    ({"when": [{"type": "age", "params": {"group": "adult"}}]}, "precies één"),
    ({"then": [{"type": "inform_partner", "params": {"partner": "leerplicht"}}],
      "when": [{"type": "sick_reports", "params": {"times": 4, "weeks": 12}}]}, "ziekte"),
    ({"then": [{"type": "propose_duo", "params": {}}],
      "when": [{"type": "times_late", "params": {"times": 3}}]}, "DUO"),
    ({"texts": {"en": "only English"}}, "texts"),
    ({"key": "Not A Key"}, "key"),
])
def test_a_bad_step_is_refused_with_a_dutch_message(change, expected):
    with pytest.raises(StepError) as error:
        parse_step(raw(**change))
    assert expected in " ".join(error.value.messages)


def test_duplicate_keys_are_refused():
    with pytest.raises(StepError, match="uniek"):
        parse_steps([raw(), raw()])
