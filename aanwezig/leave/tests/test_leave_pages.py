"""The leave pages: the parent's form, list, decision and letter in the portal; the school's
list, decision, forwarding, statement download and letter. Who may open what.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aanwezig.attendance.models import Mark
from aanwezig.audit.models import AuditEvent
from aanwezig.leave import services
from aanwezig.leave.models import LeaveKind, LeaveRequest, LeaveStatus
from aanwezig.leave.tests.conftest import PDF, pdf_file
from aanwezig.testing import factories as f

pytestmark = pytest.mark.usefixtures("morning")

D = dt.date


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def sams_request(world, **kw):
    values: dict[str, Any] = {"kind": LeaveKind.IMPORTANT_14, "start_date": D(2026, 11, 23),
              "end_date": D(2026, 11, 25), "reason": "De bruiloft van mijn zus."}
    values.update(kw)
    return services.submit_leave_request(world.child_a, guardian=world.parent,
                                         actor=world.parent_user, **values).leave


def portal_url(world, name="portal_leave", leave=None):
    args = [world.child_a.pk] + ([leave.pk] if leave is not None else [])
    return reverse(name, args=args)


def school_url(world, name, leave=None, school=None):
    args = [(school or world.school_a).pk] + ([leave.pk] if leave is not None else [])
    return reverse(name, args=args)


# --- the portal -------------------------------------------------------------------------------------

def test_the_leave_link_takes_a_parent_of_one_child_straight_to_the_child(world, client):
    client.force_login(world.parent_user)
    response = client.get(reverse("portal_leave_home"))
    assert response.status_code == 302
    assert response.headers["Location"] == portal_url(world)


def test_a_parent_of_two_children_chooses_the_child(world, client):
    sister = f.make_student(world.school_c, world.c1, given_name="Fleur", last_name="Jansen")
    f.link_guardian(sister, world.parent)
    client.force_login(world.parent_user)
    response = client.get(reverse("portal_leave_home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("portal_leave", args=[sister.pk]) in body
    assert portal_url(world) in body


@pytest.mark.parametrize("persona", ["teacher_a", "officer_a", "adult_user"])
def test_the_leave_link_is_only_for_parents(world, client, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("portal_leave_home")).status_code == 404


def test_the_parent_sees_the_form_and_the_rules_in_short(world, client):
    client.force_login(world.parent_user)
    response = client.get(portal_url(world))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in body
    assert 'name="statement"' in body
    assert 'value="holiday_13a"' in body and 'value="important_14"' in body
    assert "art. 13a" in body and "art. 14" in body


def test_the_parent_sends_a_request_with_a_statement_and_sees_it(world, client):
    client.force_login(world.parent_user)
    response = client.post(portal_url(world), {
        "kind": "holiday_13a", "start_date": "2027-02-01", "end_date": "2027-02-05",
        "reason": "Ik werk in de horeca.", "statement": pdf_file(),
    })
    leave = LeaveRequest.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == portal_url(world, "portal_leave_request", leave)
    assert (leave.kind, leave.school_days, leave.statement_type) == (
        "holiday_13a", 5, "application/pdf")
    page = client.get(response.headers["Location"]).content.decode()
    assert "waiting for a decision" in page or "wacht op een besluit" in page
    assert "verklaring.pdf" in page
    assert portal_url(world, "portal_leave_withdraw", leave) in page


def test_a_late_holiday_request_is_sent_with_a_warning(world, client):
    client.force_login(world.parent_user)
    response = client.post(portal_url(world), {
        "kind": "holiday_13a", "start_date": "2026-12-07", "end_date": "2026-12-09",
        "reason": "Ik werk in de horeca.", "statement": pdf_file(),
    }, follow=True)
    assert LeaveRequest.objects.count() == 1
    assert "message-warning" in response.content.decode()


def test_a_refused_request_comes_back_with_the_reason_next_to_the_field(world, client):
    client.force_login(world.parent_user)
    fake = SimpleUploadedFile("verklaring.pdf", b"<html>not a pdf</html>",
                              content_type="application/pdf")
    response = client.post(portal_url(world), {
        "kind": "holiday_13a", "start_date": "2027-02-01", "end_date": "2027-02-16",
        "reason": "Ik werk in de horeca.", "statement": fake,
    })
    body = response.content.decode()
    assert response.status_code == 400
    assert not LeaveRequest.objects.exists()
    assert 'id="id_statement-errors"' in body and 'id="id_end_date-errors"' in body
    assert 'aria-invalid="true"' in body
    assert "12" in body  # "you ask for 12" school days


def test_the_list_shows_another_parents_request_without_its_details(world, client):
    other_parent = f.make_guardian(world.board, given_name="Karel", last_name="Jansen",
                                   user=f.make_user("karel@example.test"))
    f.link_guardian(world.child_a, other_parent)
    theirs = services.submit_leave_request(
        world.child_a, guardian=other_parent, kind=LeaveKind.IMPORTANT_14,
        start_date=D(2026, 12, 1), end_date=D(2026, 12, 1), reason="Geheim: verhuizing.",
        actor=other_parent.user).leave
    client.force_login(world.parent_user)
    body = client.get(portal_url(world)).content.decode()
    assert "1 december 2026" in body or "1 December 2026" in body
    assert "Geheim" not in body
    assert portal_url(world, "portal_leave_request", theirs) not in body
    assert client.get(portal_url(world, "portal_leave_request", theirs)).status_code == 404
    assert client.get(portal_url(world, "portal_leave_letter", theirs)).status_code == 404


def test_the_parent_withdraws_an_open_request(world, client):
    leave = sams_request(world)
    client.force_login(world.parent_user)
    response = client.post(portal_url(world, "portal_leave_withdraw", leave))
    assert response.status_code == 302
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveStatus.WITHDRAWN


def test_the_parent_reads_the_decision_and_opens_the_letter(world, client, reasons, leader):
    leave = sams_request(world)
    client.force_login(world.parent_user)
    assert client.get(portal_url(world, "portal_leave_letter", leave)).status_code == 404
    services.decide_leave_request(leave, approve=False,
                                  decision_text="Twee dagen zijn genoeg voor een bruiloft.",
                                  actor=leader)
    page = client.get(portal_url(world, "portal_leave_request", leave)).content.decode()
    assert "Twee dagen zijn genoeg voor een bruiloft." in page
    assert portal_url(world, "portal_leave_letter", leave) in page
    assert "6" in page and "bezwaar" in page
    response = client.get(portal_url(world, "portal_leave_letter", leave))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Twee dagen zijn genoeg voor een bruiloft." in text
    assert "bezwaar" in text
    assert "Het Testcollege" in text and "Sam Jansen" in text


@pytest.mark.parametrize("persona", ["adult_parent_user", "teacher_a", "officer_a", "adult_user"])
def test_nobody_but_the_childs_parent_opens_the_childs_leave_pages(world, client, persona,
                                                                  reasons, leader):
    leave = sams_request(world)
    services.decide_leave_request(leave, approve=True, decision_text="", actor=leader)
    client.force_login(getattr(world, persona))
    assert client.get(portal_url(world)).status_code == 404
    for name in ("portal_leave_request", "portal_leave_letter"):
        assert client.get(portal_url(world, name, leave)).status_code == 404
    assert client.post(portal_url(world, "portal_leave_withdraw", leave)).status_code == 404


def test_a_parent_cannot_reach_a_request_through_another_child(world, client):
    leave = sams_request(world)
    client.force_login(world.parent_user)
    wrong = reverse("portal_leave_request", args=[world.classmate_a.pk, leave.pk])
    assert client.get(wrong).status_code == 404


# --- the school -----------------------------------------------------------------------------------

def test_the_school_wide_roles_see_the_list_and_others_get_404(world, client, leader):
    sams_request(world)
    for user in (leader, world.officer_a, world.admin_a):
        client.force_login(user)
        response = client.get(school_url(world, "leave_requests"))
        assert response.status_code == 200
        assert "Sam Jansen" in response.content.decode()
    for user in (world.teacher_a, world.mentor_a, world.teacher_b, world.parent_user):
        client.force_login(user)
        assert client.get(school_url(world, "leave_requests")).status_code == 404


def test_the_list_filters_on_one_student(world, client):
    sams_request(world)
    client.force_login(world.officer_a)
    url = school_url(world, "leave_requests") + f"?leerling={world.classmate_a.pk}"
    assert "Sam Jansen" not in client.get(url).content.decode()


def test_the_school_leader_approves_and_the_register_shows_it_locked(world, client, reasons,
                                                                     leader):
    lesson = f.make_lesson(world.a1, world.teacher_a, D(2026, 11, 23), period=world.grid_a[0])
    leave = sams_request(world)
    client.force_login(leader)
    page = client.get(school_url(world, "leave_request", leave)).content.decode()
    assert school_url(world, "leave_decide", leave) in page
    assert school_url(world, "leave_forward", leave) not in page
    assert AuditEvent.objects.filter(action="read", student=world.child_a, actor=leader,
                                     object_type="leave_request").exists()
    response = client.post(school_url(world, "leave_decide", leave),
                           {"outcome": "approve", "decision_text": ""})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    mark = Mark.objects.get(student=world.child_a, lesson=lesson)
    assert mark.report_id == leave.absence_report_id
    client.force_login(world.teacher_a)
    register = client.get(reverse("lesson", args=[world.school_a.pk, lesson.pk])).content.decode()
    assert f'register-locked" id="student-{world.child_a.pk}"' in register


def test_a_refusal_without_a_reason_is_refused_and_nothing_changes(world, client, reasons,
                                                                   leader):
    leave = sams_request(world)
    client.force_login(leader)
    response = client.post(school_url(world, "leave_decide", leave),
                           {"outcome": "refuse", "decision_text": ""}, follow=True)
    assert "message-error" in response.content.decode()
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveStatus.SUBMITTED


def test_more_than_ten_days_are_forwarded_then_the_leerplicht_decision_recorded(world, client,
                                                                              reasons):
    leave = sams_request(world, end_date=D(2026, 12, 8))
    client.force_login(world.officer_a)
    page = client.get(school_url(world, "leave_request", leave)).content.decode()
    assert school_url(world, "leave_forward", leave) in page
    assert school_url(world, "leave_decide", leave) not in page
    client.post(school_url(world, "leave_forward", leave))
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveStatus.FORWARDED
    client.post(school_url(world, "leave_decide", leave),
                {"outcome": "refuse", "decision_text": "Niet akkoord."})
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by_kind) == (LeaveStatus.REFUSED, "leerplicht")
    text = pdf_text(client.get(school_url(world, "leave_letter", leave)).content)
    assert "leerplichtambtenaar" in text and "Niet akkoord." in text


def test_the_statement_is_downloaded_only_through_the_gatekept_view(world, client):
    leave = sams_request(world, kind=LeaveKind.HOLIDAY_13A, start_date=D(2027, 2, 1),
                         end_date=D(2027, 2, 5), statement=pdf_file())
    client.force_login(world.officer_a)
    response = client.get(school_url(world, "leave_statement", leave))
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="read", object_type="leave_statement").exists()
    for user in (world.teacher_a, world.mentor_a, world.parent_user):
        client.force_login(user)
        assert client.get(school_url(world, "leave_statement", leave)).status_code == 404
    client.force_login(world.teacher_b)
    assert client.get(school_url(world, "leave_statement", leave,
                                 school=world.school_b)).status_code == 404


def test_another_schools_staff_never_reach_a_request(world, client):
    leave = sams_request(world)
    officer_b = f.make_staff(world.school_b, "attendance_officer")
    client.force_login(officer_b)
    for name in ("leave_request", "leave_letter", "leave_statement"):
        assert client.get(school_url(world, name, leave, school=world.school_b)).status_code == 404
    assert client.post(school_url(world, "leave_decide", leave, school=world.school_b),
                       {"outcome": "approve"}).status_code == 404
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveStatus.SUBMITTED


def test_the_school_and_student_pages_link_to_the_leave_requests(world, client):
    client.force_login(world.officer_a)
    assert school_url(world, "leave_requests") in client.get(
        reverse("school", args=[world.school_a.pk])).content.decode()
    student_page = client.get(reverse("student", args=[world.school_a.pk, world.child_a.pk]))
    assert f'{school_url(world, "leave_requests")}?leerling={world.child_a.pk}' in \
        student_page.content.decode()
    client.force_login(world.teacher_a)
    assert school_url(world, "leave_requests") not in client.get(
        reverse("school", args=[world.school_a.pk])).content.decode()
