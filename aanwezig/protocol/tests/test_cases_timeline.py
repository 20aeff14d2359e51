"""A case's timeline: every source, newest first, never a message body, a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aanwezig.attendance.models import CallLog
from aanwezig.notifications.models import Message
from aanwezig.protocol import cases
from aanwezig.protocol.models import DuoDossier
from aanwezig.protocol.tests.test_cases_fixtures import make_firing, make_partner
from aanwezig.schools.models import Role
from conftest import TODAY

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")

AMS = dt.timezone(dt.timedelta(hours=1))


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=AMS)


def message(world, when: dt.datetime, subject: str, key: str) -> Message:
    return Message.objects.create(
        school=world.school_a, event="unexplained_absence", channel="email", student=world.child_a,
        recipient_kind="guardian", guardian=world.parent, address="ouder@example.test",
        language="nl", subject=subject, body_text="GEHEIME-INHOUD van het bericht",
        dedupe_key=key, next_attempt_at=when, created_at=when, status="sent", sent_at=when,
    )


def call(world, when: dt.datetime) -> CallLog:
    return CallLog.objects.create(school=world.school_a, student=world.child_a, date=when.date(),
                                  guardian=world.parent, outcome="reached",
                                  called_by=world.officer_a, called_at=when)


def build_case(world, extra: int = 0):
    """Sam's case opened on 10 November with one of everything (``extra`` more of each)."""
    case = cases.open_or_escalate_case(world.child_a, title="6 uur in 4 weken", role=Role.MENTOR,
                                       now=at(10, 9))
    make_firing(world.child_a, case=case, at=at(10, 9),
                explanation="Sam: 6 lesuren ongeoorloofd in 4 schoolweken")
    message(world, at(9, 9), "Voor de begeleiding", "before")
    for n in range(1 + extra):
        task = cases.create_task(world.school_a, kind="phone_parents",
                                 role=Role.ATTENDANCE_OFFICER,
                                 title=f"Bel de ouders {n}", case=case, now=at(10, 10))
        cases.complete_task(task, note="Moeder bereikt", actor=world.officer_a, now=at(11, 10))
        cases.add_conversation(case, held_on=dt.date(2026, 11, 12), kind="mol",
                               participants=f"Sam, moeder {n}", actor=world.officer_a,
                               now=at(12, 15))
        agreement = cases.add_agreement(case, text=f"Op tijd {n}", party="student",
                                        review_on=TODAY, actor=world.officer_a, now=at(12, 16))
        cases.review_agreement(agreement, status="kept", actor=world.officer_a, now=at(17, 9))
        cases.add_note(case, text=f"Notitie {n}", actor=world.officer_a, now=at(13, 9))
        message(world, at(14, 9), f"We missen Sam {n}", f"during-{n}")
        call(world, at(16, 9))
    cases.involve_partner(case, partner=make_partner(world), reason="16 uur",
                          actor=world.officer_a, now=at(17, 12))
    DuoDossier.objects.create(
        school=world.school_a, student=world.child_a, kind="first", start_date=dt.date(2026, 10, 26),
        end_date=dt.date(2026, 11, 16), due_on=dt.date(2026, 11, 23), hours=Decimal(16),
        case=case, created_at=at(17, 11),
    )
    return case


def test_the_timeline_shows_every_source_newest_first(world):
    case = build_case(world)
    call(world, at(9, 9))  # before the case: not in its timeline

    items = cases.case_timeline(case, now=at(18, 10))

    assert [i.kind for i in items] == [
        "partner", "duo", "review", "call", "message", "note", "agreement", "conversation",
        "task_done", "task", "opened", "firing",
    ]
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
    text = {i.kind: i.text for i in items}
    assert text["firing"] == "6 uur in 4 weken: Sam: 6 lesuren ongeoorloofd in 4 schoolweken"
    assert text["task_done"] == "Task done: Bel de ouders 0 — Moeder bereikt"
    assert text["message"] == "Message “We missen Sam 0” by e-mail: sent"
    assert text["call"] == "Call about 16-11-2026: reached (Petra Jansen)"
    assert text["duo"].startswith("DUO report 16 hours in 4 weeks, 26-10-2026 to 16-11-2026")
    assert text["review"] == "Agreement reviewed — kept: Op tijd 0"
    assert "Voor de begeleiding" not in " ".join(i.text for i in items)
    assert "GEHEIME-INHOUD" not in " ".join(i.text for i in items)


def test_the_timeline_never_loads_a_message_body(world):
    case = build_case(world)
    with CaptureQueriesContext(connection) as queries:
        items = cases.case_timeline(case, now=at(18, 10))
    assert any(i.kind == "message" for i in items)
    message_sql = [q["sql"] for q in queries.captured_queries if "notifications_message" in q["sql"]]
    assert message_sql
    assert not any("body_text" in sql or "body_html" in sql for sql in message_sql)


def test_messages_after_closing_are_left_out(world):
    case = build_case(world)
    case.agreements.update(status="kept")
    cases.close_case(case, outcome="improved", evaluation="Goed", actor=world.officer_a,
                     now=at(17, 15))
    message(world, at(18, 9), "Na het afsluiten", "after")
    items = cases.case_timeline(case, now=at(18, 10))
    assert items[0].kind == "closed"
    assert "Na het afsluiten" not in " ".join(i.text for i in items)


@pytest.mark.parametrize("extra", [0, 5])
def test_the_timeline_takes_a_fixed_number_of_queries(world, extra, django_assert_max_num_queries):
    case = build_case(world, extra=extra)
    case = type(case).objects.select_related("student", "opened_by", "closed_by").get(pk=case.pk)
    with django_assert_max_num_queries(9):
        items = cases.case_timeline(case, now=timezone.now())
    assert len([i for i in items if i.kind == "note"]) == 1 + extra
