"""Shared helpers for the case and task tests (no tests of its own).

``make_firing`` makes the protocol rows a signal needs; ``register_lessons`` gives group
1A registered lessons with marks, so that the attendance line has figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from aanwezig.protocol.models import Firing, Protocol, ProtocolVersion
from aanwezig.protocol.tests.test_duo_reports_command import register_day
from aanwezig.schools.models import PartnerKind
from aanwezig.testing import factories as f


def make_firing(student: Any, *, case: Any = None, step_key: str = "six_hours",
                step_title: str = "6 uur in 4 weken", explanation: str = "",
                window_start: dt.date = dt.date(2026, 10, 26),
                at: dt.datetime | None = None) -> Firing:
    """A protocol signal for ``student`` (with the school's protocol and a version)."""
    at = at or timezone.now()
    protocol, _ = Protocol.objects.get_or_create(school=student.school)
    version = protocol.versions.first() or ProtocolVersion.objects.create(
        school=student.school, protocol=protocol, number=1, steps=[], created_at=at)
    return Firing.objects.create(
        school=student.school, student=student, step_key=step_key, step_title=step_title,
        window_start=window_start, window_end=at.date(), figures={"hours": 6},
        explanation=explanation or "6 lesuren ongeoorloofd afwezig in 4 schoolweken",
        version=version, case=case, fired_at=at,
    )


def register_lessons(world: Any, day: dt.date, marks: Mapping[int, list[str | None]]) -> None:
    """Give group 1A its four lessons on ``day``, registered, with per student a list of
    four entries: None (present), "absent" (no reason: unexcused) or "sick"."""
    register_day(world, day, {
        student_id: [None if entry is None else ("absent", "ziek" if entry == "sick" else None,
                                                 None) for entry in entries]
        for student_id, entries in marks.items()
    })


def make_partner(world: Any, *, kind: str = PartnerKind.LEERPLICHT, board: Any = None,
                 schools: tuple[Any, ...] | None = None, username: str = "lpa@example.test",
                 name: str = "Lars Leerplicht") -> Any:
    """An external partner of school A's board serving school A, with a login."""
    from aanwezig.schools.models import ExternalPartner

    user = f.make_user(username, first_name=name.split()[0], last_name=name.split()[-1])
    partner = ExternalPartner.objects.create(
        board=board or world.board, kind=kind, name=name, organisation="Gemeente Test",
        user=user,
    )
    partner.schools.set(schools if schools is not None else (world.school_a,))
    return partner
