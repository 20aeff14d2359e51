"""Reports from the portal (``portal.reports``): sick and back to health, a medical appointment,
a religious holiday. Each fills the register at once, stops the unexplained-absence message,
and bad input is refused in Dutch next to the field, with nothing half-saved.

The fixtures here (``school_morning``, ``reasons``) are shared by the other
``test_report*`` modules and the browser test, which import them under another name (the
fixture keeps its own name).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.attendance.models import AbsenceReport, Mark, MarkSource
from aanwezig.attendance.services import (
    MarkInput,
    create_absence_report,
    end_absence_report,
    record_register,
)
from aanwezig.audit.models import AuditEvent
from aanwezig.notifications import delivery
from aanwezig.notifications.events import queue_unexplained_absences, still_wanted
from aanwezig.notifications.models import Event, Message, MessageStatus, RecipientKind
from aanwezig.portal import reports
from aanwezig.testing import factories as f
from conftest import TODAY

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
YESTERDAY, TOMORROW = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)

pytestmark = pytest.mark.usefixtures("school_morning")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMS)


@pytest.fixture(name="school_morning")
def school_morning() -> Iterator[None]:
    """Wednesday 18 November 2026 at ten, in Dutch (the portal's default language)."""
    with time_machine.travel(at(TODAY, 10), tick=False), translation.override("nl"):
        yield


@pytest.fixture(name="reasons")
def reasons(world):
    """The default absence reasons of schools A and C (the factories make schools without)."""
    create_default_absence_reasons(world.school_c)
    return create_default_absence_reasons(world.school_a)


def sam(world) -> reports.Reportable:
    return reports.get_reportable(world.parent_user, world.child_a.pk)


def lesson(world, day: dt.date, period: int):
    """A lesson of 1A (Sam's group) on ``day`` in period ``period`` (0: 08:30, 2: 10:30)."""
    if day == TODAY and period == 2:
        return world.lesson_a
    return f.make_lesson(world.a1, world.teacher_a, day, period=world.grid_a[period])


def errors_of(exc: ValidationError) -> dict[str, str]:
    return {field: " ".join(e for error in items for e in error.messages)
            for field, items in exc.error_dict.items()}


def counts() -> tuple[int, int, int]:
    return AbsenceReport.objects.count(), Mark.objects.count(), Message.objects.count()


# --- sick: fills and locks the register, stops the unexplained-absence message -----------------

def test_a_parents_sick_report_fills_the_register_at_once_and_locks_it(world, reasons):
    early = lesson(world, TODAY, 0)
    tomorrow = lesson(world, TOMORROW, 0)
    report = reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY,
                                 expected_back=TOMORROW + dt.timedelta(days=1))
    assert (report.source, report.guardian, report.created_by) == (
        "guardian", world.parent, world.parent_user)
    assert report.reason.code == "ziek" and report.is_open
    marks = {m.lesson_id: m for m in Mark.objects.filter(student=world.child_a)}
    assert set(marks) == {early.pk, world.lesson_a.pk, tomorrow.pk}
    for mark in marks.values():
        assert (mark.status, mark.reason, mark.report, mark.source, mark.reported_by) == (
            "absent", report.reason, report, MarkSource.REPORT, world.parent)
    assert AuditEvent.objects.filter(action="create", object_id=str(report.pk),
                                     student=world.child_a, actor=world.parent_user).exists()


def test_the_teacher_cannot_undo_the_parents_sick_report_in_the_register(world, reasons):
    report = reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY)
    with contextlib.suppress(ValidationError):  # refusing is fine; the mark must stay
        record_register(world.lesson_a, actor=world.teacher_a,
                        entries=[MarkInput(world.child_a.pk, None)])
    mark = Mark.objects.get(lesson=world.lesson_a, student=world.child_a)
    assert mark.report == report and mark.reason == report.reason


