"""DUO dossiers: proposing (idempotent, race-safe), what goes in, completing, sending, status.

The registers are the hand-worked case of ``test_duo_reports_command``: Sam (child_a) has
16 unexcused lesuren from Mon 2 through Mon 9 Nov 2026 (Tue 3 Nov sick), due Mon 16 Nov;
Noor (classmate_a) is sick every lesson. Today is Wed 18 Nov 2026.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.models import CallLog, CallOutcome
from aanwezig.audit.models import AuditEvent
from aanwezig.notifications.models import Event, Message, MessageStatus
from aanwezig.protocol import dossiers
from aanwezig.protocol.models import (
    Case,
    Conversation,
    ConversationKind,
    DuoDossier,
    DuoKind,
    DuoStatus,
    Protocol,
    Task,
    TaskKind,
    TaskStatus,
)
from aanwezig.protocol.tests.test_duo_reports_command import hand_worked_case

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")

D = dt.date
ROOT = Path(__file__).resolve().parents[3]


def propose(world, **kw):
    args: dict[str, Any] = {"kind": DuoKind.FIRST, "start_date": D(2026, 11, 2),
                            "end_date": D(2026, 11, 9), "hours": 16.0, "due_on": D(2026, 11, 16)}
    args.update(kw)
    return dossiers.propose_dossier(world.child_a, **args)


def complete(dossier, world, **changes):
    values = {"probable_reason": "Spijbelt vaak op maandag en vrijdag.",
              "school_actions": "Ouders gebeld.", "school_asks": "Een gesprek met leerplicht.",
              "contact_name": "Vera Verzuim", "contact_role": "verzuimcoördinator",
              "contact_phone": "010 123 4567", "contact_email": "verzuim@testcollege.example"}
    values.update(changes)
    return dossiers.update_dossier(dossier, actor=world.officer_a, **values)


def audit_rows(dossier, action):
    return AuditEvent.objects.filter(object_type="protocol.DuoDossier", object_id=str(dossier.pk),
                                     action=action)


# --- proposing -----------------------------------------------------------------------------------

def test_proposing_twice_gives_one_dossier(world):
    hand_worked_case(world)
    first = propose(world)
    second = propose(world, hours=20.0)
    assert first.pk == second.pk
    assert DuoDossier.objects.count() == 1
    assert second.hours == 16  # the existing dossier is returned unchanged
    assert first.status == DuoStatus.PROPOSED
    assert audit_rows(first, "create").count() == 1


def test_a_race_ends_with_the_other_callers_dossier(world):
    hand_worked_case(world)
    theirs = propose(world)
    # As if the other caller inserted between our look-up and our insert.
    with mock.patch.object(dossiers, "_find", return_value=None):
        ours = propose(world)
    assert ours.pk == theirs.pk
    assert DuoDossier.objects.count() == 1
    assert audit_rows(theirs, "create").count() == 1


def test_absences_list_unexcused_lessons_only(world):
    hand_worked_case(world)
    dossier = propose(world)
    days = {day["date"]: day for day in dossier.absences}
    # Tue 3 Nov (sick) is not there; neither are present lessons.
    assert sorted(days) == ["2026-11-02", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-09"]
    thursday = days["2026-11-05"]
    assert thursday["hours"] == 3.0
    assert [(lesson["start"], lesson["end"], lesson["late"]) for lesson in thursday["lessons"]] == [
        ("08:30", "09:20", False), ("09:20", "10:10", False), ("10:30", "11:20", True)]
    assert thursday["lessons"][0]["subject"] == "Nederlands"
    assert thursday["lessons"][0]["group"] == "1A"
    assert sum(day["hours"] for day in dossier.absences) == 16.0
    # Noor was sick every lesson: nothing at all.
    assert dossiers.absences_for(world.classmate_a, D(2026, 11, 2), D(2026, 11, 9)) == []


def test_sickness_is_left_out_even_when_a_school_made_it_unexcused(world):
    hand_worked_case(world)
    sick = create_default_absence_reasons(world.school_a)["ziek"]
    sick.excused = False
    sick.save()
    days = [day["date"] for day in dossiers.absences_for(world.child_a, D(2026, 11, 2),
                                                          D(2026, 11, 9))]
    assert "2026-11-03" not in days
    assert dossiers.absences_for(world.classmate_a, D(2026, 11, 2), D(2026, 11, 9)) == []


def test_contact_person_comes_from_the_protocol_which_is_created_if_missing(world):
    hand_worked_case(world)
    assert not Protocol.objects.filter(school=world.school_a).exists()
    dossier = propose(world)
    assert Protocol.objects.filter(school=world.school_a).exists()
    assert dossier.contact_name == ""
    Protocol.objects.filter(school=world.school_a).update(
        contact_name="Vera Verzuim", contact_role="verzuimcoördinator",
        contact_phone="+31101234567", contact_email="verzuim@testcollege.example")
    luxury = propose(world, kind=DuoKind.LUXURY, start_date=D(2026, 11, 4),
                     end_date=D(2026, 11, 6), hours=0)
    assert (luxury.contact_name, luxury.contact_phone) == ("Vera Verzuim", "+31101234567")


def test_what_the_school_did_is_prefilled_with_counts_and_dates(world):
    hand_worked_case(world)
    now = timezone.now()
    at = dt.datetime(2026, 11, 5, 12, tzinfo=dt.UTC)
    for day, outcome in ((D(2026, 11, 2), CallOutcome.NOT_REACHED),
                         (D(2026, 11, 4), CallOutcome.REACHED)):
        CallLog.objects.create(school=world.school_a, student=world.child_a, date=day,
                               outcome=outcome, called_at=now)
    Task.objects.create(school=world.school_a, student=world.child_a, kind=TaskKind.PHONE_PARENTS,
                        role="mentor", title="Bel de ouders", status=TaskStatus.DONE,
                        created_at=at, done_at=at, done_note="Moeder vertelde over ruzie thuis")
    Task.objects.create(school=world.school_a, student=world.child_a, kind=TaskKind.REVIEW,
                        role="mentor", title="Open taak", created_at=at)  # not done: left out
    case = Case.objects.create(school=world.school_a, student=world.child_a, title="Aanwezigheid",
                               opened_at=at)
    Conversation.objects.create(school=world.school_a, case=case, held_on=D(2026, 11, 6),
                                kind=ConversationKind.MOL, participants="mentor, moeder, Sam",
                                attendance="16 uur", school_view="Vertrouwelijk verhaal",
                                recorded_at=at)
    Message.objects.create(
        school=world.school_a, event=Event.UNEXPLAINED_ABSENCE, channel="email",
        student=world.child_a, recipient_kind="guardian", guardian=world.parent,
        address="ouder@example.test", language="nl", subject="We missen Sam vandaag",
        body_text="Geheime inhoud", dedupe_key="d1", status=MessageStatus.SENT,
        next_attempt_at=at, created_at=at, sent_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
    )
    text = propose(world).school_actions
    assert "Ouders gebeld over afwezigheid: 2 keer (2 en 4 november 2026), 1 keer bereikt." in text
    assert "Ouders gebeld: 1 keer (5 november 2026)." in text
    assert "Gesprek met mentor, ouders en leerling: 1 keer (6 november 2026)." in text
    assert ("Aan de ouders verstuurd, bericht over afwezigheid zonder bekende reden: 1 keer "
            "(2 november 2026).") in text
    # Counts and dates only: never what was said or written.
    for secret in ("ruzie", "Vertrouwelijk", "Geheime", "We missen", "Open taak", "geëvalueerd"):
        assert secret not in text


def test_dutch_dates_are_grouped_by_month():
    days = [D(2026, 11, 2), D(2026, 11, 4), D(2026, 11, 9), D(2026, 12, 1)]
    assert dossiers.dutch_dates(days) == "2, 4 en 9 november 2026; 1 december 2026"
    assert dossiers.dutch_dates(days, limit=1) == "2 november 2026 en nog 3 andere dagen"


def test_only_school_wide_roles_propose(world):
    hand_worked_case(world)
    with pytest.raises(PermissionDenied):
        propose(world, actor=world.teacher_a)
    assert not DuoDossier.objects.exists()


# --- completing ----------------------------------------------------------------------------------

def test_a_reason_over_200_characters_is_refused_and_nothing_is_saved(world):
    hand_worked_case(world)
    dossier = propose(world)
    with pytest.raises(ValidationError) as error:
        complete(dossier, world, probable_reason="x" * 201)
    assert "probable_reason" in error.value.error_dict
    assert "200 characters or fewer (it has 201)" in " ".join(error.value.messages)
    stored = DuoDossier.objects.get(pk=dossier.pk)
    assert stored.probable_reason == "" and stored.contact_name == ""
    assert not audit_rows(dossier, "update").exists()
    complete(DuoDossier.objects.get(pk=dossier.pk), world, probable_reason="x" * 200)
    assert len(DuoDossier.objects.get(pk=dossier.pk).probable_reason) == 200


def test_the_phone_is_stored_as_e164_and_a_bad_one_refused(world):
    hand_worked_case(world)
    dossier = complete(propose(world), world)
    assert dossier.contact_phone == "+31101234567"
    with pytest.raises(ValidationError) as error:
        complete(dossier, world, contact_phone="12345", probable_reason="Anders")
    assert "contact_phone" in error.value.error_dict
    assert DuoDossier.objects.get(pk=dossier.pk).probable_reason.startswith("Spijbelt")


def test_a_bad_email_is_refused(world):
    hand_worked_case(world)
    with pytest.raises(ValidationError) as error:
        complete(propose(world), world, contact_email="geen-adres")
    assert "contact_email" in error.value.error_dict


def test_updates_are_audited(world):
    hand_worked_case(world)
    dossier = complete(propose(world), world)
    row = audit_rows(dossier, "update").get()
    assert row.actor == world.officer_a
    assert row.student_id == world.child_a.pk
    assert row.changes["contact_name"] == ["", "Vera Verzuim"]


# --- sending -------------------------------------------------------------------------------------

def test_sending_without_contact_is_refused_and_nothing_changes(world):
    hand_worked_case(world)
    dossier = dossiers.update_dossier(propose(world), actor=world.officer_a,
                                      probable_reason="Spijbelt.", school_actions="Gebeld.",
                                      school_asks="Gesprek.")
    with pytest.raises(ValidationError) as error:
        dossiers.mark_dossier_sent(dossier, actor=world.officer_a)
    assert set(error.value.error_dict) == {"contact_name", "contact_role", "contact_phone",
                                           "contact_email"}
    assert "contact person's name" in " ".join(error.value.messages)
    stored = DuoDossier.objects.get(pk=dossier.pk)
    assert stored.status == DuoStatus.PROPOSED and stored.sent_at is None


def test_sending_without_a_reason_is_refused(world):
    hand_worked_case(world)
    dossier = complete(propose(world), world, probable_reason="")
    with pytest.raises(ValidationError) as error:
        dossiers.mark_dossier_sent(dossier, actor=world.officer_a)
    assert set(error.value.error_dict) == {"probable_reason"}


def test_marking_as_sent_records_when_who_and_the_reference(world):
    hand_worked_case(world)
    dossier = complete(propose(world), world)
    dossiers.mark_dossier_sent(dossier, actor=world.officer_a, duo_reference=" VM-2026-123 ")
    stored = DuoDossier.objects.get(pk=dossier.pk)
    assert stored.status == DuoStatus.REGISTERED
    assert stored.sent_at == timezone.now() and stored.status_changed_at == timezone.now()
    assert stored.sent_by == world.officer_a
    assert stored.duo_reference == "VM-2026-123"
    row = audit_rows(dossier, "duo_sent").get()
    assert row.changes["status"] == ["proposed", "registered"]
    with pytest.raises(ValidationError, match="not waiting to be sent"):
        dossiers.mark_dossier_sent(stored, actor=world.officer_a)


def test_what_was_sent_cannot_be_changed_but_the_reference_can_be_added(world):
    hand_worked_case(world)
    dossier = dossiers.mark_dossier_sent(complete(propose(world), world), actor=world.officer_a)
    with pytest.raises(ValidationError, match="cannot be changed"):
        dossiers.update_dossier(dossier, actor=world.officer_a, probable_reason="Iets anders")
    dossiers.update_dossier(dossier, actor=world.officer_a, duo_reference="VM-9")
    assert DuoDossier.objects.get(pk=dossier.pk).duo_reference == "VM-9"


# --- status --------------------------------------------------------------------------------------

def test_status_goes_registered_in_progress_closed(world):
    hand_worked_case(world)
    dossier = propose(world)
    with pytest.raises(ValidationError, match="Mark the report as sent"):
        dossiers.set_dossier_status(dossier, status=DuoStatus.REGISTERED, actor=world.officer_a)
    with pytest.raises(ValidationError, match="cannot become"):
        dossiers.set_dossier_status(dossier, status=DuoStatus.IN_PROGRESS, actor=world.officer_a)
    dossiers.mark_dossier_sent(complete(dossier, world), actor=world.officer_a)
    with pytest.raises(ValidationError, match="cannot become"):
        dossiers.set_dossier_status(dossier, status=DuoStatus.CLOSED, actor=world.officer_a)
    dossiers.set_dossier_status(dossier, status=DuoStatus.IN_PROGRESS, actor=world.officer_a)
    dossiers.set_dossier_status(dossier, status=DuoStatus.CLOSED, actor=world.officer_a)
    assert DuoDossier.objects.get(pk=dossier.pk).status == DuoStatus.CLOSED
    assert audit_rows(dossier, "duo_status").count() == 2
    with pytest.raises(ValidationError, match="cannot become"):
        dossiers.set_dossier_status(dossier, status=DuoStatus.IN_PROGRESS, actor=world.officer_a)


def test_acknowledged_straight_from_registered(world):
    hand_worked_case(world)
    dossier = dossiers.mark_dossier_sent(complete(propose(world), world), actor=world.officer_a)
    dossiers.set_dossier_status(dossier, status=DuoStatus.ACKNOWLEDGED, actor=world.officer_a)
    assert DuoDossier.objects.get(pk=dossier.pk).status == DuoStatus.ACKNOWLEDGED


def test_withdrawing_needs_a_reason_which_is_kept_in_the_audit_row(world):
    hand_worked_case(world)
    dossier = propose(world)
    with pytest.raises(ValidationError) as error:
        dossiers.set_dossier_status(dossier, status=DuoStatus.WITHDRAWN, actor=world.officer_a)
    assert "reason" in error.value.error_dict
    assert DuoDossier.objects.get(pk=dossier.pk).status == DuoStatus.PROPOSED
    dossiers.set_dossier_status(dossier, status=DuoStatus.WITHDRAWN, actor=world.officer_a,
                                reason="Registratiefout: Sam was op excursie.")
    row = audit_rows(dossier, "duo_status").get()
    assert row.changes["reason"] == "Registratiefout: Sam was op excursie."
    assert row.changes["status"] == ["proposed", "withdrawn"]
    with pytest.raises(ValidationError, match="cannot become"):
        dossiers.set_dossier_status(dossier, status=DuoStatus.IN_PROGRESS, actor=world.officer_a)


def test_a_teacher_may_not_change_a_dossier(world):
    hand_worked_case(world)
    dossier = propose(world)
    with pytest.raises(PermissionDenied):
        dossiers.update_dossier(dossier, actor=world.teacher_a, probable_reason="x")
    with pytest.raises(PermissionDenied):
        dossiers.set_dossier_status(dossier, status=DuoStatus.WITHDRAWN, reason="x",
                                    actor=world.teacher_a)


# --- refusals in Dutch -----------------------------------------------------------------------------

REFUSALS = [
    "Keep the probable reason to %(max)s characters or fewer (it has %(n)s).",
    "Fill in the contact person's name before you mark the report as sent.",
    "Fill in the probable reason before you mark the report as sent.",
    "A report that is “%(current)s” cannot become “%(new)s”.",
    "Say why the school withdraws the report.",
]


def dutch(msgid: str) -> str:
    """The Dutch text of ``msgid`` in the catalogue."""
    with translation.override("nl"):
        return translation.gettext(msgid)


@pytest.mark.parametrize("msgid", REFUSALS)
def test_refusals_have_a_dutch_text(msgid):
    text = dutch(msgid)
    assert text and text != msgid
    for placeholder in ("%(max)s", "%(n)s", "%(current)s", "%(new)s"):
        assert (placeholder in msgid) == (placeholder in text)


def test_a_luxury_dossier_without_lessons_is_completed_and_sent(world):
    """Suspected luxury absence has no threshold and may have no lessons listed yet."""
    luxury = dossiers.propose_dossier(world.other_a, kind=DuoKind.LUXURY,
                                      start_date=D(2026, 11, 16), end_date=D(2026, 11, 17),
                                      hours=0, due_on=D(2026, 11, 24))
    assert luxury.absences == []
    dossiers.mark_dossier_sent(complete(luxury, world), actor=world.officer_a)
    assert DuoDossier.objects.get(pk=luxury.pk).status == DuoStatus.REGISTERED
