"""School pages: overview, groups, group, student, lesson, calendar; and the parent's child page."""

import datetime as dt

from django.urls import reverse

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.models import Membership
from aanwezig.schools.models import DayOff, DayOffKind
from aanwezig.testing import factories as f
from conftest import TODAY


def get(client, name, *args, status=200, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == status
    return response


# --- overview and groups ---------------------------------------------------------------------


def test_school_overview_lists_todays_lessons_the_user_may_see(as_user, world):
    response = get(as_user(world.teacher_a), "school", world.school_a.pk)
    assert list(response.context["page"].object_list) == [world.lesson_a]
    assert response.context["figures"] is None


def test_school_overview_shows_figures_to_school_wide_roles(as_user, world):
    response = get(as_user(world.officer_a), "school", world.school_a.pk)
    assert response.context["figures"]["students"] == 3
    assert len(response.context["page"].object_list) == 2


def test_groups_list_has_only_visible_groups_with_member_counts(as_user, world):
    response = get(as_user(world.teacher_a), "groups", world.school_a.pk)
    assert [(g.name, g.member_count) for g in response.context["page"].object_list] == [("1A", 2)]


def test_groups_list_is_paginated(as_user, world):
    for i in range(55):
        f.make_group(world.school_a, world.year_a, f"X{i:02d}")
    response = get(as_user(world.officer_a), "groups", world.school_a.pk)
    assert len(response.context["page"].object_list) == 50
    assert get(as_user(world.officer_a), "groups", world.school_a.pk, page=2).context[
        "page"].object_list


# --- group -----------------------------------------------------------------------------------


def test_group_page_shows_members_mentors_and_timetable(as_user, world):
    response = get(as_user(world.officer_a), "group", world.school_a.pk, world.a2.pk)
    assert [s.full_name for s in response.context["members"]] == ["Daan Visser"]
    assert response.context["mentors"] == [world.mentor_a]
    assert [e.subject for e in response.context["timetable"]] == ["Nederlands"]
    body = response.content.decode()
    assert "Mira Mentor" in body
    assert reverse("student", args=[world.school_a.pk, world.other_a.pk]) in body


def test_group_page_shows_the_members_on_the_chosen_date(as_user, world):
    newcomer = f.make_student(world.school_a, world.a1, given_name="Nina", last_name="Nieuw",
                              member_from=TODAY + dt.timedelta(days=7))
    client = as_user(world.teacher_a)
    today = get(client, "group", world.school_a.pk, world.a1.pk)
    later = get(client, "group", world.school_a.pk, world.a1.pk,
                datum=(TODAY + dt.timedelta(days=7)).isoformat())
    assert newcomer not in today.context["members"]
    assert newcomer in later.context["members"]


def test_group_page_ignores_an_invalid_date(as_user, world):
    response = get(as_user(world.teacher_a), "group", world.school_a.pk, world.a1.pk,
                   datum="not-a-date")
    assert response.context["day"] == TODAY


# --- student ---------------------------------------------------------------------------------


def test_student_page_shows_group_age_and_guardian_contact(as_user, world):
    response = get(as_user(world.teacher_a), "student", world.school_a.pk, world.child_a.pk)
    body = response.content.decode()
    assert "Sam Jansen" in body
    assert "1A" in body
    assert response.context["age"] == 14
    assert "Petra Jansen" in body
    assert "06 12345678" in body  # shown the Dutch way, stored as +31612345678


def test_reading_a_student_page_writes_an_audit_row(as_user, world):
    get(as_user(world.teacher_a), "student", world.school_a.pk, world.child_a.pk)
    event = AuditEvent.objects.get(action="read", student=world.child_a)
    assert event.actor == world.teacher_a


def test_identifiers_only_for_attendance_officer_and_administrator(as_user, world):
    world.child_a.bsn = "111222333"
    world.child_a.save()
    assert "111222333" not in get(as_user(world.teacher_a), "student", world.school_a.pk,
                                  world.child_a.pk).content.decode()
    assert "111222333" in get(as_user(world.officer_a), "student", world.school_a.pk,
                              world.child_a.pk).content.decode()


def test_adult_student_page_shows_consent_per_guardian(as_user, world):
    officer_c = f.make_staff(world.school_c, "attendance_officer")
    link = world.adult.guardian_links.get()
    response = get(as_user(officer_c), "student", world.school_c.pk, world.adult.pk)
    assert response.context["is_adult"]
    body = response.content.decode()
    assert 'class="tag status-neutral"' in body
    assert 'class="tag status-present"' not in body
    link.adult_consent_view = True
    link.save()
    body = get(as_user(officer_c), "student", world.school_c.pk, world.adult.pk).content.decode()
    assert 'class="tag status-present"' in body


def test_minor_student_page_has_no_consent_column(as_user, world):
    response = get(as_user(world.officer_a), "student", world.school_a.pk, world.child_a.pk)
    assert not response.context["is_adult"]
    assert "status-present" not in response.content.decode()


# --- lesson ----------------------------------------------------------------------------------


def test_lesson_page_lists_the_members_on_the_lesson_date(as_user, world):
    Membership.objects.filter(student=world.classmate_a).update(end_date=TODAY - dt.timedelta(days=1))
    response = get(as_user(world.teacher_a), "lesson", world.school_a.pk, world.lesson_a.pk)
    assert [s.full_name for s in response.context["members"]] == ["Sam Jansen"]
    assert "Noor" not in response.content.decode()


def test_substitute_teacher_sees_the_lesson_but_no_student_links(as_user, world):
    substitute = f.make_staff(world.school_a, "teacher")
    lesson = f.make_lesson(world.a2, substitute, TODAY, start_time=dt.time(14), end_time=dt.time(15))
    response = get(as_user(substitute), "lesson", world.school_a.pk, lesson.pk)
    assert [s.full_name for s in response.context["members"]] == ["Daan Visser"]
    assert response.context["openable"] == set()
    assert reverse("student", args=[world.school_a.pk, world.other_a.pk]) not in (
        response.content.decode())


# --- calendar --------------------------------------------------------------------------------


def test_calendar_counts_school_weeks_and_skips_holiday_weeks(as_user, world):
    # Summer holiday through 16 August; an autumn holiday week in October.
    DayOff.objects.create(school=world.school_a, school_year=world.year_a, kind=DayOffKind.HOLIDAY,
                          name="Zomervakantie", start_date=dt.date(2026, 8, 1),
                          end_date=dt.date(2026, 8, 16))
    DayOff.objects.create(school=world.school_a, school_year=world.year_a, kind=DayOffKind.HOLIDAY,
                          name="Herfstvakantie", start_date=dt.date(2026, 10, 17),
                          end_date=dt.date(2026, 10, 25))
    DayOff.objects.create(school=world.school_a, school_year=world.year_a,
                          kind=DayOffKind.STUDY_DAY, name="Studiedag",
                          start_date=dt.date(2026, 11, 18), end_date=dt.date(2026, 11, 18))
    response = get(as_user(world.teacher_a), "calendar", world.school_a.pk)
    weeks = {w.monday: w for w in response.context["weeks"]}
    assert weeks[dt.date(2026, 8, 10)].number is None  # summer
    assert weeks[dt.date(2026, 8, 17)].number == 1
    assert weeks[dt.date(2026, 10, 19)].number is None  # autumn holiday
    assert weeks[dt.date(2026, 10, 26)].number == weeks[dt.date(2026, 10, 12)].number + 1
    assert weeks[dt.date(2026, 11, 16)].school_days == 4  # the study day
    assert response.context["school_week_count"] == max(w.number or 0 for w in weeks.values())
    body = response.content.decode()
    assert "Herfstvakantie" in body and "Studiedag" in body


def test_calendar_links_to_the_admin_for_administrators_only(as_user, world):
    admin_url = reverse("admin:index")
    assert admin_url in get(as_user(world.admin_a), "calendar", world.school_a.pk).content.decode()
    assert admin_url not in get(as_user(world.teacher_a), "calendar",
                                world.school_a.pk).content.decode()


# --- the parent's child page -----------------------------------------------------------------


def test_the_old_child_address_leads_to_the_portal(as_user, world):
    """/kind/<id>/ became the portal's child page (tested in aanwezig/portal/tests)."""
    client = as_user(world.parent_user)
    response = get(client, "child", world.child_a.pk, status=302)
    assert response.headers["Location"] == reverse("portal_child", args=[world.child_a.pk])
    get(client, "child", world.classmate_a.pk, status=404)


def test_the_old_address_of_an_adult_child_follows_consent(as_user, world):
    client = as_user(world.adult_parent_user)
    get(client, "child", world.adult.pk, status=404)
    world.adult.guardian_links.update(adult_consent_view=True)
    get(client, "child", world.adult.pk, status=302)
