"""The absence reasons every new school starts with (each one editable by the school)."""

from __future__ import annotations

from typing import Any

from aanwezig.attendance.models import AbsenceReason
from aanwezig.schools.models import School


def default_absence_reasons() -> list[dict[str, Any]]:
    """Return the default absence reasons of a new school, as field values for AbsenceReason.

    Removal from class counts as present: the student is at school, under
    supervision elsewhere; it is recorded but is not absence (verzuim).
    ``settable_by`` names who may give the reason: ``teacher`` (in a lesson
    register), ``office`` (the attendance desk and other school-wide staff),
    ``parent`` (a parent or carer reporting) and ``student_adult`` (an adult
    student reporting for themself).
    """
    everyone = ["teacher", "office", "parent", "student_adult"]
    reporters = ["office", "parent", "student_adult"]
    office = ["office"]
    staff = ["teacher", "office"]
    keys = ("code", "label", "counts_as", "excused", "settable_by", "needs_approval",
            "is_lateness", "category")
    rows = [
        ("ziek", "Ziek", "absent", True, everyone, False, False, "sick"),
        ("medisch", "Arts, tandarts of ziekenhuis", "absent", True, reporters, False, False,
         "medical"),
        ("verlof", "Verlof (gewichtige omstandigheden)", "absent", True, office, True, False,
         "leave"),
        ("vakantieverlof", "Vakantieverlof (art. 13a)", "absent", True, office, True, False,
         "leave"),
        ("religieus", "Religieuze verplichting", "absent", True, reporters, False, False,
         "religious"),
        ("schorsing", "Schorsing", "absent", True, office, False, False, "suspension"),
        ("stage", "Stage of BPV", "present", True, staff, False, False, "school"),
        ("schoolactiviteit", "Schoolactiviteit (excursie, toets elders)", "present", True, staff,
         False, False, "school"),
        ("te_laat", "Te laat", "present", False, staff, False, True, "late"),
        ("verwijderd", "Uit de les verwijderd", "present", False, staff, False, False, "removed"),
        ("ongeoorloofd", "Ongeoorloofd afwezig", "absent", False, staff, False, False, "unexcused"),
        ("onbekend", "Reden nog onbekend", "absent", False, staff, False, False, "unknown"),
    ]
    return [{**dict(zip(keys, row, strict=True)), "settable_by": list(row[4])} for row in rows]


def create_default_absence_reasons(school: School) -> dict[str, AbsenceReason]:
    """Create the default reasons for ``school`` (skipping codes it has) and return all by code."""
    have = set(AbsenceReason.objects.filter(school=school).values_list("code", flat=True))
    AbsenceReason.objects.bulk_create(
        [
            AbsenceReason(school=school, sort_order=10 * (i + 1), **values)
            for i, values in enumerate(default_absence_reasons())
            if values["code"] not in have
        ]
    )
    return {r.code: r for r in AbsenceReason.objects.filter(school=school)}
