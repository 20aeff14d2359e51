"""Who sees which case and task: school-wide roles all, a mentor their mentees', nobody else;
an external partner only a case shared with them, and of it only what the law allows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from aanwezig import access
from aanwezig.audit.models import AuditEvent
from aanwezig.notifications.models import Message
from aanwezig.protocol import cases
from aanwezig.protocol.models import DuoDossier
from aanwezig.protocol.tests.test_cases_fixtures import make_partner
from aanwezig.schools.models import PartnerKind, Role
from aanwezig.testing import factories as f
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


@pytest.fixture
def sam_and_daan(world):
    """Sam's case (group 1A, no mentor) and Daan's case (group 2B, mentored by mentor_a)."""
    sam = cases.open_or_escalate_case(world.child_a, title="Sam mist maandagen", role=Role.MENTOR)
    daan = cases.open_or_escalate_case(world.other_a, title="Daan is vaak te laat",
                                       role=Role.MENTOR)
    return sam, daan


def test_school_wide_roles_see_every_case_of_their_school(world, sam_and_daan):
    assert set(access.cases_for_user(world.officer_a, world.school_a)) == set(sam_and_daan)
    assert set(access.cases_for_user(world.admin_a, world.school_a)) == set(sam_and_daan)
    assert not access.cases_for_user(world.officer_a, world.school_b).exists()


def test_a_mentor_sees_only_the_cases_of_current_mentees(world, sam_and_daan):
    sam, daan = sam_and_daan
    assert list(access.cases_for_user(world.mentor_a, world.school_a)) == [daan]
    with pytest.raises(access.Http404):
        access.get_case_for_user(world.mentor_a, world.school_a, sam.pk)
    # Daan leaves group 2B: his case leaves the mentor's view with him.
    daan.student.memberships.update(end_date=TODAY - dt.timedelta(days=1))
    assert not access.cases_for_user(world.mentor_a, world.school_a).exists()


@pytest.mark.parametrize("persona", ["teacher_a", "teacher_b", "parent_user", "adult_user"])
def test_nobody_else_sees_a_case(world, sam_and_daan, persona):
    user = getattr(world, persona)
    for case in sam_and_daan:
        with pytest.raises(access.Http404):
            access.get_case_for_user(user, world.school_a, case.pk)
    assert not access.cases_for_user(user, world.school_a).exists()


def test_reading_a_case_writes_an_audit_row(world, sam_and_daan):
    sam, _daan = sam_and_daan
    access.get_case_for_user(world.officer_a, world.school_a, sam.pk)
    row = AuditEvent.objects.get(action="read", object_type="case")
    assert (row.actor, row.student) == (world.officer_a, world.child_a)


def test_tasks_follow_the_role_and_the_mentees(world, sam_and_daan):
    sam, daan = sam_and_daan
    officer_task = cases.create_task(world.school_a, kind="duo_report",
                                     role=Role.ATTENDANCE_OFFICER, title="DUO", case=sam)
    sam_mentor_task = cases.create_task(world.school_a, kind="phone_parents", role=Role.MENTOR,
                                        title="Bel Sams ouders", case=sam)
    daan_mentor_task = cases.create_task(world.school_a, kind="phone_parents", role=Role.MENTOR,
                                         title="Bel Daans ouders", case=daan)
    for_teacher = cases.create_task(world.school_a, kind="notice", role=Role.TEACHER,
                                    title="Ter info", student=world.child_a,
                                    assignee=world.teacher_a)
    cancelled = cases.create_task(world.school_a, kind="other", role=Role.ATTENDANCE_OFFICER,
                                  title="Weg", case=sam)
    cases.cancel_task(cancelled, actor=world.officer_a)

    assert set(access.tasks_for_user(world.officer_a, world.school_a)) == {officer_task}
    assert set(access.tasks_for_user(world.mentor_a, world.school_a)) == {daan_mentor_task}
    assert set(access.tasks_for_user(world.teacher_a, world.school_a)) == {for_teacher}
    assert not access.tasks_for_user(world.teacher_b, world.school_a).exists()
    with pytest.raises(access.Http404):
        access.get_task_for_user(world.mentor_a, world.school_a, sam_mentor_task.pk)
    with pytest.raises(access.Http404):
        access.get_task_for_user(world.officer_a, world.school_b, officer_task.pk)


def test_a_task_assigned_to_a_colleague_is_not_on_my_list(world, sam_and_daan):
    sam, _ = sam_and_daan
    colleague = f.make_staff(world.school_a, Role.ATTENDANCE_OFFICER, username="co@example.test")
    theirs = cases.create_task(world.school_a, kind="other", role=Role.ATTENDANCE_OFFICER,
                               title="Voor collega", case=sam, assignee=colleague)
    ours = cases.create_task(world.school_a, kind="other", role=Role.ATTENDANCE_OFFICER,
                             title="Voor ons", case=sam)
    assert set(access.my_open_tasks(world.officer_a, world.school_a)) == {ours}
    assert set(access.my_open_tasks(colleague, world.school_a)) == {theirs, ours}


# --- pages -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona, status", [
    ("officer_a", 200), ("admin_a", 200), ("mentor_a", 404), ("teacher_a", 404), ("teacher_b", 404),
    ("parent_user", 404),
])
def test_sams_case_page_answers_only_school_wide_roles(world, client, sam_and_daan, persona,
                                                       status):
    sam, _ = sam_and_daan
    client.force_login(getattr(world, persona))
    response = client.get(reverse("case", args=[world.school_a.pk, sam.pk]))
    assert response.status_code == status


def test_the_mentor_opens_daans_case(world, client, sam_and_daan):
    _, daan = sam_and_daan
    client.force_login(world.mentor_a)
    response = client.get(reverse("case", args=[world.school_a.pk, daan.pk]))
    assert response.status_code == 200
    assert "Daan is vaak te laat" in response.content.decode()


# --- external partners ------------------------------------------------------------------------------

@pytest.fixture
def shared_case(world, sam_and_daan):
    """Sam's case shared with the leerplichtambtenaar, with things partners must not see."""
    sam, _ = sam_and_daan
    lpa = make_partner(world)
    now = timezone.now()
    cases.add_conversation(sam, held_on=TODAY, kind="mol", participants="Sam en moeder",
                           school_view="GESPREK-SCHOOL", parents_view="GESPREK-OUDERS",
                           student_view="GESPREK-LEERLING", actor=world.officer_a)
    cases.add_note(sam, text="NOTITIE-GEHEIM", actor=world.officer_a)
    cases.add_agreement(sam, text="Sam is om 8.30 uur op school", party="student",
                        review_on=TODAY + dt.timedelta(days=14), actor=world.officer_a)
    cases.involve_partner(sam, partner=lpa, reason="16 uur in 4 weken", actor=world.officer_a)
    Message.objects.create(
        school=world.school_a, event="unexplained_absence", channel="email", student=world.child_a,
        recipient_kind="guardian", guardian=world.parent, address="ouder@example.test",
        language="nl", subject="BERICHT-ONDERWERP", body_text="BERICHT-INHOUD", dedupe_key="x",
        next_attempt_at=now, created_at=now,
    )
    dossier = {"school": world.school_a, "student": world.child_a, "kind": "first",
                   "due_on": TODAY, "hours": Decimal(16), "case": sam, "created_at": now,
                   "probable_reason": "Slaapt slecht, komt niet uit bed"}
    DuoDossier.objects.create(**dossier, start_date=dt.date(2026, 10, 1),
                              end_date=dt.date(2026, 10, 20), sent_at=now, status="registered")
    DuoDossier.objects.create(**{**dossier, "probable_reason": "NOG-NIET-GEMELD"},
                              start_date=dt.date(2026, 11, 1), end_date=dt.date(2026, 11, 16))
    return sam, lpa


