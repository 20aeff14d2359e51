"""Write audit rows. Services call :func:`record_change`; the gatekeeper calls :func:`record_read`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from aanwezig.audit.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def _tenancy(obj: models.Model) -> tuple[int | None, int | None]:
    school_id = getattr(obj, "school_id", None)
    board_id = getattr(obj, "board_id", None)
    if board_id is None and school_id is not None:
        school = getattr(obj, "school", None)
        board_id = getattr(school, "board_id", None)
    return board_id, school_id


def record_change(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    student: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that ``actor`` did ``action`` (create, update, delete, ...) to ``obj``."""
    board_id, school_id = _tenancy(obj)
    if student is None and obj._meta.label == "roster.Student":
        student = obj
    return AuditEvent.objects.create(
        board_id=board_id,
        school_id=school_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk or ""),
        student=student,
        changes={k: _jsonable(v) for k, v in (changes or {}).items()},
    )


def record_read(*, actor: Any, student: Any, what: str = "student_file") -> AuditEvent:
    """Record that ``actor`` read a student's file (or part of it, named by ``what``)."""
    return AuditEvent.objects.create(
        board_id=student.school.board_id,
        school_id=student.school_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action="read",
        object_type=what,
        object_id=str(student.pk),
        student=student,
    )


def diff(before: models.Model | None, after: models.Model, fields: list[str]) -> dict[str, Any]:
    """Return ``{field: [old, new]}`` for the fields that differ."""
    out: dict[str, Any] = {}
    for name in fields:
        new = getattr(after, name)
        old = getattr(before, name) if before is not None else None
        if old != new:
            out[name] = [_jsonable(old), _jsonable(new)]
    return out
