"""The portal's home ``/portaal/``: a parent's children with one calm line of presence each
(children at several schools of the board together), a student on to their own page, and
the usual 404 for everyone else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from aanwezig.portal.tests.test_child_pages import MON, TUE, UNEXCUSED, as_parent, sams_week
from aanwezig.protocol.tests.test_duo_reports_command import register_day
from aanwezig.testing import factories as f
from conftest import TODAY


@pytest.fixture(autouse=True)
def _on_today():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False):
        yield


def home(client, status: int = 200):
    response = client.get(reverse("portal_home"))
    assert response.status_code == status
    return response


def test_parent_sees_each_child_with_one_calm_line_of_presence(client, world):
    sams_week(world)
    response = home(as_parent(client, world.parent_user))
    body = response.content.decode()
    assert "Sam was there for <strong>50%</strong> of the lessons this school year." in body
    assert reverse("portal_child", args=[world.child_a.pk]) in body
    assert reverse("portal_contacts", args=[world.child_a.pk]) in body
    assert "Het Testcollege" in body and "1A" in body
    assert "Noor" not in body


def test_children_at_several_schools_of_the_board_appear_together(client, world):
    mees = f.make_student(world.school_c, world.c1, given_name="Mees", last_name="Jansen")
    f.link_guardian(mees, world.parent)
    sams_week(world, {MON: [None] * 4})
    response = home(as_parent(client, world.parent_user))
    lines = response.context["children"]
    assert [line.student.given_name for line in lines] == ["Mees", "Sam"]
    assert [line.percent for line in lines] == [None, 100.0]
    body = response.content.decode()
    assert "Test mbo" in body and "ZORG-2" in body
    assert "No registered lessons yet this school year." in body


def test_parent_of_an_adult_without_consent_sees_a_calm_empty_page(client, world):
    body = home(as_parent(client, world.adult_parent_user)).content.decode()
    assert "Yusuf" not in body
    assert "There are no children to show here yet." in body
    world.adult.guardian_links.update(adult_consent_view=True)
    assert "Yusuf Demir" in home(client).content.decode()


def test_student_goes_on_to_their_own_page(client, world):
    client.force_login(world.adult_user)
    try:
        target = reverse("portal_student")
    except NoReverseMatch:  # the student's own portal is not there yet: the overview here
        response = home(client)
        assert response.context["overview"].student == world.adult
        return
    response = home(client, status=302)
    assert response.headers["Location"] == target


def test_student_overview_fallback_speaks_to_the_student(client, world, monkeypatch):
    """Without the student's own portal the home shows the overview, in the student's words."""
    from aanwezig.portal import views_child

    def no_student_page(name, *args, **kwargs):
        if name == "portal_student":
            raise NoReverseMatch(name)
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr(views_child, "reverse", no_student_page)
    register_day(world, MON, {})  # no lessons for Yusuf's group: nothing counted
    client = as_parent(client, world.adult_user)
    response = home(client)
    assert response.context["overview"].student == world.adult
    body = response.content.decode()
    assert "Yusuf Demir" in body and "gets in touch" in body and "phones you" not in body


@pytest.mark.parametrize("persona", ["teacher_a", "mentor_a", "officer_a", "admin_a",
                                     "teacher_b"])
def test_staff_get_404(client, world, persona):
    client.force_login(getattr(world, persona))
    home(client, status=404)


def test_staff_member_who_is_also_a_parent_sees_their_child(client, world):
    world.parent.user = None
    world.parent.save()
    world.parent.user = world.teacher_a
    world.parent.save()
    body = home(as_parent(client, world.teacher_a)).content.decode()
    assert "Sam Jansen" in body


def test_anonymous_goes_to_login(client, world):
    response = home(client, status=302)
    assert response.headers["Location"].startswith(reverse("login"))


def test_home_queries_do_not_grow_with_children_of_one_school(client, world):
    client = as_parent(client, world.parent_user)
    sams_week(world, {MON: [UNEXCUSED, None, None, None]})
    home(client)
    with CaptureQueriesContext(connection) as one_child:
        home(client)
    for name in ("Fenna", "Gijs", "Hidde"):
        child = f.make_student(world.school_a, world.a1, given_name=name, last_name="Jansen")
        f.link_guardian(child, world.parent)
    register_day(world, TUE, {world.child_a.pk: [UNEXCUSED] * 4})
    with CaptureQueriesContext(connection) as four_children:
        response = home(client)
    assert len(response.context["children"]) == 4
    assert len(four_children) == len(one_child)


def test_the_administrator_chooses_per_lesson_in_the_admin(world, client):
    """The school's choice (per day or per lesson) is made in the set-up admin, audited."""
    from aanwezig.audit.models import AuditEvent
    from aanwezig.portal.models import PortalSettings

    client.force_login(world.admin_a)
    response = client.post(reverse("admin:portal_portalsettings_add"), {
        "school": world.school_a.pk, "parents_see": "lesson", "desk_hours": "08:00–16:30",
        "worries": "",
    })
    assert response.status_code == 302
    saved = PortalSettings.objects.get(school=world.school_a)
    assert saved.parents_see == "lesson"
    assert AuditEvent.objects.filter(action="create", actor=world.admin_a,
                                     object_id=str(saved.pk)).exists()
    client.force_login(world.teacher_a)
    assert client.get(reverse("admin:portal_portalsettings_changelist")).status_code != 200