def test_a_sick_report_stops_an_unexplained_absence_message_that_was_queued(world, reasons):
    early = lesson(world, TODAY, 0)
    record_register(early, actor=world.teacher_a, entries=[MarkInput(world.child_a.pk, "absent")])
    assert queue_unexplained_absences(world.school_a, timezone.now()) >= 1
    message = Message.objects.get(event=Event.UNEXPLAINED_ABSENCE, student=world.child_a,
                                  recipient_kind=RecipientKind.GUARDIAN)
    assert still_wanted(message)

    reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY)

    assert not still_wanted(message)
    delivery.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED


def test_after_a_sick_report_no_unexplained_absence_message_is_queued(world, reasons):
    early = lesson(world, TODAY, 0)
    with time_machine.travel(at(TODAY, 8, 40), tick=False):
        record_register(early, actor=world.teacher_a,
                        entries=[MarkInput(world.child_a.pk, "absent")])
        reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY)
    # Long after the grace period, the run finds nothing to say about Sam.
    assert queue_unexplained_absences(world.school_a, at(TODAY, 11)) == 0
    assert not Message.objects.filter(event=Event.UNEXPLAINED_ABSENCE).exists()


def test_a_sick_report_for_part_of_the_day_covers_the_lessons_from_that_time(world, reasons):
    early = lesson(world, TODAY, 0)
    reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY,
                        start_time=dt.time(10, 0))
    assert not Mark.objects.filter(lesson=early).exists()
    assert Mark.objects.filter(lesson=world.lesson_a, report__isnull=False).exists()


# --- back to health ----------------------------------------------------------------------------

def test_back_to_health_ends_the_report_and_frees_the_lessons_after_it(world, reasons):
    before = lesson(world, YESTERDAY, 0)
    tomorrow = lesson(world, TOMORROW, 0)
    report = reports.report_sick(sam(world), actor=world.parent_user, start_date=YESTERDAY,
                                 expected_back=TODAY + dt.timedelta(days=5))
    assert Mark.objects.filter(lesson=tomorrow).exists()

    reports.report_better(sam(world), report, actor=world.parent_user, back_on=TOMORROW)

    report.refresh_from_db()
    assert (report.end_date, report.end_time, report.ended_by) == (
        TODAY, None, world.parent_user)
    assert set(Mark.objects.values_list("lesson_id", flat=True)) == {
        before.pk, world.lesson_a.pk}
    assert reports.open_sick_report(world.child_a) is None


def test_back_on_the_first_sick_day_asks_from_what_time(world, reasons):
    report = reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY,
                                 start_time=dt.time(9, 0))
    with pytest.raises(ValidationError) as error:
        reports.report_better(sam(world), report, actor=world.parent_user, back_on=TODAY)
    assert errors_of(error.value) == {
        "back_time": "Weer terug op de eerste ziektedag? Vul dan in vanaf hoe laat."}
    with pytest.raises(ValidationError) as error:
        reports.report_better(sam(world), report, actor=world.parent_user, back_on=TODAY,
                              back_time=dt.time(8, 30))
    assert "kies een latere tijd" in errors_of(error.value)["back_time"]

    reports.report_better(sam(world), report, actor=world.parent_user, back_on=TODAY,
                          back_time=dt.time(10, 30))
    report.refresh_from_db()
    assert (report.end_date, report.end_time) == (TODAY, dt.time(10, 30))
    assert not Mark.objects.filter(lesson=world.lesson_a).exists()  # back for the 10:30 lesson


def test_a_parent_can_report_better_after_the_desk_reported_sick(world, reasons):
    report = create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                                   actor=world.officer_a)
    reports.report_better(sam(world), report, actor=world.parent_user, back_on=TOMORROW)
    report.refresh_from_db()
    assert report.end_date == TODAY and report.ended_by == world.parent_user


def test_a_parent_cannot_end_leave_or_another_report_of_the_school(world, reasons):
    leave = create_absence_report(world.child_a, reason_code="verlof", start_date=TOMORROW,
                                  end_date=TOMORROW, actor=world.officer_a)
    with pytest.raises(PermissionDenied):
        end_absence_report(leave, end_date=TOMORROW, actor=world.parent_user)
    with pytest.raises(ValidationError, match="no_open_report|Er loopt geen ziekmelding|"
                                              "no open sick report"):
        reports.report_better(sam(world), leave, actor=world.parent_user, back_on=TOMORROW)