HIDDEN = ["GESPREK-SCHOOL", "GESPREK-OUDERS", "GESPREK-LEERLING", "NOTITIE-GEHEIM",
          "BERICHT-ONDERWERP", "BERICHT-INHOUD", "NOG-NIET-GEMELD", "Noor", "Daan"]


def test_a_partner_sees_a_shared_case_without_the_hidden_parts(world, client, shared_case):
    sam, lpa = shared_case
    client.force_login(lpa.user)
    response = client.get(reverse("partner_case", args=[sam.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for shown in ["Sam Jansen", "Sam mist maandagen", "Sam is om 8.30 uur op school",
                  "Slaapt slecht, komt niet uit bed"]:
        assert shown in body
    leaked = [word for word in HIDDEN if word in body]
    assert not leaked
    assert AuditEvent.objects.filter(action="read", object_type="partner_case",
                                     actor=lpa.user).exists()


def test_a_partner_sees_only_cases_shared_with_them(world, client, shared_case, sam_and_daan):
    _, daan = sam_and_daan
    _, lpa = shared_case
    client.force_login(lpa.user)
    assert client.get(reverse("partner_case", args=[daan.pk])).status_code == 404
    listing = client.get(reverse("partner_cases")).content.decode()
    assert "Sam Jansen" in listing and "Daan" not in listing
    # Nor any school page: a partner is not staff.
    assert client.get(reverse("cases", args=[world.school_a.pk])).status_code == 404
    assert client.get(reverse("student", args=[world.school_a.pk, world.child_a.pk])
                      ).status_code == 404


def test_the_youth_doctor_does_not_see_duo_reports(world, client, shared_case):
    sam, _ = shared_case
    doctor = make_partner(world, kind=PartnerKind.YOUTH_DOCTOR, username="ja@example.test",
                          name="Jet Jeugdarts")
    cases.involve_partner(sam, partner=doctor, reason="MAZL", actor=world.officer_a)
    client.force_login(doctor.user)
    body = client.get(reverse("partner_case", args=[sam.pk])).content.decode()
    assert "Sam is om 8.30 uur op school" in body
    assert "Slaapt slecht" not in body


def test_a_partner_no_longer_serving_the_school_loses_the_case(world, client, shared_case):
    sam, lpa = shared_case
    lpa.schools.clear()
    client.force_login(lpa.user)
    assert client.get(reverse("partner_case", args=[sam.pk])).status_code == 404


def test_staff_are_not_partners(world, client, shared_case):
    sam, _ = shared_case
    client.force_login(world.officer_a)
    assert client.get(reverse("partner_case", args=[sam.pk])).status_code == 404
    assert client.get(reverse("partner_cases")).status_code == 404
