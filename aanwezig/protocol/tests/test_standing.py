"""Where do we stand: per student, presence first, then per ladder of the protocol the
current figure, the steps reached this school year and the next step.

Calendar help: TODAY is Wed 18 Nov 2026; the school year started on 1 Aug 2026. Sam Jansen
misses 4 + 2 lessons of 1A without a valid reason on Mon 16 and Tue 17 Nov (6 hours).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from aanwezig.audit.models import AuditEvent
from aanwezig.protocol import queries, services
from aanwezig.protocol.defaults import default_steps
from aanwezig.protocol.models import Firing
from aanwezig.protocol.tests.test_protocol_pages import hours
from conftest import TODAY

D = dt.date


@pytest.fixture(autouse=True)
def _on_today():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False):
        yield


def fire(world: Any, student: Any, key: str, title: str, start: dt.date, end: dt.date,
         explanation: str) -> Firing:
    version = services.version_in_force(world.school_a)
    return Firing.objects.create(
        school=world.school_a, student=student, step_key=key, step_title=title,
        window_start=start, window_end=end, figures={}, explanation=explanation,
        version=version, fired_at=timezone.now())


def default(key: str) -> dict[str, Any]:
    return next(step for step in default_steps("vo") if step["key"] == key)


@pytest.fixture
def sam_with_six_hours(world):
    hours(world, {world.child_a.pk: (4, 2)})
    fire(world, world.child_a, "hours-6", "6 uur ongeoorloofd in 4 weken", D(2026, 11, 16),
         D(2026, 11, 17), "6 lesuren ongeoorloofd afwezig binnen 4 schoolweken")
    return world.child_a


def ladder(standing: queries.Standing, trigger: str) -> queries.LadderStanding:
    return next(item for item in standing.ladders if item.trigger == trigger)


def test_presence_comes_first(world, sam_with_six_hours):
    standing = queries.student_standing(sam_with_six_hours, TODAY)
    assert (standing.lessons, standing.present, standing.percent) == (8, 2, 25.0)


def test_a_fired_step_is_reached_and_the_next_step_follows(world, sam_with_six_hours):
    standing = queries.student_standing(sam_with_six_hours, TODAY)
    hours_ladder = ladder(standing, "unexcused_hours")
    assert [(r.title, r.day, r.fired) for r in hours_ladder.reached] == [
        ("6 uur ongeoorloofd in 4 weken", D(2026, 11, 17), True)]
    assert hours_ladder.reached[0].explanation.startswith("6 lesuren")
    assert hours_ladder.next_step is not None
    assert hours_ladder.next_step.key == "hours-9"
    assert hours_ladder.next_step.text == default("hours-9")["texts"]["nl"]
    assert hours_ladder.threshold == 9
    late = ladder(standing, "times_late")
    assert late.reached == [] and late.next_step is not None and late.next_step.key == "late-3"


def test_a_step_due_today_that_has_not_fired_yet_counts_as_reached(world):
    hours(world, {world.classmate_a.pk: (4, 2)})
    standing = queries.student_standing(world.classmate_a, TODAY)
    hours_ladder = ladder(standing, "unexcused_hours")
    assert [(r.title, r.fired) for r in hours_ladder.reached] == [
        ("6 uur ongeoorloofd in 4 weken", False)]
    assert hours_ladder.next_step is not None and hours_ladder.next_step.key == "hours-9"


def test_only_this_school_years_firings_and_removed_steps_apart(world, sam_with_six_hours):
    fire(world, sam_with_six_hours, "hours-6", "6 uur ongeoorloofd in 4 weken", D(2026, 5, 4),
         D(2026, 5, 12), "vorig schooljaar")
    fire(world, sam_with_six_hours, "old-step", "Een oude stap", D(2026, 9, 7), D(2026, 9, 8),
         "een stap die niet meer bestaat")
    standing = queries.student_standing(sam_with_six_hours, TODAY)
    assert len(ladder(standing, "unexcused_hours").reached) == 1
    assert [(r.title, r.day) for r in standing.earlier] == [("Een oude stap", D(2026, 9, 8))]


def test_the_standing_keeps_its_queries_flat(world, sam_with_six_hours,
                                             django_assert_max_num_queries):
    services.ensure_protocol(world.school_a)
    # Calendar (4), protocol and version (3), facts (5), firings (1): none per ladder or step.
    with django_assert_max_num_queries(13):
        queries.student_standing(sam_with_six_hours, TODAY)


def test_the_page_shows_presence_reached_steps_and_the_next_step(world, client,
                                                                 sam_with_six_hours):
    client.force_login(world.teacher_a)
    url = reverse("student_standing", args=[world.school_a.pk, sam_with_six_hours.pk])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "25%" in body
    assert body.index("25%") < body.index("6 uur ongeoorloofd in 4 weken")
    assert "6 lesuren ongeoorloofd afwezig binnen 4 schoolweken" in body
    assert "9 uur ongeoorloofd in 4 weken" in body
    assert escape(default("hours-9")["texts"]["nl"]) in body
    assert AuditEvent.objects.filter(action="read", object_type="protocol_standing",
                                     student=sam_with_six_hours).count() == 1


def test_the_student_page_links_to_the_standing(world, client):
    client.force_login(world.teacher_a)
    body = client.get(reverse("student", args=[world.school_a.pk, world.child_a.pk])) \
        .content.decode()
    assert reverse("student_standing", args=[world.school_a.pk, world.child_a.pk]) in body


def test_staff_who_may_not_see_the_student_get_404(world, client):
    client.force_login(world.mentor_a)  # mentor of 2B; Sam is in 1A
    url = reverse("student_standing", args=[world.school_a.pk, world.child_a.pk])
    assert client.get(url).status_code == 404