# --- a medical appointment ---------------------------------------------------------------------

def test_a_medical_appointment_covers_only_its_hours(world, reasons):
    first = lesson(world, TOMORROW, 0)   # 08:30-09:20
    third = lesson(world, TOMORROW, 2)   # 10:30-11:20
    report = reports.report_medical(sam(world), actor=world.parent_user, day=TOMORROW,
                                    start_time=dt.time(8, 0), end_time=dt.time(9, 45))
    assert (report.reason.code, report.start_date, report.end_date) == (
        "medisch", TOMORROW, TOMORROW)
    assert list(Mark.objects.values_list("lesson_id", flat=True)) == [first.pk]
    assert not Mark.objects.filter(lesson=third).exists()


# --- a religious holiday -----------------------------------------------------------------------

def test_a_religious_holiday_two_days_ahead_is_taken(world, reasons):
    friday = TODAY + dt.timedelta(days=2)
    monday = TODAY + dt.timedelta(days=5)
    on_friday = lesson(world, friday, 0)
    report = reports.report_religious(sam(world), actor=world.parent_user, start_date=friday,
                                      end_date=monday)
    assert (report.reason.code, report.start_date, report.end_date) == (
        "religieus", friday, monday)
    assert Mark.objects.get(lesson=on_friday).report == report


# --- bad input: Dutch, next to the field, nothing half-saved -----------------------------------

@pytest.mark.parametrize(("kind", "kwargs", "field", "dutch_text"), [
    ("religious", {"start_date": TOMORROW}, "start_date",
     "Meld een religieuze feestdag minstens 2 dagen van tevoren: de eerste dag kan op zijn "
     "vroegst 20-11-2026 zijn. Is het eerder? Bel dan de school."),
    ("religious", {"start_date": dt.date(2027, 9, 6)}, "start_date",
     "6-9-2027 valt niet in een schooljaar van Het Testcollege. Kies een dag in het "
     "schooljaar."),
    ("religious", {"start_date": TODAY + dt.timedelta(days=5),
                   "end_date": TODAY + dt.timedelta(days=3)}, "end_date",
     "De laatste dag kan niet vóór de eerste dag liggen."),
    ("religious", {"start_date": TODAY + dt.timedelta(days=5),
                   "end_date": TODAY + dt.timedelta(days=8)}, "end_date",
     "Een religieuze feestdag kan hier voor hoogstens 3 schooldagen worden gemeld. Gaat het om "
     "meer dagen? Vraag dan verlof aan."),
    ("sick", {"start_date": TODAY - dt.timedelta(days=3)}, "start_date",
     "Een ziekmelding kan teruggaan tot en met 16-11-2026. Was Sam al eerder ziek? Bel dan de "
     "school; we lossen het samen op."),
    ("sick", {"start_date": TODAY + dt.timedelta(days=2)}, "start_date",
     "Ziekte melden kan tot en met 19-11-2026. Meld het anders op de dag zelf."),
    ("sick", {"start_date": TODAY, "expected_back": YESTERDAY}, "expected_back",
     "De verwachte dag van terugkomst kan niet vóór de eerste ziektedag liggen."),
    ("medical", {"day": YESTERDAY, "start_time": dt.time(9), "end_time": dt.time(10)}, "day",
     "Meld een afspraak van tevoren of op de dag zelf. Was het eerder? Bel dan de school."),
    ("medical", {"day": TOMORROW, "start_time": dt.time(10), "end_time": dt.time(9)},
     "end_time", "De afspraak moet eindigen na het begin."),
])
def test_bad_input_is_refused_in_dutch_next_to_the_field(world, reasons, kind, kwargs,
                                                          field, dutch_text):
    service: Any = {"sick": reports.report_sick, "medical": reports.report_medical,
                    "religious": reports.report_religious}[kind]
    before = counts()
    with pytest.raises(ValidationError) as error:
        service(sam(world), actor=world.parent_user, **kwargs)
    assert errors_of(error.value) == {field: dutch_text}
    assert counts() == before


