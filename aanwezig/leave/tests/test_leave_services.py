"""Submitting, withdrawing, forwarding and deciding leave requests (``leave.services``).

Sam (child_a, group 1A at school A) is the child of Petra (parent_user). Today is Wed 18 Nov
2026; the school year has no holidays entered, so every weekday is a school day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from aanwezig.attendance.models import AbsenceReport, Mark, ReportSource
from aanwezig.attendance.services import create_absence_report
from aanwezig.audit.models import AuditEvent
from aanwezig.leave import services
from aanwezig.leave.letters import EVENT
from aanwezig.leave.models import DecidedBy, LeaveKind, LeaveRequest, LeaveStatus
from aanwezig.leave.tests.conftest import JPEG, pdf_file
from aanwezig.notifications.models import Message
from aanwezig.protocol.facts import build_facts, school_context
from aanwezig.testing import factories as f
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("morning")

D = dt.date
MON, WED = D(2026, 11, 23), D(2026, 11, 25)


def submit(world, kind=LeaveKind.IMPORTANT_14, start=MON, end=WED,
           reason="De bruiloft van mijn zus in Utrecht.", statement=None, actor=None):
    return services.submit_leave_request(
        world.child_a, guardian=world.parent, kind=kind, start_date=start, end_date=end,
        reason=reason, statement=statement, actor=actor or world.parent_user)


def codes(exc: ValidationError) -> set[str]:
    return {str(error.code) for errors in exc.error_dict.values() for error in errors}


# --- submitting ---------------------------------------------------------------------------------

def test_a_parent_submits_leave_for_important_circumstances(world):
    submission = submit(world)
    leave = submission.leave
    assert leave.status == LeaveStatus.SUBMITTED
    assert (leave.school, leave.student, leave.requested_by) == (world.school_a, world.child_a,
                                                                 world.parent)
    assert leave.school_days == 3
    assert submission.notes == []
    assert AuditEvent.objects.filter(action="create", object_type="leave.LeaveRequest",
                                     object_id=str(leave.pk)).exists()


def test_holiday_leave_stores_the_statement_under_the_leave_folder_by_its_content(world,
                                                                                leave_files):
    upload = SimpleUploadedFile("Verklaring werkgever.JPG", JPEG, content_type="image/jpeg")
    leave = submit(world, LeaveKind.HOLIDAY_13A, D(2027, 2, 1), D(2027, 2, 5),
                   reason="Ik werk in de horeca.", statement=upload).leave
    path = services.statement_path(leave)
    assert path.parent.parent == leave_files
    assert path.read_bytes() == JPEG
    assert path.suffix == ".jpg"
    assert "Verklaring" not in path.name  # a random name, never the parent's
    assert (leave.statement_type, leave.statement_name) == ("image/jpeg",
                                                            "Verklaring werkgever.JPG")


def test_holiday_leave_less_than_eight_weeks_ahead_is_saved_with_a_warning(world):
    submission = submit(world, LeaveKind.HOLIDAY_13A, D(2026, 12, 7), D(2026, 12, 9),
                        statement=pdf_file())
    assert submission.leave.pk
    assert [code for code, _text in submission.notes] == ["short_notice"]


def test_a_refused_request_saves_nothing_not_even_the_file(world, leave_files):
    with pytest.raises(ValidationError) as caught:
        submit(world, LeaveKind.HOLIDAY_13A, D(2027, 2, 1), D(2027, 2, 16),
               statement=pdf_file())
    assert codes(caught.value) == {"too_many_days"}
    assert not LeaveRequest.objects.exists()
    assert not leave_files.exists() or not any(leave_files.rglob("*.*"))


def test_a_file_that_is_not_a_pdf_or_image_is_refused_by_its_content(world, leave_files):
    fake = SimpleUploadedFile("verklaring.pdf", b"MZ\x90\x00 not a pdf at all",
                              content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        submit(world, LeaveKind.HOLIDAY_13A, D(2027, 2, 1), D(2027, 2, 5), statement=fake)
    assert codes(caught.value) == {"file_type"}
    assert not LeaveRequest.objects.exists()
    assert not leave_files.exists() or not any(leave_files.rglob("*.*"))


def test_a_file_larger_than_five_megabytes_is_refused(world):
    big = SimpleUploadedFile("verklaring.pdf", b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024),
                             content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        submit(world, statement=big)
    assert codes(caught.value) == {"file_too_large"}
    assert not LeaveRequest.objects.exists()


def test_holiday_leave_is_given_once_per_school_year(world):
    submit(world, LeaveKind.HOLIDAY_13A, D(2027, 2, 1), D(2027, 2, 5), statement=pdf_file())
    with pytest.raises(ValidationError) as caught:
        submit(world, LeaveKind.HOLIDAY_13A, D(2027, 5, 3), D(2027, 5, 7), statement=pdf_file())
    assert codes(caught.value) == {"once_per_year"}


def test_a_withdrawn_holiday_request_does_not_use_up_the_year(world):
    first = submit(world, LeaveKind.HOLIDAY_13A, D(2027, 2, 1), D(2027, 2, 5),
                   statement=pdf_file()).leave
    services.withdraw_leave_request(first, actor=world.parent_user)
    second = submit(world, LeaveKind.HOLIDAY_13A, D(2027, 2, 1), D(2027, 2, 5),
                    statement=pdf_file()).leave
    assert second.status == LeaveStatus.SUBMITTED


def test_holiday_leave_in_the_first_two_school_weeks_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.submit_leave_request(
            world.child_a, guardian=world.parent, kind=LeaveKind.HOLIDAY_13A,
            start_date=D(2027, 8, 2), end_date=D(2027, 8, 6), reason="Werk.",
            statement=pdf_file(), actor=world.parent_user, today=D(2027, 5, 1))
    # 2027-2028 is not in the calendar of the test school: outside the school year.
    assert codes(caught.value) == {"outside_school_year"}
    f.make_school_year(world.school_a, 2027)
    with pytest.raises(ValidationError) as caught:
        services.submit_leave_request(
            world.child_a, guardian=world.parent, kind=LeaveKind.HOLIDAY_13A,
            start_date=D(2027, 8, 2), end_date=D(2027, 8, 6), reason="Werk.",
            statement=pdf_file(), actor=world.parent_user, today=D(2027, 5, 1))
    assert codes(caught.value) == {"first_school_weeks"}


def test_holidays_in_the_calendar_are_not_counted_as_school_days(world):
    from aanwezig.schools.models import DayOff, DayOffKind

    DayOff.objects.create(school=world.school_a, school_year=world.year_a, kind=DayOffKind.STUDY_DAY,
                          name="Studiedag", start_date=D(2026, 11, 24), end_date=D(2026, 11, 24))
    assert submit(world).leave.school_days == 2


def test_overlapping_requests_are_refused(world):
    submit(world)
    with pytest.raises(ValidationError) as caught:
        submit(world, start=D(2026, 11, 25), end=D(2026, 11, 27))
    assert codes(caught.value) == {"overlap"}
    assert LeaveRequest.objects.count() == 1


def test_only_the_parents_own_login_may_submit(world):
    with pytest.raises(PermissionDenied):
        submit(world, actor=world.adult_parent_user)
    with pytest.raises(PermissionDenied):
        submit(world, actor=world.officer_a)
    assert not LeaveRequest.objects.exists()


def test_a_parent_of_an_adult_without_consent_may_not_submit(world):
    with pytest.raises(PermissionDenied):
        services.submit_leave_request(
            world.adult, guardian=world.adult_parent, kind=LeaveKind.IMPORTANT_14,
            start_date=D(2026, 11, 23), end_date=D(2026, 11, 24), reason="Bruiloft",
            actor=world.adult_parent_user)


# --- withdrawing ----------------------------------------------------------------------------------

def test_the_parent_withdraws_an_open_request_but_not_a_decided_one(world, reasons, leader):
    leave = submit(world).leave
    services.withdraw_leave_request(leave, actor=world.parent_user)
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveStatus.WITHDRAWN
    other = submit(world).leave  # the withdrawn request no longer holds the days
    services.decide_leave_request(other, approve=True, decision_text="", actor=leader)
    with pytest.raises(ValidationError):
        services.withdraw_leave_request(other, actor=world.parent_user)


def test_someone_else_may_not_withdraw(world):
    leave = submit(world).leave
    with pytest.raises(PermissionDenied):
        services.withdraw_leave_request(leave, actor=world.officer_a)


# --- deciding ---------------------------------------------------------------------------------------

def test_approved_leave_fills_the_register_locked_with_the_schools_leave_reason(world, reasons,
                                                                               leader):
    lessons = [f.make_lesson(world.a1, world.teacher_a, day, period=world.grid_a[0])
               for day in (D(2026, 11, 23), D(2026, 11, 25), D(2026, 11, 26))]
    leave = submit(world).leave
    services.decide_leave_request(leave, approve=True, decision_text="Veel plezier.",
                                  actor=leader)
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by, leave.decided_by_kind) == (
        LeaveStatus.APPROVED, leader, DecidedBy.SCHOOL_HEAD)
    report = leave.absence_report
    assert report is not None
    assert (report.reason.code, report.reason.excused, report.reason.category) == (
        "verlof", True, "leave")
    assert (report.start_date, report.end_date) == (D(2026, 11, 23), D(2026, 11, 25))
    assert (report.source, report.guardian) == (ReportSource.OFFICE, world.parent)
    marks = Mark.objects.filter(student=world.child_a)
    assert {m.lesson_id for m in marks} == {lessons[0].pk, lessons[1].pk}
    assert all(m.report_id == report.pk for m in marks)  # locked for the teacher


def test_approved_holiday_leave_uses_the_holiday_leave_reason(world, reasons, leader):
    leave = submit(world, LeaveKind.HOLIDAY_13A, D(2027, 2, 1), D(2027, 2, 5),
                   statement=pdf_file()).leave
    services.decide_leave_request(leave, approve=True, decision_text="", actor=leader)
    leave.refresh_from_db()
    assert leave.absence_report.reason.code == "vakantieverlof"


def test_approval_conflicting_with_a_sick_report_changes_nothing(world, reasons, leader):
    leave = submit(world).leave
    create_absence_report(world.child_a, reason_code="ziek", start_date=D(2026, 11, 24),
                          end_date=D(2026, 11, 24), actor=world.officer_a)
    with pytest.raises(ValidationError):
        services.decide_leave_request(leave, approve=True, decision_text="", actor=leader)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.SUBMITTED
    assert AbsenceReport.objects.filter(reason__code="verlof").count() == 0
    assert not Message.objects.filter(event=EVENT).exists()


def test_a_refusal_needs_its_reason(world, reasons, leader):
    leave = submit(world).leave
    with pytest.raises(ValidationError) as caught:
        services.decide_leave_request(leave, approve=False, decision_text="  ", actor=leader)
    assert {e.code for e in caught.value.error_list} == {"reason_missing"}
    leave = services.decide_leave_request(leave, approve=False,
                                          decision_text="Een verjaardag is geen gewichtige "
                                                        "omstandigheid.", actor=leader)
    assert leave.status == LeaveStatus.REFUSED
    assert leave.absence_report is None
    assert not AbsenceReport.objects.filter(student=world.child_a).exists()


def test_a_decided_request_is_final(world, reasons, leader):
    leave = submit(world).leave
    services.decide_leave_request(leave, approve=False, decision_text="Nee.", actor=leader)
    with pytest.raises(ValidationError):
        services.decide_leave_request(leave, approve=True, decision_text="", actor=leader)


def test_only_school_wide_roles_decide(world, reasons):
    leave = submit(world).leave
    for who in (world.teacher_a, world.mentor_a, world.teacher_b, world.parent_user):
        with pytest.raises(PermissionDenied):
            services.decide_leave_request(leave, approve=True, decision_text="", actor=who)
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveStatus.SUBMITTED


def test_more_than_ten_days_are_forwarded_and_the_leerplicht_decision_recorded(world, reasons,
                                                                              leader):
    leave = submit(world, end=D(2026, 12, 8), reason="Ernstige ziekte van opa in Turkije.").leave
    assert leave.school_days == 12
    with pytest.raises(ValidationError) as caught:
        services.decide_leave_request(leave, approve=True, decision_text="", actor=leader)
    assert {e.code for e in caught.value.error_list} == {"leerplicht_decides"}
    services.forward_leave_request(leave, actor=world.officer_a)
    assert (leave.status, leave.forwarded_by) == (LeaveStatus.FORWARDED, world.officer_a)
    services.decide_leave_request(leave, approve=True, decision_text="Akkoord leerplicht.",
                                  actor=world.officer_a)
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by_kind) == (LeaveStatus.APPROVED, DecidedBy.LEERPLICHT)
    assert leave.absence_report is not None


def test_ten_days_or_fewer_are_not_forwarded(world):
    leave = submit(world).leave
    with pytest.raises(ValidationError) as caught:
        services.forward_leave_request(leave, actor=world.officer_a)
    assert caught.value.code == "school_head_decides"


def test_without_a_leave_reason_the_school_cannot_approve(world, leader):
    leave = submit(world).leave  # no absence reasons at all
    with pytest.raises(ValidationError) as caught:
        services.decide_leave_request(leave, approve=True, decision_text="", actor=leader)
    assert {e.code for e in caught.value.error_list} == {"no_leave_reason"}


# --- the message ------------------------------------------------------------------------------------

def test_the_decision_goes_to_the_parent_who_asked_in_their_language(world, reasons, leader):
    world.parent.language = "en"
    world.parent.save()
    other = f.make_guardian(world.board, given_name="Karel", last_name="Jansen",
                            email="karel@example.test")
    f.link_guardian(world.child_a, other)
    leave = submit(world).leave
    services.decide_leave_request(leave, approve=False, decision_text="A birthday is not an "
                                  "important circumstance.", actor=leader)
    message = Message.objects.get(event=EVENT)
    assert message.guardian == world.parent
    assert (message.language, message.urgent) == ("en", True)
    assert message.subject == "Decision on your leave request for Sam"
    assert "has not granted the leave" in message.body_text
    assert "A birthday is not an important circumstance." in message.body_text
    assert "within 6 weeks" in message.body_text
    assert "the head of Het Testcollege" in message.body_text
    assert "{" not in message.body_text
    # Deciding twice is refused, so there is one message per decision.
    assert Message.objects.filter(event=EVENT).count() == 1


def test_the_dutch_message_names_the_objection_route(world, reasons, leader):
    world.parent.email = "petra@example.test"
    world.parent.save()
    leave = submit(world).leave
    services.decide_leave_request(leave, approve=True, decision_text="", actor=leader)
    message = Message.objects.get(event=EVENT)
    assert message.language == "nl"
    assert message.subject == "Besluit over uw verlofaanvraag voor Sam"
    assert "De directeur heeft het verlof toegekend." in message.body_text
    assert "binnen 6 weken" in message.body_text and "bezwaar" in message.body_text
    assert "U hoeft Sam op deze dagen niet af te melden." in message.body_text


def test_a_leerplicht_decision_names_the_leerplichtambtenaar_to_object_to(world, reasons):
    leave = submit(world, end=D(2026, 12, 8)).leave
    services.forward_leave_request(leave, actor=world.officer_a)
    services.decide_leave_request(leave, approve=False, decision_text="Te lang.",
                                  actor=world.officer_a)
    body = Message.objects.get(event=EVENT).body_text
    assert "De leerplichtambtenaar heeft het verlof niet toegekend." in body
    assert "bezwaar maken bij de leerplichtambtenaar" in body


# --- the protocol ---------------------------------------------------------------------------------

def test_refused_leave_feeds_the_protocols_luxury_condition(world, reasons, leader):
    leave = services.submit_leave_request(
        world.child_a, guardian=world.parent, kind=LeaveKind.IMPORTANT_14,
        start_date=D(2026, 11, 9), end_date=D(2026, 11, 10), reason="Verjaardag oma.",
        actor=world.parent_user, today=D(2026, 11, 2)).leave
    services.decide_leave_request(leave, approve=False, decision_text="Geen gewichtige "
                                  "omstandigheid.", actor=leader)
    approved = services.submit_leave_request(
        world.child_a, guardian=world.parent, kind=LeaveKind.IMPORTANT_14,
        start_date=D(2026, 11, 12), end_date=D(2026, 11, 12), reason="Begrafenis.",
        actor=world.parent_user, today=D(2026, 11, 2)).leave
    services.decide_leave_request(approved, approve=True, decision_text="", actor=leader)
    context = school_context(world.school_a, TODAY)
    assert context is not None
    facts = build_facts(context, [world.child_a.pk, world.classmate_a.pk])
    assert facts[world.child_a.pk].leave_refused == frozenset({D(2026, 11, 9), D(2026, 11, 10)})
    assert facts[world.classmate_a.pk].leave_refused == frozenset()


def test_refused_leave_makes_an_unexcused_day_suspected_luxury_absence(world, reasons, leader):
    from aanwezig.protocol.vocabulary import LuxuryAbsence

    leave = services.submit_leave_request(
        world.child_a, guardian=world.parent, kind=LeaveKind.IMPORTANT_14,
        start_date=D(2026, 11, 11), end_date=D(2026, 11, 11), reason="Verjaardag oma.",
        actor=world.parent_user, today=D(2026, 11, 2)).leave
    services.decide_leave_request(leave, approve=False, decision_text="Nee.", actor=leader)
    lesson = f.make_lesson(world.a1, world.teacher_a, D(2026, 11, 11), period=world.grid_a[0])
    from aanwezig.attendance.services import MarkInput, record_register

    record_register(lesson, actor=world.teacher_a,
                    entries=[MarkInput(world.child_a.pk, "absent", "ongeoorloofd")])
    context = school_context(world.school_a, TODAY)
    assert context is not None
    facts = build_facts(context, [world.child_a.pk])
    hits = LuxuryAbsence().hits(facts[world.child_a.pk], None, TODAY)
    assert [(hit.reached_on, hit.figures["leave_refused"]) for hit in hits] == [
        (D(2026, 11, 11), True)]



def test_a_refusal_has_the_protocol_look_at_the_student_again(world, reasons, leader,
                                                             monkeypatch):
    from aanwezig.protocol import run

    calls = []
    monkeypatch.setattr(run, "after_attendance_change",
                        lambda school_id, ids: calls.append((school_id, list(ids))))
    leave = submit(world).leave
    services.decide_leave_request(leave, approve=False, decision_text="Nee.", actor=leader)
    assert calls == [(world.school_a.pk, [world.child_a.pk])]


def test_a_refusal_speaks_plain_dutch(world):
    from django.utils import translation

    fake = SimpleUploadedFile("verklaring.pdf", b"<html>", content_type="application/pdf")
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        submit(world, LeaveKind.HOLIDAY_13A, D(2027, 2, 1), D(2027, 2, 16), statement=fake)
    text = " ".join(caught.value.messages)
    assert "Vakantieverlof is hoogstens 10 schooldagen; u vraagt er 12." in text
    assert "Dit bestand is geen pdf, PNG of JPEG." in text
