"""Running the protocol on real registers: facts, firing once, cooldowns, the register hook.

Sam (child_a, school A, vo, default protocol) has the hand-worked absence of
``test_duo_reports_command``: 4 h Mon 2 Nov, sick Tue 3, 4 h Wed 4, 3 h Thu 5, 3 h
Fri 6, 2 h Mon 9. Six hours are reached on Wed 4 Nov; counting restarts and the next
six on Fri 6 Nov. Nine hours are reached on Thu 5 Nov and 16 on Mon 9 Nov. Today is
Wed 18 Nov: windows reached from Thu 5 Nov on are due (the last 14 days), so
``hours-6`` (5–6 Nov), ``hours-9`` and ``duo-16`` fire; the first six hours are history.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from aanwezig.attendance.counting import lesson_outcomes, summarise_by_day
from aanwezig.attendance.services import MarkInput, record_register
from aanwezig.protocol import engine
from aanwezig.protocol.facts import build_facts, school_context
from aanwezig.protocol.models import Case, DuoDossier, DuoKind, Firing, Task
from aanwezig.protocol.run import fire, reevaluate, sweep
from aanwezig.protocol.services import ensure_protocol, steps_of, version_in_force
from aanwezig.protocol.tests.test_duo_reports_command import hand_worked_case
from aanwezig.schools.models import HourUnit
from aanwezig.testing import factories as f
from conftest import TODAY

D = dt.date
NOW = dt.datetime(2026, 11, 18, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def today():
    with time_machine.travel(NOW, tick=False):
        yield TODAY


def test_facts_count_as_attendance_counting_counts(world, today):
    hand_worked_case(world)
    context = school_context(world.school_a, TODAY)
    assert context is not None
    facts = build_facts(context, [world.child_a.pk, world.classmate_a.pk])
    for student in (world.child_a, world.classmate_a):
        outcomes = lesson_outcomes(world.school_a, [student.pk], context.year_start, TODAY)
        by_day = summarise_by_day(outcomes[student.pk])
        fact = facts[student.pk]
        assert fact.unexcused_hours == {d: c.hours_unexcused for d, c in by_day.items()
                                        if c.hours_unexcused}
        assert fact.lessons == {d: c.lessons for d, c in by_day.items() if c.lessons}
        assert {d: v for d, v in fact.present.items() if v != fact.lessons.get(d)} == {
            d: c.present for d, c in by_day.items() if c.present != c.lessons}
        assert fact.late == {d: c.late for d, c in by_day.items() if c.late}
    assert facts[world.child_a.pk].unexcused_hours[D(2026, 11, 5)] == 3  # 25 min late counts


def test_facts_in_clock_hours(world, today):
    world.school_a.hour_unit = HourUnit.KLOKUUR
    world.school_a.save()
    hand_worked_case(world)
    context = school_context(world.school_a, TODAY)
    assert context is not None
    fact = build_facts(context, [world.child_a.pk])[world.child_a.pk]
    lesson_minutes = (dt.datetime.combine(TODAY, f.DEFAULT_GRID[0][2])
                      - dt.datetime.combine(TODAY, f.DEFAULT_GRID[0][1])).seconds / 60
    assert fact.unexcused_hours[D(2026, 11, 2)] == pytest.approx(4 * lesson_minutes / 60)


def test_facts_build_in_a_fixed_number_of_queries(world, today, django_assert_max_num_queries):
    hand_worked_case(world)
    context = school_context(world.school_a, TODAY)
    assert context is not None
    with django_assert_max_num_queries(5):
        build_facts(context, None)


def test_a_sweep_fires_the_due_steps_once_with_their_actions(world, today):
    hand_worked_case(world)
    result = sweep(now=NOW)
    sam = world.child_a
    fired = sorted(Firing.objects.filter(student=sam).values_list("step_key", flat=True))
    assert fired == ["duo-16", "hours-6", "hours-9"]
    assert Firing.objects.get(student=sam, step_key="hours-6").window_start == D(2026, 11, 5)
    assert result.fired == 3
    # hours-9 opened a case; duo-16 escalated it to level 2.
    (case,) = Case.objects.filter(student=sam)
    assert case.level == 2
    # hours-6 fired before there was a case; the steps after it belong to the case.
    assert dict(Firing.objects.filter(student=sam).values_list("step_key", "case")) == {
        "hours-6": None, "hours-9": case.pk, "duo-16": case.pk}
    # Tasks for the responsible roles, linked to the case and the firing.
    tasks = {(t.kind, t.role) for t in Task.objects.filter(student=sam)}
    assert ("plan_conversation", "mentor") in tasks
    assert ("duo_report", "attendance_officer") in tasks
    assert all(t.case_id == case.pk for t in Task.objects.filter(student=sam)
               if t.firing is not None and t.firing.step_key != "hours-6")
    # The DUO report is proposed with the legal rule's dates.
    (dossier,) = DuoDossier.objects.filter(student=sam)
    assert (dossier.kind, dossier.start_date, dossier.end_date) == (
        DuoKind.FIRST, D(2026, 11, 2), D(2026, 11, 9))
    assert dossier.due_on == D(2026, 11, 16)
    # Noor is only sick: nothing fires for her (sickness never counts as unexcused).
    assert not Firing.objects.filter(student=world.classmate_a).exists()

    again = sweep(now=NOW)
    assert again.fired == 0 and again.skipped == 3
    assert Firing.objects.filter(student=sam).count() == 3
    assert Task.objects.filter(student=sam).count() == len(tasks)
    assert DuoDossier.objects.filter(student=sam).count() == 1


def test_a_dry_run_changes_nothing(world, today):
    hand_worked_case(world)
    result = sweep(now=NOW, dry_run=True)
    assert result.fired == 3
    assert not Firing.objects.exists() and not Task.objects.exists()


def test_when_the_task_and_the_sweep_race_the_second_firing_does_nothing(world, today):
    hand_worked_case(world)
    context = school_context(world.school_a, TODAY)
    assert context is not None
    facts = build_facts(context, [world.child_a.pk])[world.child_a.pk]
    version = version_in_force(world.school_a)
    steps = {s.key: s for s in steps_of(version)}
    (signal,) = [s for s in engine.evaluate(steps.values(), facts, TODAY)
                 if s.step_key == "hours-9"]
    first = fire(signal, steps["hours-9"], version, world.child_a, today=TODAY, now=NOW)
    tasks = Task.objects.count()
    second = fire(signal, steps["hours-9"], version, world.child_a, today=TODAY, now=NOW)
    assert first is not None and second is None
    assert Task.objects.count() == tasks
    assert Firing.objects.count() == 1


def test_a_step_with_a_cooldown_does_not_fire_again_within_it(world, today):
    from aanwezig.protocol.services import save_protocol_version

    hand_worked_case(world)
    version = version_in_force(world.school_a)
    steps = [dict(s) for s in version.steps]
    for step in steps:
        if step["key"] == "hours-9":
            step["cooldown_days"] = 30
    save_protocol_version(world.school_a, steps, actor=None, note="cooldown", now=NOW)
    sweep(now=NOW)
    assert Firing.objects.filter(step_key="hours-9").count() == 1
    # Three weeks later a new window reaches 9 hours again: still within 30 days.
    later = TODAY + dt.timedelta(days=7)
    for day in (D(2026, 11, 19), D(2026, 11, 20), D(2026, 11, 23)):
        from aanwezig.protocol.tests.test_duo_reports_command import UNEXCUSED, register_day
        register_day(world, day, {world.child_a.pk: [UNEXCUSED, UNEXCUSED, UNEXCUSED, None]})
    with time_machine.travel(dt.datetime(2026, 11, 25, 7, tzinfo=dt.UTC), tick=False):
        result = reevaluate(world.school_a, [world.child_a.pk], today=later)
    assert Firing.objects.filter(step_key="hours-9").count() == 1
    assert result.skipped >= 1


def test_saving_a_register_re_evaluates_its_students_after_commit(world, settings, client,
                                                                    today,
                                                                    django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ensure_protocol(world.school_a)
    hand_worked_case(world)
    # The history is there, but nothing ran yet. Today's register adds two absent lessons.
    assert not Firing.objects.exists()
    lesson = world.lesson_a
    with django_capture_on_commit_callbacks(execute=True):
        record_register(lesson, actor=world.teacher_a, entries=[
            MarkInput(student_id=world.child_a.pk, status="absent")])
    assert set(Firing.objects.filter(student=world.child_a).values_list("step_key", flat=True)
               ) == {"hours-6", "hours-9", "duo-16"}
    assert not Firing.objects.filter(student=world.classmate_a).exists()


def test_protocol_signals_prints_the_due_steps_as_json(world, today):
    hand_worked_case(world)
    out = StringIO()
    call_command("protocol_signals", "--school", "11AA", "--date", "2026-11-18", "--json",
                 stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["student_key"], r["step"]) for r in rows] == [
        (world.child_a.school_key, key) for key in ("hours-6", "hours-9", "duo-16")]
    duo = rows[2]
    assert duo["window_start"] == "2026-11-02" and duo["reached_on"] == "2026-11-09"
    assert duo["figures"]["hours"] == 16 and duo["figures"]["due_date"] == "2026-11-16"
    assert duo["fired"] is False and duo["protocol_version"] == 1
    # As of 4 Nov only the 6-hour step was due.
    out = StringIO()
    call_command("protocol_signals", "--school", "11AA", "--date", "2026-11-04", "--json",
                 stdout=out)
    assert [r["step"] for r in json.loads(out.getvalue())] == ["hours-6"]


def test_run_protocol_command_reports_what_it_did(world, today):
    hand_worked_case(world)
    out = StringIO()
    call_command("run_protocol", "--date", "2026-11-18", stdout=out)
    assert "3 uitgevoerd" in out.getvalue()
    out = StringIO()
    call_command("run_protocol", "--date", "2026-11-18", stdout=out)
    assert "0 uitgevoerd, 3 al gedaan" in out.getvalue()
    assert timezone.now() == NOW


def test_task_titles_name_the_student_in_full(world, today):
    world.child_a.prefix = "van"
    world.child_a.save()
    hand_worked_case(world)
    sweep(now=NOW)
    titles = list(Task.objects.filter(student=world.child_a).values_list("title", flat=True))
    assert titles and all(title.endswith("Sam van Jansen") for title in titles)