def test_a_report_overlapping_another_is_refused_and_nothing_is_saved(world, reasons):
    reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY)
    before = counts()
    with pytest.raises(ValidationError) as error:
        reports.report_religious(sam(world), actor=world.parent_user,
                                 start_date=TODAY + dt.timedelta(days=2))
    assert errors_of(error.value) == {"start_date": (
        "Voor deze dagen is al iets gemeld: “Ziek” vanaf 18-11-2026. Kies andere dagen, of bel "
        "de school als die melding niet klopt.")}
    with pytest.raises(ValidationError) as error:
        reports.report_sick(sam(world), actor=world.parent_user, start_date=TOMORROW)
    assert errors_of(error.value) == {"start_date": (
        "Sam is al ziek gemeld sinds 18-11-2026. Is Sam weer beter? Meld dat dan eerst.")}
    assert counts() == before


def test_a_school_without_the_reason_asks_to_call(world):
    with pytest.raises(ValidationError) as error:
        reports.report_sick(sam(world), actor=world.parent_user, start_date=TODAY)
    assert "Bel de school" in " ".join(error.value.messages)
    assert not AbsenceReport.objects.exists()


# --- who may report ----------------------------------------------------------------------------

def test_a_parent_reports_only_for_their_own_children(world, reasons):
    assert [r.student for r in reports.reportable_students(world.parent_user)] == [world.child_a]
    with pytest.raises(Http404):
        reports.get_reportable(world.parent_user, world.classmate_a.pk)
    with pytest.raises(Http404):
        reports.get_reportable(world.teacher_a, world.child_a.pk)
    # The service refuses too, whatever the caller passes.
    with pytest.raises(PermissionDenied):
        create_absence_report(world.classmate_a, reason_code="ziek", start_date=TODAY,
                              source="guardian", guardian=world.parent, actor=world.parent_user)
    with pytest.raises(PermissionDenied):  # a parent cannot report as the attendance desk
        create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                              source="office", actor=world.parent_user)
    other = f.make_guardian(world.board, given_name="Jan", last_name="Jansen")
    f.link_guardian(world.child_a, other)
    with pytest.raises(PermissionDenied):  # nor in another parent's name
        create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                              source="guardian", guardian=other, actor=world.parent_user)
    assert not AbsenceReport.objects.exists()


def test_an_adult_reports_for_themself_and_their_parent_only_with_consent(world, reasons):
    yusuf = world.adult
    own = reports.get_reportable(world.adult_user, yusuf.pk)
    assert own.is_self and own.source == "student"
    with pytest.raises(Http404):
        reports.get_reportable(world.adult_parent_user, yusuf.pk)
    link = yusuf.guardian_links.get()
    link.adult_consent_view = True
    link.save()
    with pytest.raises(Http404):  # seeing is not enough: the parent must be allowed contact
        reports.get_reportable(world.adult_parent_user, yusuf.pk)
    link.adult_consent_contact = True
    link.save()
    assert reports.get_reportable(world.adult_parent_user, yusuf.pk).guardian == world.adult_parent

    report = reports.report_sick(own, actor=world.adult_user, start_date=TODAY)
    assert (report.source, report.guardian, report.reason.code) == ("student", None, "ziek")


def test_a_student_under_18_does_not_report_themself(world, reasons):
    sam_user = f.make_user("sam.jansen@example.test", first_name="Sam", last_name="Jansen")
    world.child_a.user = sam_user
    world.child_a.save()
    assert reports.reportable_students(sam_user) == []
    with pytest.raises(PermissionDenied):
        create_absence_report(world.child_a, reason_code="ziek", start_date=TODAY,
                              source="student", actor=sam_user)
