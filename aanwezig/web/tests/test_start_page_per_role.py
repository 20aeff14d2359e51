"""The start page shows one section per role the user has, with only what that role may see."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aanwezig.attendance.models import Registration
from aanwezig.roster.models import LessonStatus
from aanwezig.schools.models import Role, StaffRole
from aanwezig.testing import factories as f
from conftest import TODAY


def start(client):
    response = client.get(reverse("start"))
    assert response.status_code == 200
    return response


def kinds(response):
    return [s.kind for s in response.context["sections"]]


def test_start_page_requires_a_login(client, db):
    response = client.get(reverse("start"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))


def test_start_page_has_a_heading_with_the_users_name(as_user, world):
    body = start(as_user(world.teacher_a)).content.decode()
    assert re.search(r"<h1>[^<]*Dirk Docent[^<]*</h1>", body)
    assert world.teacher_a.display_name() == "Dirk Docent"


def test_teacher_sees_their_groups_and_todays_lessons(as_user, world):
    response = start(as_user(world.teacher_a))
    assert kinds(response) == ["teacher"]
    data = response.context["sections"][0].data
    assert [g.name for g in data["groups"]] == ["1A"]
    assert data["lessons"] == [world.lesson_a]
    body = response.content.decode()
    assert reverse("lesson", args=[world.school_a.pk, world.lesson_a.pk]) in body


def test_cancelled_lesson_is_struck_through(as_user, world):
    f.make_lesson(world.a1, world.teacher_a, TODAY, period=world.grid_a[0], subject="Wiskunde",
                  status=LessonStatus.CANCELLED)
    body = start(as_user(world.teacher_a)).content.decode()
    assert re.search(r"<s>\s*Wiskunde\s*</s>", body)
    assert re.search(r"<s>\s*Nederlands\s*</s>", body) is None


def test_mentor_sees_mentees_with_group_and_link(as_user, world):
    response = start(as_user(world.mentor_a))
    assert kinds(response) == ["teacher", "mentor"]
    mentor = response.context["sections"][1]
    assert [s.full_name for s in mentor.data["students"]] == ["Daan Visser"]
    body = response.content.decode()
    assert reverse("student", args=[world.school_a.pk, world.other_a.pk]) in body
    assert "2B" in body


def test_attendance_officer_sees_school_figures_with_registers_taken(as_user, world):
    Registration.objects.create(
        school=world.school_a, lesson=world.lesson_a, taken_by=world.teacher_a,
        taken_at=dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC),
        updated_at=dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC),
    )
    response = start(as_user(world.officer_a))
    assert kinds(response) == ["school"]
    assert response.context["sections"][0].data == {
        "students": 3, "groups": 2, "lessons": 2, "cancelled": 0, "registered": 1,
    }


def test_administrator_sees_set_up_and_a_link_to_the_admin(as_user, world):
    response = start(as_user(world.admin_a))
    assert kinds(response) == ["admin"]
    data = response.context["sections"][0].data
    assert data["current_year"] == world.year_a
    assert data["periods"] == 20
    assert reverse("admin:index") in response.content.decode()


def test_user_with_several_roles_gets_a_section_for_each(as_user, world):
    for role in (Role.ATTENDANCE_OFFICER, Role.ADMINISTRATOR):
        StaffRole.objects.create(school=world.school_a, user=world.mentor_a, role=role)
    assert kinds(start(as_user(world.mentor_a))) == ["teacher", "mentor", "school", "admin"]


def test_parent_sees_their_child_with_school_group_and_link(as_user, world):
    response = start(as_user(world.parent_user))
    assert kinds(response) == ["parent"]
    body = response.content.decode()
    assert "Sam Jansen" in body and "Het Testcollege" in body and "1A" in body
    assert reverse("child", args=[world.child_a.pk]) in body
    assert "Noor" not in body


def test_parent_of_an_adult_without_consent_sees_no_child(as_user, world):
    response = start(as_user(world.adult_parent_user))
    assert kinds(response) == []
    assert "Yusuf" not in response.content.decode()


def test_adult_student_sees_own_group_mentor_and_lessons(as_user, world):
    mentor = f.make_staff(world.school_c, Role.MENTOR, first_name="Carla", last_name="Coach")
    f.add_mentor(world.c1, mentor)
    response = start(as_user(world.adult_user))
    assert kinds(response) == ["student"]
    data = response.context["sections"][0].data
    assert [g.name for g in data["groups"]] == ["ZORG-2"]
    assert data["lessons"] == [world.lesson_c]
    assert "Carla Coach" in response.content.decode()


def test_external_partner_sees_their_schools_and_no_students(as_user, world):
    from aanwezig.schools.models import ExternalPartner, PartnerKind

    user = f.make_user("lpa@example.test", first_name="Lara", last_name="Leerplicht")
    partner = ExternalPartner.objects.create(
        board=world.board, kind=PartnerKind.LEERPLICHT, name="Lara Leerplicht",
        organisation="Gemeente Test", user=user,
    )
    partner.schools.add(world.school_a)
    response = start(as_user(user))
    assert kinds(response) == ["partner"]
    body = response.content.decode()
    assert "Het Testcollege" in body
    assert not any(name in body for name in ("Sam", "Noor", "Daan"))


def test_user_without_any_link_is_told_to_contact_the_school(as_user, world):
    response = start(as_user(f.make_user("nobody@example.test")))
    assert kinds(response) == []
    assert response.context["sections"] == []


def _grow(world, n):
    """Add ``n`` students and lessons that every section of the start page would show."""
    for i in range(n):
        f.make_student(world.school_a, world.a2)
        f.make_lesson(world.a2, world.mentor_a, TODAY, start_time=dt.time(12, 10 + i),
                      end_time=dt.time(13, 0))
        f.make_lesson(world.a1, world.teacher_a, TODAY, start_time=dt.time(13, 10 + i),
                      end_time=dt.time(14, 0))
        child = f.make_student(world.school_a, world.a1)
        f.link_guardian(child, world.parent)


@pytest.mark.parametrize("persona", ["mentor_a", "officer_a", "admin_a", "parent_user"])
def test_start_page_queries_do_not_grow_with_lessons_and_students(
    persona, world, client, django_assert_max_num_queries
):
    user = getattr(world, persona)
    if persona == "mentor_a":
        for role in (Role.ATTENDANCE_OFFICER, Role.ADMINISTRATOR):
            StaffRole.objects.create(school=world.school_a, user=user, role=role)
    client.force_login(user)
    with CaptureQueriesContext(connection) as baseline:
        start(client)
    _grow(world, 12)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = start(client)
    # The page really shows the new rows (or counts them), so the bound means something.
    sections = {s.kind: s.data for s in response.context["sections"]}
    if persona == "mentor_a":
        assert len(sections["teacher"]["lessons"]) == 13
        assert len(sections["mentor"]["students"]) == 13
        assert sections["school"]["students"] == 27
    elif persona == "parent_user":
        assert len(sections["parent"]["links"]) == 13
    else:
        figures = sections.get("school") or sections["admin"]["figures"]
        assert figures["lessons"] == 26
