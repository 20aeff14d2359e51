"""The demo board shows every step of the default protocols around the demo's today.

A small demo is seeded once for the module; the protocol engine (``build_facts`` and
``engine.evaluate``, exactly what a ``run_protocol`` sweep on that day evaluates) must find
every default step of each sector due for at least one student. When a step stops firing
(a changed default, a changed seed, a changed rule), this test says which.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.db import transaction

from aanwezig.attendance.models import AbsenceReport, Mark, ReasonCategory
from aanwezig.demo import protocol_students
from aanwezig.demo.seed import seed_demo
from aanwezig.protocol import engine
from aanwezig.protocol.defaults import default_steps
from aanwezig.protocol.facts import build_facts, school_context
from aanwezig.protocol.models import ProtocolVersion
from aanwezig.protocol.vocabulary import parse_steps
from aanwezig.schools.models import School

TODAY = dt.date(2026, 11, 18)
STUDENTS = 150


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        summary = seed_demo(STUDENTS, 11, TODAY)
        yield summary
        transaction.set_rollback(True)


def due_steps(school: School, today: dt.date) -> dict[str, set[int]]:
    """Step key -> students for whom a sweep on ``today`` finds the step due."""
    context = school_context(school, today)
    assert context is not None
    steps = parse_steps(default_steps(school.sector))
    due: dict[str, set[int]] = defaultdict(set)
    for facts in build_facts(context, None, only_with_absence=True).values():
        for signal in engine.evaluate(steps, facts, today):
            due[signal.step_key].add(signal.student_id)
    return due


@pytest.mark.django_db
@pytest.mark.parametrize("sector", ["po", "vo", "mbo"])
def test_every_default_step_fires_for_a_demo_student_of_each_sector(demo, sector):
    school = School.objects.filter(sector=sector).order_by("pk").first()
    assert school is not None
    due = due_steps(school, TODAY)
    expected = {step["key"] for step in default_steps(sector)}
    missing = sorted(expected - set(due))
    assert not missing, f"{school.name}: no demo student reaches {missing}"


@pytest.mark.django_db
def test_each_scripted_student_shows_their_step(demo):
    """docs/demo-data.md promises which student shows which step; the seed says who they are."""
    assert len(demo.protocol_demo) == demo.protocol_students
    due = {school.pk: due_steps(school, TODAY) for school in School.objects.all()}
    for school_id, step, student_id in demo.protocol_demo:
        assert student_id in due[school_id].get(step, set()), (school_id, step)


@pytest.mark.django_db
def test_the_sick_steps_come_from_real_sick_reports(demo):
    reports = AbsenceReport.objects.filter(reason__category=ReasonCategory.SICK, withdrawn=False)
    # Per school: four one-day reports (mazl-reports) and one of seven school days (mazl-days).
    assert reports.count() == 5 * School.objects.count()
    # Their lessons carry the report's locked marks, as a report saved by the desk leaves them.
    assert Mark.objects.filter(report__in=reports, reason__code="ziek").exists()
    assert not Mark.objects.filter(report__in=reports).exclude(source="report").exists()


@pytest.mark.django_db
def test_every_school_has_its_default_protocol_from_the_start_of_the_year(demo):
    for school in School.objects.all():
        version = ProtocolVersion.objects.get(school=school)
        assert version.number == 1 and version.steps == default_steps(school.sector)
        assert version.created_at.date() <= dt.date(2026, 9, 1)
    assert demo.protocol_students == sum(
        len(protocol_students.scenarios_for(s.sector)) for s in School.objects.all())
