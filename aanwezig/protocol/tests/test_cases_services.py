"""Case and task services: validation in plain words, audit rows, escalation, closing rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aanwezig.audit.models import AuditEvent
from aanwezig.protocol import cases
from aanwezig.protocol.models import (
    AgreementStatus,
    Case,
    CaseStatus,
    Task,
    TaskKind,
    TaskStatus,
)
from aanwezig.protocol.tests.test_cases_fixtures import make_firing, make_partner, register_lessons
from aanwezig.schools.models import PartnerKind, Role
from aanwezig.testing import factories as f
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def audit_rows(obj, action=None):
    rows = AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
    return rows.filter(action=action) if action else rows


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


@pytest.fixture
def sams_case(world):
    return cases.open_or_escalate_case(world.child_a, title="Vaak afwezig op maandag",
                                       role=Role.MENTOR)


# --- what the protocol calls ----------------------------------------------------------------------

def test_the_protocol_opens_a_level_1_case_once_and_audits_it_as_the_system(world):
    case = cases.open_or_escalate_case(world.child_a, title="6 uur in 4 weken", role=Role.MENTOR)
    again = cases.open_or_escalate_case(world.child_a, title="Another title", role=Role.MENTOR)

    assert again.pk == case.pk
    assert (case.level, case.status, case.role, case.opened_by) == (1, "open", "mentor", None)
    assert Case.objects.filter(student=world.child_a).count() == 1
    row = audit_rows(case, "create").get()
    assert row.actor is None and row.student == world.child_a
    assert row.changes["title"] == "6 uur in 4 weken"


def test_escalation_raises_the_level_by_one_up_to_three_and_moves_the_role(world, sams_case):
    second = cases.open_or_escalate_case(world.child_a, title="9 uur", escalate=True,
                                         role=Role.ATTENDANCE_OFFICER)
    assert (second.pk, second.level, second.role) == (sams_case.pk, 2, Role.ATTENDANCE_OFFICER)
    assert second.title == "Vaak afwezig op maandag"
    assert audit_rows(sams_case, "update").get().changes["level"] == [1, 2]
    for _ in range(3):
        third = cases.open_or_escalate_case(world.child_a, title="16 uur", escalate=True,
                                            role=Role.ATTENDANCE_OFFICER)
    assert third.level == 3


def test_escalating_without_a_case_opens_one_and_raises_it_at_once(world):
    case = cases.open_or_escalate_case(world.other_a, title="9 uur in 4 weken", escalate=True,
                                       role=Role.CARE_COORDINATOR)
    assert case.level == 2
    assert audit_rows(case, "create").count() == 1 and audit_rows(case, "update").count() == 1


def test_a_closed_case_is_not_reused(world, sams_case):
    sams_case.status = CaseStatus.CLOSED
    sams_case.save()
    new = cases.open_or_escalate_case(world.child_a, title="Weer afwezig", role=Role.MENTOR)
    assert new.pk != sams_case.pk and new.level == 1


def test_the_protocol_refuses_an_unknown_role(world):
    with pytest.raises(ValidationError) as exc:
        cases.open_or_escalate_case(world.child_a, title="x", role="janitor")
    assert "Unknown role “janitor”." in messages_of(exc)


def test_create_task_takes_the_student_from_the_case_and_audits(world, sams_case):
    firing = make_firing(world.child_a, case=sams_case)
    task = cases.create_task(world.school_a, kind=TaskKind.PHONE_PARENTS, role=Role.MENTOR,
                             title="Bel de ouders van Sam", case=sams_case, firing=firing,
                             due_on=TODAY + dt.timedelta(days=2))
    assert (task.status, task.student, task.firing) == (TaskStatus.OPEN, world.child_a, firing)
    assert audit_rows(task, "create").get().student == world.child_a


def test_create_task_refuses_unknown_kinds_and_other_schools(world, sams_case):
    with pytest.raises(ValidationError) as exc:
        cases.create_task(world.school_b, kind="dance", role="janitor", title="",
                          case=sams_case)
    text = messages_of(exc)
    assert "Unknown kind of task “dance”." in text
    assert "Unknown role “janitor”." in text
    assert "Say what has to be done." in text
    assert "This case belongs to another school." in text
    assert "This student is at another school." in text
    assert not Task.objects.exists()


# --- by hand ----------------------------------------------------------------------------------------

def test_a_mentor_opens_a_case_for_a_mentee_but_not_twice(world):
    case = cases.open_case(world.other_a, title="Te laat", role=Role.MENTOR, actor=world.mentor_a)
    assert case.opened_by == world.mentor_a
    assert audit_rows(case, "create").get().actor == world.mentor_a
    with pytest.raises(ValidationError) as exc:
        cases.open_case(world.other_a, title="Nog een", role=Role.MENTOR, actor=world.mentor_a)
    assert "Daan Visser already has an open case; add to that one." in messages_of(exc)


def test_a_teacher_may_not_open_a_case(world):
    with pytest.raises(PermissionDenied):
        cases.open_case(world.child_a, title="x", role=Role.MENTOR, actor=world.teacher_a)
    with pytest.raises(PermissionDenied):
        cases.open_case(world.child_a, title="x", role=Role.MENTOR, actor=world.mentor_a)


def test_a_conversation_starts_with_the_students_figures(world, sams_case):
    sam = world.child_a.pk
    register_lessons(world, dt.date(2026, 11, 11), {sam: [None] * 4})
    register_lessons(world, dt.date(2026, 11, 12), {sam: [None] * 4})
    register_lessons(world, dt.date(2026, 11, 13), {sam: ["sick"] * 4})
    register_lessons(world, dt.date(2026, 11, 16), {sam: ["absent", "absent", None, None]})
    register_lessons(world, dt.date(2026, 11, 17), {sam: ["absent"] * 4})

    talk = cases.add_conversation(
        sams_case, held_on=TODAY, kind="mol", participants="Sam, moeder, mentor",
        school_view="We missen Sam op maandag.", parents_view="Hij slaapt slecht.",
        student_view="Ik vind maandag moeilijk.", actor=world.officer_a,
    )

    # 20 lessons, 10 present; 4 sick lessons are excused and not counted as unexcused.
    assert talk.attendance == ("Sam was there for 50% of the lessons this school year; "
                               "6 lesson hours absent without a valid reason in the last 4 "
                               "school weeks")
    assert (talk.school_view, talk.parents_view, talk.student_view) == (
        "We missen Sam op maandag.", "Hij slaapt slecht.", "Ik vind maandag moeilijk.")
    row = audit_rows(talk, "create").get()
    assert row.actor == world.officer_a and row.student == world.child_a


def test_the_attendance_line_says_so_when_nothing_is_registered(world):
    assert cases.attendance_line(world.child_a, TODAY) == (
        "Sam has no registered lessons this school year yet.")


def test_a_conversation_is_refused_in_the_future_or_without_participants(world, sams_case):
    with pytest.raises(ValidationError) as exc:
        cases.add_conversation(sams_case, held_on=TODAY + dt.timedelta(days=1), kind="tea",
                               participants=" ", actor=world.officer_a)
    text = messages_of(exc)
    assert "the date cannot be in the future" in text
    assert "Choose what kind of conversation it was." in text
    assert "Say who took part." in text


def test_agreements_need_a_review_date_that_is_not_in_the_past(world, sams_case):
    with pytest.raises(ValidationError) as exc:
        cases.add_agreement(sams_case, text="Op tijd", party="student",
                            review_on=TODAY - dt.timedelta(days=1), actor=world.officer_a)
    assert "The review date cannot be in the past." in messages_of(exc)
    agreement = cases.add_agreement(sams_case, text="Sam is om 8.30 uur in de klas",
                                    party="student", review_on=TODAY, actor=world.officer_a)
    assert agreement.status == AgreementStatus.OPEN
    assert audit_rows(agreement, "create").exists()


def test_a_review_says_how_it_went_once(world, sams_case):
    agreement = cases.add_agreement(sams_case, text="Op tijd", party="student",
                                    review_on=TODAY, actor=world.officer_a)
    with pytest.raises(ValidationError) as exc:
        cases.review_agreement(agreement, status="changed", note="", actor=world.officer_a)
    assert "Say how the agreement changed." in messages_of(exc)

    cases.review_agreement(agreement, status="kept", note="Elke dag op tijd",
                           actor=world.officer_a)
    agreement.refresh_from_db()
    assert (agreement.status, agreement.review_note) == ("kept", "Elke dag op tijd")
    assert agreement.reviewed_at is not None
    assert audit_rows(agreement, "update").get().changes["status"] == ["open", "kept"]
    with pytest.raises(ValidationError) as exc:
        cases.review_agreement(agreement, status="not_kept", actor=world.officer_a)
    assert "already been reviewed" in messages_of(exc)


def test_only_partners_of_the_board_serving_the_school_can_be_involved(world, sams_case):
    lpa = make_partner(world)
    other_board = make_partner(world, board=world.school_b.board, username="lpa.b@example.test",
                               schools=(world.school_b,))
    not_serving = make_partner(world, kind=PartnerKind.RMC, schools=(world.school_c,),
                               username="rmc@example.test")
    for partner in (other_board, not_serving):
        with pytest.raises(ValidationError) as exc:
            cases.involve_partner(sams_case, partner=partner, reason="16 uur",
                                  actor=world.officer_a)
        assert "Choose a partner who works with this school." in messages_of(exc)
    with pytest.raises(ValidationError) as exc:
        cases.involve_partner(sams_case, partner=lpa, reason="", actor=world.officer_a)
    assert "Say why the partner is involved." in messages_of(exc)

    link = cases.involve_partner(sams_case, partner=lpa, reason="16 uur in 4 weken",
                                 actor=world.officer_a)
    assert audit_rows(link, "create").get().student == world.child_a
    with pytest.raises(ValidationError) as exc:
        cases.involve_partner(sams_case, partner=lpa, reason="again", actor=world.officer_a)
    assert "already involved" in messages_of(exc)


def test_a_mentor_may_not_share_a_case_with_a_partner(world):
    case = cases.open_case(world.other_a, title="Te laat", role=Role.MENTOR, actor=world.mentor_a)
    with pytest.raises(PermissionDenied):
        cases.involve_partner(case, partner=make_partner(world), reason="x", actor=world.mentor_a)


def test_closing_needs_an_outcome_an_evaluation_and_reviewed_agreements(world, sams_case):
    agreement = cases.add_agreement(sams_case, text="Op tijd", party="student",
                                    review_on=TODAY, actor=world.officer_a)
    with pytest.raises(ValidationError) as exc:
        cases.close_case(sams_case, outcome="", evaluation=" ", actor=world.officer_a)
    text = messages_of(exc)
    assert "Choose the outcome of the case." in text
    assert "Write the evaluation" in text
    assert "1 agreement is still running; review it before closing the case." in text

    cases.review_agreement(agreement, status="kept", actor=world.officer_a)
    task = cases.create_task(world.school_a, kind="review", role=Role.MENTOR, title="Evalueer",
                             case=sams_case)
    cases.close_case(sams_case, outcome="improved", evaluation="Sam is er weer elke dag.",
                     evaluation_parents="Fijn dat de school meedacht.", actor=world.officer_a)

    sams_case.refresh_from_db()
    task.refresh_from_db()
    assert (sams_case.status, sams_case.outcome, sams_case.closed_by) == (
        "closed", "improved", world.officer_a)
    assert sams_case.evaluation_parents == "Fijn dat de school meedacht."
    assert task.status == TaskStatus.CANCELLED
    assert audit_rows(task, "update").get().changes["status"] == ["open", "cancelled"]
    assert audit_rows(sams_case, "update").get().changes["status"] == ["open", "closed"]
    with pytest.raises(ValidationError) as exc:
        cases.add_note(sams_case, text="Nog iets", actor=world.officer_a)
    assert "This case is closed" in messages_of(exc)


def test_tasks_are_done_by_those_they_are_for(world, sams_case):
    officer_task = cases.create_task(world.school_a, kind="duo_report",
                                     role=Role.ATTENDANCE_OFFICER, title="Meld bij DUO",
                                     case=sams_case)
    with pytest.raises(PermissionDenied):
        cases.complete_task(officer_task, actor=world.mentor_a)
    cases.complete_task(officer_task, note="Gemeld via het portaal", actor=world.officer_a,
                        now=timezone.now())
    officer_task.refresh_from_db()
    assert (officer_task.status, officer_task.done_by, officer_task.done_note) == (
        "done", world.officer_a, "Gemeld via het portaal")
    assert audit_rows(officer_task, "update").get().actor == world.officer_a
    with pytest.raises(ValidationError) as exc:
        cases.complete_task(officer_task, actor=world.officer_a)
    assert "This task is no longer open." in messages_of(exc)


def test_a_mentor_completes_but_does_not_cancel_a_mentor_task(world):
    case = cases.open_case(world.other_a, title="Te laat", role=Role.MENTOR, actor=world.mentor_a)
    task = cases.create_task(world.school_a, kind="phone_parents", role=Role.MENTOR,
                             title="Bel de ouders", case=case)
    with pytest.raises(PermissionDenied):
        cases.cancel_task(task, actor=world.mentor_a)
    cases.complete_task(task, actor=world.mentor_a)
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_a_teacher_of_the_school_cannot_write_in_a_case(world, sams_case):
    with pytest.raises(PermissionDenied):
        cases.add_note(sams_case, text="x", actor=world.teacher_a)
    with pytest.raises(PermissionDenied):
        cases.add_note(sams_case, text="x", actor=f.make_staff(world.school_b, Role.ADMINISTRATOR))
