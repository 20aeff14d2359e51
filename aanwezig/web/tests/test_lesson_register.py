"""The lesson register: everyone present by default, one request saves it, with or without htmx."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aanwezig.attendance import services
from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.models import Mark, MarkStatus, Registration
from aanwezig.testing import factories as f
from conftest import TODAY


@pytest.fixture
def reasons(world):
    return create_default_absence_reasons(world.school_a)


def hhmm():
    """The local time as the confirmation shows it."""
    return timezone.localtime().strftime("%H:%M")


def lesson_url(world, lesson=None):
    return reverse("lesson", args=[world.school_a.pk, (lesson or world.lesson_a).pk])


def test_register_lists_every_student_present_by_default(as_user, world, reasons):
    response = as_user(world.teacher_a).get(lesson_url(world))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.student.full_name for r in rows] == ["Noor Bakker", "Sam Jansen"]
    body = response.content.decode()
    for student in (world.child_a, world.classmate_a):
        assert f'id="s-{student.pk}-present" value="present" checked' in body
    assert response.context["may_record"] is True
    assert "Ziek" in body  # a reason the teacher may set


def test_saving_with_one_absent_creates_exactly_that_mark(as_user, world, reasons):
    client = as_user(world.teacher_a)
    response = client.post(lesson_url(world), {
        f"s-{world.child_a.pk}": "absent",
        f"s-{world.classmate_a.pk}": "present",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == lesson_url(world)
    marks = list(Mark.objects.filter(lesson=world.lesson_a))
    assert [(m.student, m.status, m.reason) for m in marks] == [
        (world.child_a, MarkStatus.ABSENT, None)]
    assert Registration.objects.filter(lesson=world.lesson_a).exists()
    page = client.get(lesson_url(world)).content.decode()
    assert f"Opgeslagen om {hhmm()} — 1 aanwezig, 1 afwezig" in page


def test_without_javascript_the_form_posts_and_redirects_with_a_message(as_user, world, reasons):
    client = as_user(world.teacher_a)
    response = client.post(lesson_url(world), {f"s-{world.classmate_a.pk}": "late",
                                               f"m-{world.classmate_a.pk}": "7"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        f"Opgeslagen om {hhmm()} — 1 aanwezig, 1 te laat"]
    mark = Mark.objects.get(lesson=world.lesson_a)
    assert (mark.student, mark.status, mark.minutes_late) == (world.classmate_a, "late", 7)


def test_htmx_post_saves_and_returns_only_the_register_partial(as_user, world, reasons):
    client = as_user(world.teacher_a)
    response = client.post(lesson_url(world), {f"s-{world.child_a.pk}": "absent",
                                               f"r-{world.child_a.pk}": "ziek"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="register"')
    assert "<html" not in body
    assert f"Opgeslagen om {hhmm()} — 1 aanwezig, 1 afwezig" in body
    mark = Mark.objects.get(lesson=world.lesson_a)
    assert (mark.student, mark.status, getattr(mark.reason, "code", None)) == (world.child_a, "absent", "ziek")


def test_a_reason_the_teacher_may_not_set_is_refused(as_user, world, reasons):
    response = as_user(world.teacher_a).post(lesson_url(world), {
        f"s-{world.child_a.pk}": "absent", f"r-{world.child_a.pk}": "verlof"})
    assert response.status_code == 400
    assert not Mark.objects.exists()


def test_a_locked_mark_is_shown_locked_and_a_teachers_change_is_ignored(as_user, world, reasons):
    services.create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                                   actor=world.officer_a)
    client = as_user(world.teacher_a)
    response = client.get(lesson_url(world))
    row = next(r for r in response.context["rows"] if r.student == world.child_a)
    assert row.locked
    body = response.content.decode()
    assert f'name="s-{world.child_a.pk}"' not in body
    assert "register-locked" in body and "Ziek" in body
    assert "al bekend bij school" in body

    client.post(lesson_url(world), {f"s-{world.child_a.pk}": "present"})
    mark = Mark.objects.get(lesson=world.lesson_a, student=world.child_a)
    assert mark.report is not None and getattr(mark.reason, "code", None) == "ziek"


def test_a_correction_is_marked_changed_and_its_history_shown_to_the_officer_only(
    as_user, world, reasons, client
):
    client.force_login(world.teacher_a)
    client.post(lesson_url(world), {f"s-{world.child_a.pk}": "absent"})
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 30)), tick=False):
        client.post(lesson_url(world), {f"s-{world.child_a.pk}": "present"})
        teacher_page = client.get(lesson_url(world))
        client.force_login(world.officer_a)
        officer_page = client.get(lesson_url(world))
    assert world.child_a.pk in teacher_page.context["corrected"]
    assert teacher_page.context["history"] is None
    assert "Changes to this register" not in teacher_page.content.decode()
    assert "Wijzigingen in deze registratie" not in teacher_page.content.decode()
    history = officer_page.context["history"]
    assert len(history) == 2
    body = officer_page.content.decode()
    assert "Wijzigingen in deze registratie" in body
    assert "Dirk Docent" in body


def test_a_teacher_who_only_sees_the_lesson_cannot_save_it(as_user, world, reasons):
    # mentor_a teaches 2B; a colleague's 2B lesson is visible but not theirs to save ...
    colleague = f.make_staff(world.school_a, "teacher")
    lesson = f.make_lesson(world.a2, colleague, TODAY, start_time=dt.time(13), end_time=dt.time(14))
    teacher = f.make_staff(world.school_a, "teacher")
    f.make_entry(world.a2, world.grid_a[5], teacher)
    client = as_user(teacher)
    response = client.get(lesson_url(world, lesson))
    assert response.status_code == 200 and response.context["may_record"] is False
    assert client.post(lesson_url(world, lesson), {}).status_code == 403
    # ... while the group's mentor may.
    assert as_user(world.mentor_a).post(lesson_url(world, lesson), {}).status_code == 302


def test_the_start_page_shows_register_state_and_a_reminder(as_user, world, reasons):
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(11, 0)), tick=False):
        response = as_user(world.teacher_a).get(reverse("start"))
    body = response.content.decode()
    assert "Mijn lessen vandaag" in body
    assert "registratie invullen" in body
    section = next(s for s in response.context["sections"] if s.kind == "teacher")
    assert section.data["missing"] == [world.lesson_a]
    services.record_register(world.lesson_a, actor=world.teacher_a, entries=[])
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(11, 0)), tick=False):
        response = as_user(world.teacher_a).get(reverse("start"))
    section = next(s for s in response.context["sections"] if s.kind == "teacher")
    assert section.data["missing"] == []
    assert "registratie ingevuld" in response.content.decode()


def test_register_page_queries_do_not_grow_with_the_class(as_user, world, reasons):
    client = as_user(world.teacher_a)
    with CaptureQueriesContext(connection) as small:
        assert client.get(lesson_url(world)).status_code == 200
    for i in range(15):
        student = f.make_student(world.school_a, world.a1, given_name=f"Extra{i}")
        if i % 3 == 0:
            services.create_absence_report(student, reason_code="ziek", start_date=TODAY,
                                           actor=world.officer_a)
    services.record_register(world.lesson_a, actor=world.teacher_a, entries=[
        services.MarkInput(world.child_a.pk, status="absent")])
    with CaptureQueriesContext(connection) as large:
        assert client.get(lesson_url(world)).status_code == 200
    assert len(large) <= len(small) + 1  # + the history query once there is a register
