"""The case and task pages: forms that work without JavaScript, the start page's tasks with
overdue ones marked in words, and query counts that stay flat."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aanwezig.protocol import cases
from aanwezig.protocol.models import Agreement, Case, Conversation, Task
from aanwezig.protocol.tests.test_cases_fixtures import make_firing
from aanwezig.schools.models import Role
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")

YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def sams_case(world):
    return cases.open_or_escalate_case(world.child_a, title="Sam mist maandagen",
                                       role=Role.ATTENDANCE_OFFICER)


def url(name, world, *args):
    return reverse(name, args=[world.school_a.pk, *args])


def officer(client, world):
    client.force_login(world.officer_a)
    return client


def test_the_case_list_puts_open_cases_first_and_marks_overdue_work(world, client, sams_case):
    closed = cases.open_or_escalate_case(world.other_a, title="Oud dossier", role=Role.MENTOR)
    closed.status = "closed"
    closed.save()
    cases.add_agreement(sams_case, text="Op tijd", party="student", review_on=TODAY,
                        actor=world.officer_a)
    Agreement.objects.update(review_on=YESTERDAY)
    cases.create_task(world.school_a, kind="phone_parents", role=Role.ATTENDANCE_OFFICER,
                      title="Bel", case=sams_case, due_on=YESTERDAY)

    response = officer(client, world).get(url("cases", world))

    listed = list(response.context["page"].object_list)
    assert listed == [sams_case, closed]
    assert (listed[0].overdue_reviews, listed[0].overdue_tasks) == (1, 1)
    row = response.content.decode().split(f'id="case-{sams_case.pk}"')[1].split("</tr>")[0]
    assert row.count("⚠") == 2


def test_a_conversation_is_recorded_from_the_form(world, client, sams_case):
    response = officer(client, world).post(url("case_conversation", world, sams_case.pk), {
        "held_on": TODAY.isoformat(), "kind": "parents", "participants": "Moeder van Sam",
        "school_view": "Zorgen", "parents_view": "Hij is moe", "student_view": "",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#conversations")
    talk = Conversation.objects.get()
    assert "Sam" in talk.attendance
    page = client.get(url("case", world, sams_case.pk)).content.decode()
    assert "Hij is moe" in page and talk.attendance in page


def test_a_form_with_errors_shows_the_case_again(world, client, sams_case):
    response = officer(client, world).post(url("case_conversation", world, sams_case.pk), {
        "held_on": (TODAY + dt.timedelta(days=3)).isoformat(), "kind": "mol", "participants": "x",
    })
    assert response.status_code == 400
    assert "held_on" in response.context["conversation_form"].errors
    assert not Conversation.objects.exists()


def test_an_agreement_is_made_and_reviewed(world, client, sams_case):
    client = officer(client, world)
    response = client.post(url("case_agreement", world, sams_case.pk), {
        "text": "Sam is om 8.30 uur in de klas", "party": "student",
        "review_on": TODAY.isoformat()})
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    prefix = f"review-{agreement.pk}"
    bad = client.post(url("case_review", world, sams_case.pk, agreement.pk),
                      {f"{prefix}-status": "changed", f"{prefix}-note": ""})
    assert bad.status_code == 400
    assert "note" in bad.context["review_form"].errors
    htmx_bad = client.post(url("case_review", world, sams_case.pk, agreement.pk),
                           {f"{prefix}-status": "changed"}, HTTP_HX_REQUEST="true")
    assert htmx_bad.status_code == 200  # htmx swaps only successful answers
    good = client.post(url("case_review", world, sams_case.pk, agreement.pk),
                       {f"{prefix}-status": "kept", f"{prefix}-note": "Elke dag"})
    assert good.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "kept"


def test_a_review_of_another_cases_agreement_is_a_404(world, client, sams_case):
    other = cases.open_or_escalate_case(world.other_a, title="Daan", role=Role.MENTOR)
    agreement = cases.add_agreement(other, text="x", party="student", review_on=TODAY,
                                    actor=world.officer_a)
    response = officer(client, world).post(
        url("case_review", world, sams_case.pk, agreement.pk),
        {f"review-{agreement.pk}-status": "kept"})
    assert response.status_code == 404


def test_closing_is_refused_while_an_agreement_runs_then_works(world, client, sams_case):
    agreement = cases.add_agreement(sams_case, text="Op tijd", party="student", review_on=TODAY,
                                    actor=world.officer_a)
    client = officer(client, world)
    form = client.get(url("case_close", world, sams_case.pk))
    assert form.status_code == 200 and "Op tijd" in form.content.decode()
    data = {"outcome": "improved", "evaluation": "Het gaat beter.", "evaluation_parents": "",
            "evaluation_student": "Ik ben er weer."}
    refused = client.post(url("case_close", world, sams_case.pk), data)
    assert refused.status_code == 400
    assert refused.context["form"].non_field_errors()
    cases.review_agreement(agreement, status="kept", actor=world.officer_a)
    closed = client.post(url("case_close", world, sams_case.pk), data)
    assert closed.status_code == 302
    sams_case.refresh_from_db()
    assert (sams_case.status, sams_case.evaluation_student) == ("closed", "Ik ben er weer.")
    page = client.get(url("case", world, sams_case.pk)).content.decode()
    assert "Het gaat beter." in page
    assert f'action="{url("case_note", world, sams_case.pk)}"' not in page


def test_a_mentor_opens_a_case_from_the_students_page(world, client):
    client.force_login(world.mentor_a)
    student_page = client.get(reverse("student", args=[world.school_a.pk, world.other_a.pk]))
    assert url("student_cases", world, world.other_a.pk) in student_page.content.decode()
    response = client.post(url("student_cases", world, world.other_a.pk),
                           {"title": "Vaak te laat", "role": "mentor"})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == url("case", world, case.pk)
    assert case.opened_by == world.mentor_a
    again = client.get(url("student_cases", world, world.other_a.pk))
    assert again.context["open_case"] == case


def test_the_teacher_sees_no_case_link_and_gets_a_404(world, client):
    client.force_login(world.teacher_a)
    page = client.get(reverse("student", args=[world.school_a.pk, world.child_a.pk]))
    assert url("student_cases", world, world.child_a.pk) not in page.content.decode()
    assert client.get(url("student_cases", world, world.child_a.pk)).status_code == 404


# --- tasks -------------------------------------------------------------------------------------------

def make_tasks(world, case, n, *, due=TODAY):
    firing = make_firing(case.student, case=case, step_key=f"step-{Task.objects.count()}")
    return [
        cases.create_task(world.school_a, kind="phone_parents", role=Role.ATTENDANCE_OFFICER,
                          title=f"Bel de ouders ({i})", case=case, firing=firing, due_on=due)
        for i in range(n)
    ]


def tasks_section(body: str) -> str:
    return body.split('class="start-section start-tasks"')[1].split("</section>")[0]


def test_the_start_page_lists_my_open_tasks_and_marks_overdue_ones_in_words(world, client,
                                                                           sams_case):
    overdue, = make_tasks(world, sams_case, 1, due=YESTERDAY)
    soon, = make_tasks(world, sams_case, 1, due=TODAY + dt.timedelta(days=3))
    body = officer(client, world).get(reverse("start")).content.decode()
    section = tasks_section(body)
    overdue_item = section.split(f'id="task-{overdue.pk}"')[1].split("</li>")[0]
    soon_item = section.split(f'id="task-{soon.pk}"')[1].split("</li>")[0]
    assert "⚠" in overdue_item and "task-overdue" in section.split(f'id="task-{overdue.pk}"')[0][-80:]
    assert "⚠" not in soon_item
    assert url("case", world, sams_case.pk) in overdue_item
    assert f'action="{url("task_done", world, overdue.pk)}"' in overdue_item
    # Overdue first: the list is by due date.
    assert section.index(f"task-{overdue.pk}") < section.index(f"task-{soon.pk}")


def test_the_done_button_on_the_start_page_comes_back_to_the_start_page(world, client, sams_case):
    task, = make_tasks(world, sams_case, 1)
    response = officer(client, world).post(url("task_done", world, task.pk),
                                           {"note": "Moeder gesproken", "next": reverse("start")})
    assert response.status_code == 302 and response.headers["Location"] == reverse("start")
    task.refresh_from_db()
    assert (task.status, task.done_note) == ("done", "Moeder gesproken")
    body = client.get(reverse("start")).content.decode()
    assert f"task-{task.pk}" not in body
    assert "start-tasks" not in body  # no open tasks: no section


def test_the_tasks_section_is_there_only_with_open_tasks(world, client, sams_case):
    client = officer(client, world)
    assert "start-tasks" not in client.get(reverse("start")).content.decode()
    make_tasks(world, sams_case, 1)
    assert "start-tasks" in client.get(reverse("start")).content.decode()


def test_done_refuses_a_foreign_next_address(world, client, sams_case):
    task, = make_tasks(world, sams_case, 1)
    response = officer(client, world).post(url("task_done", world, task.pk),
                                           {"next": "https://evil.example/"})
    assert response.headers["Location"] == url("case", world, sams_case.pk)


def test_a_teacher_has_no_tasks_section(world, client):
    client.force_login(world.teacher_a)
    assert "start-tasks" not in client.get(reverse("start")).content.decode()


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_start_page_takes_as_many_queries_for_one_task_as_for_many(world, client, sams_case):
    client = officer(client, world)
    make_tasks(world, sams_case, 1)
    one = count_queries(client, reverse("start"))
    other = cases.open_or_escalate_case(world.other_a, title="Daan", role=Role.MENTOR)
    make_tasks(world, sams_case, 4)
    make_tasks(world, other, 3, due=YESTERDAY)
    assert count_queries(client, reverse("start")) == one


def test_the_case_page_takes_as_many_queries_for_a_full_case(world, client, sams_case):
    client = officer(client, world)
    make_tasks(world, sams_case, 1)
    empty = count_queries(client, url("case", world, sams_case.pk))
    for i in range(4):
        cases.add_agreement(sams_case, text=f"Afspraak {i}", party="student", review_on=TODAY,
                            actor=world.officer_a)
        cases.add_conversation(sams_case, held_on=TODAY, kind="mol", participants=f"P{i}",
                               actor=world.officer_a)
        cases.add_note(sams_case, text=f"Notitie {i}", actor=world.officer_a)
    make_tasks(world, sams_case, 4)
    assert count_queries(client, url("case", world, sams_case.pk)) == empty


def test_the_task_list_filters_mine_overdue_and_done(world, client, sams_case):
    late, = make_tasks(world, sams_case, 1, due=YESTERDAY)
    later, = make_tasks(world, sams_case, 1, due=TODAY + dt.timedelta(days=5))
    client = officer(client, world)

    def listed(which):
        response = client.get(url("tasks", world) + f"?filter={which}")
        return list(response.context["page"].object_list)

    assert listed("mine") == [late, later]
    assert listed("overdue") == [late]
    cases.complete_task(later, actor=world.officer_a)
    assert listed("done") == [later]
    assert listed("nonsense") == [late]


def test_cancel_is_for_school_wide_roles(world, client):
    case = cases.open_or_escalate_case(world.other_a, title="Daan", role=Role.MENTOR)
    task = cases.create_task(world.school_a, kind="phone_parents", role=Role.MENTOR,
                             title="Bel", case=case)
    client.force_login(world.mentor_a)
    assert client.post(url("task_cancel", world, task.pk)).status_code == 404
    client.force_login(world.officer_a)
    assert client.post(url("task_cancel", world, task.pk)).status_code == 302
    assert Task.objects.get(pk=task.pk).status == "cancelled"
