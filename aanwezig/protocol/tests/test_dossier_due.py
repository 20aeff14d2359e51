"""The DUO overview's list: reports the rule finds, joined with dossiers; due and overdue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from aanwezig.protocol import dossiers
from aanwezig.protocol.models import DuoDossier, DuoKind, DuoStatus, Protocol
from aanwezig.protocol.tests.test_duo_reports_command import ABSENT, hand_worked_case, register_day

D = dt.date


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10, 0)), tick=False)


def complete_and_send(dossier, world):
    dossiers.update_dossier(dossier, actor=world.officer_a, probable_reason="Spijbelt.",
                            school_actions="Gebeld.", school_asks="Gesprek.",
                            contact_name="Vera Verzuim", contact_role="verzuimcoördinator",
                            contact_phone="0101234567", contact_email="v@example.test")
    return dossiers.mark_dossier_sent(dossier, actor=world.officer_a)


def test_a_report_without_a_dossier_is_to_report_and_overdue_after_its_due_date(world):
    hand_worked_case(world)
    with at(D(2026, 11, 16)):
        item, = dossiers.due_reports(world.school_a, D(2026, 11, 16)).to_report
        assert (item.student, item.kind, item.start_date, item.end_date) == (
            world.child_a, "first", D(2026, 11, 2), D(2026, 11, 9))
        assert item.hours == 16.0 and item.due_on == D(2026, 11, 16)
        assert item.overdue is False and item.dossier is None
        assert item.groups == ["1A"]
    with at(D(2026, 11, 17)):
        item, = dossiers.due_reports(world.school_a, D(2026, 11, 17)).to_report
        assert item.overdue is True


def test_preparing_attaches_the_dossier_and_sending_moves_it_to_sent(world):
    hand_worked_case(world)
    today = D(2026, 11, 18)
    with at(today):
        dossier = dossiers.prepare_dossier(world.child_a, kind="first", start_date=D(2026, 11, 2),
                                           today=today, actor=world.officer_a)
        assert dossier.due_on == D(2026, 11, 16) and dossier.hours == 16
        item, = dossiers.due_reports(world.school_a, today).to_report
        assert item.dossier == dossier and item.overdue
        complete_and_send(dossier, world)
        overview = dossiers.due_reports(world.school_a, today)
        assert overview.to_report == []
        assert [d.pk for d in overview.sent] == [dossier.pk]
        assert overview.sent[0].status == DuoStatus.REGISTERED


def test_preparing_a_report_the_rule_does_not_find_is_refused(world):
    hand_worked_case(world)
    today = D(2026, 11, 18)
    with at(today), pytest.raises(ValidationError, match="geen melding voor te bereiden"):
        dossiers.prepare_dossier(world.child_a, kind="first", start_date=D(2026, 11, 3),
                                 today=today, actor=world.officer_a)
    assert not DuoDossier.objects.exists()


def test_luxury_and_long_dossiers_of_the_protocol_are_in_the_same_list(world):
    today = D(2026, 11, 18)
    with at(today):
        luxury = dossiers.propose_dossier(world.other_a, kind=DuoKind.LUXURY,
                                          start_date=D(2026, 11, 16), end_date=D(2026, 11, 17),
                                          hours=0, due_on=D(2026, 11, 24))
        long = dossiers.propose_dossier(world.classmate_a, kind=DuoKind.LONG,
                                        start_date=D(2026, 10, 5), end_date=D(2026, 11, 6),
                                        hours=80, due_on=D(2026, 11, 13))
        items = dossiers.due_reports(world.school_a, today).to_report
    # Overdue first.
    assert [(i.dossier, i.overdue) for i in items] == [(long, True), (luxury, False)]
    assert items[0].groups == ["1A"] and items[1].groups == ["2B"]


def test_adults_are_listed_only_when_the_protocol_reports_them(world):
    hand_worked_case(world)
    world.child_a.birth_date = D(2008, 1, 1)
    world.child_a.save()
    today = D(2026, 11, 18)
    with at(today):
        assert dossiers.due_reports(world.school_a, today).to_report == []
        Protocol.objects.filter(school=world.school_a).update(report_adults=True)
        item, = dossiers.due_reports(world.school_a, today).to_report
        assert item.mandatory is False


def test_the_due_date_skips_kings_day(world):
    """4 lessons on Wed 21, Thu 22, Fri 23 and Mon 26 Apr 2027 → end date Mon 26 Apr. Tue 27 Apr
    is King's Day, so five working days later is Tue 4 May (not Mon 3 May)."""
    for day in (D(2027, 4, 21), D(2027, 4, 22), D(2027, 4, 23), D(2027, 4, 26)):
        register_day(world, day, {world.child_a.pk: [ABSENT] * 4})
    with at(D(2027, 5, 4)):
        item, = dossiers.due_reports(world.school_a, D(2027, 5, 4)).to_report
        assert item.end_date == D(2027, 4, 26)
        assert item.due_on == D(2027, 5, 4)
        assert item.overdue is False
    with at(D(2027, 5, 5)):
        item, = dossiers.due_reports(world.school_a, D(2027, 5, 5)).to_report
        assert item.overdue is True


def test_withdrawn_dossiers_leave_the_to_report_list(world):
    hand_worked_case(world)
    today = D(2026, 11, 18)
    with at(today):
        dossier = dossiers.prepare_dossier(world.child_a, kind="first", start_date=D(2026, 11, 2),
                                           today=today, actor=world.officer_a)
        dossiers.set_dossier_status(dossier, status=DuoStatus.WITHDRAWN, reason="Fout.",
                                    actor=world.officer_a)
        overview = dossiers.due_reports(world.school_a, today)
    assert overview.to_report == []
    assert [d.status for d in overview.sent] == [DuoStatus.WITHDRAWN]


def test_no_school_year_means_nothing_to_report(world):
    assert dossiers.due_reports(world.school_a, D(2030, 1, 7)).to_report == []
