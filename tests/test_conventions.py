"""Project conventions that keep tenancy and the gatekeeper honest."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "aanwezig"

#: Models that belong to the board or the whole installation rather than to one school.
BOARD_LEVEL = {
    "schools.Board": "the top tenant itself",
    "schools.School": "the tenant itself",
    "roster.Guardian": "a parent may have children at several schools of one board",
    "schools.ExternalPartner": "partners serve several schools of a board (linked many-to-many)",
    "accounts.User": "one login may hold roles at several schools and be a parent too",
    "portal.LoginToken": "belongs to a login, which may span schools",
    "portal.LoginAttempt": "rate limiting by e-mail address and IP address, before any school",
    "audit.AuditEvent": "also records board-level events, so its school is optional",
}


def our_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("aanwezig.")]


def school_fk(model: type[models.Model]) -> models.ForeignKey | None:
    for field in model._meta.get_fields():
        if (
            isinstance(field, models.ForeignKey)
            and field.name == "school"
            and field.related_model is apps.get_model("schools", "School")
        ):
            return field
    return None


def school_owned_model_names() -> set[str]:
    return {m.__name__ for m in our_models() if school_fk(m) is not None}


def view_modules() -> list[Path]:
    files = list(PACKAGE.glob("**/views.py")) + list(PACKAGE.glob("**/views/**/*.py"))
    return sorted(f for f in files if "tests" not in f.parts)


def test_every_school_owned_model_has_a_required_school_foreign_key():
    missing = []
    for model in our_models():
        if model._meta.label in BOARD_LEVEL:
            continue
        fk = school_fk(model)
        if fk is None or fk.null:
            missing.append(model._meta.label)
    assert not missing, (
        "give these models a required `school` ForeignKey, "
        f"or add them to BOARD_LEVEL with a reason: {missing}"
    )


def test_the_board_level_allow_list_is_current():
    labels = {m._meta.label for m in our_models()}
    assert set(BOARD_LEVEL) <= labels, "remove models that no longer exist from BOARD_LEVEL"
    for label in BOARD_LEVEL:
        fk = school_fk(apps.get_model(label))
        assert fk is None or fk.null, f"{label} has a required school FK: remove it from BOARD_LEVEL"


def test_the_scan_knows_the_core_school_owned_models():
    assert {"Student", "Lesson", "Group", "Mark", "Membership"} <= school_owned_model_names()


def test_views_fetch_school_data_only_through_the_gatekeeper():
    """Views ask ``aanwezig.access`` (or code built on it); they never query school models."""
    names = school_owned_model_names() | {"Guardian", "StudentGuardian", "School"}
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\.objects\b")
    offenders = []
    for path in view_modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert view_modules(), "no view modules found: the scan is looking in the wrong place"
    assert not offenders, "use aanwezig.access instead:\n" + "\n".join(offenders)


def test_the_view_scan_catches_a_direct_query(tmp_path):
    names = school_owned_model_names()
    pattern = re.compile(r"\b(" + "|".join(sorted(names)) + r")\.objects\b")
    assert pattern.search("student = Student.objects.get(pk=pk)")
    assert pattern.search("Lesson.objects.filter(date=day)")
    assert not pattern.search("access.get_student_for_user(user, school, pk)")
