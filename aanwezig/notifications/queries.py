"""Reads for the message pages: the message log, replies, the hard-to-reach families.

Callers have passed the school through the gatekeeper and checked the role; functions
here only read that school's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from aanwezig import access
from aanwezig.notifications.models import (
    LetterBatch,
    Message,
    MessageStatus,
    RecipientKind,
    Reply,
    SchoolTemplate,
)
from aanwezig.roster.models import Channel, Guardian, Student, StudentGuardian
from aanwezig.schools.models import Role, School

LOG_LIMIT = 200


def may_edit_texts(user: Any, school: School) -> bool:
    """Administrators and school leaders write the school's own texts; others preview."""
    return access.may_administer(user, school) or Role.SCHOOL_LEADER in access.roles_at(user, school)


def student_messages(student: Student) -> list[Message]:
    """What was sent about the student, newest first (call tasks included)."""
    return list(
        Message.objects.filter(school_id=student.school_id, student=student)
        .select_related("guardian", "staff").order_by("-created_at", "-pk")[:LOG_LIMIT]
    )


def student_replies(student: Student) -> list[Reply]:
    return list(
        Reply.objects.filter(school_id=student.school_id, student=student)
        .select_related("guardian", "message", "handled_by").order_by("-received_at")
    )


def get_guardian_at_school(school: School, pk: int) -> Guardian:
    """A guardian of a student of ``school``, or the usual 404."""
    guardian = Guardian.objects.filter(
        pk=pk, student_links__school=school).distinct().first()
    if guardian is None:
        raise Http404(access.NOT_FOUND)
    return guardian


def guardian_messages(school: School, guardian: Guardian) -> list[Message]:
    return list(
        Message.objects.filter(school=school, guardian=guardian)
        .select_related("student").order_by("-created_at", "-pk")[:LOG_LIMIT]
    )


def guardian_students(school: School, guardian: Guardian) -> list[Student]:
    return [link.student for link in StudentGuardian.objects.filter(
        school=school, guardian=guardian).select_related("student").order_by("student__last_name")]


def get_reply(school: School, pk: int) -> Reply:
    reply = Reply.objects.filter(school=school, pk=pk).select_related("student").first()
    if reply is None:
        raise Http404(access.NOT_FOUND)
    return reply


def get_letter_batch(school: School, pk: int) -> LetterBatch:
    """A printed letter batch of this school (the caller has checked the school-wide role)."""
    batch = LetterBatch.objects.filter(school=school, pk=pk).first()
    if batch is None or not batch.pdf:
        raise Http404(access.NOT_FOUND)
    return batch


@dataclass
class Unreached:
    """A family the school tried to reach and did not: to phone or visit."""

    guardian: Guardian
    students: list[Student] = field(default_factory=list)
    tried: int = 0
    channels: set[str] = field(default_factory=set)
    last_error: str = ""
    last_try: dt.datetime | None = None


def hard_to_reach(school: School, since: dt.datetime) -> list[Unreached]:
    """Families with messages since ``since`` of which none was delivered (all failed,
    were cancelled or are still waiting). Three queries."""
    rows = list(
        Message.objects.filter(school=school, recipient_kind=RecipientKind.GUARDIAN,
                               created_at__gte=since, guardian__isnull=False)
        .values("guardian_id", "status", "channel", "last_error", "created_at")
        .order_by("created_at")
    )
    reached = {r["guardian_id"] for r in rows if r["status"] == MessageStatus.SENT}
    found: dict[int, Unreached] = {}
    for row in rows:
        if row["guardian_id"] in reached:
            continue
        item = found.setdefault(row["guardian_id"], Unreached(guardian=None))  # type: ignore[arg-type]
        item.tried += 1
        item.channels.add(str(Channel(row["channel"]).label))  # "e-mail", not "email"
        item.last_try = row["created_at"]
        if row["last_error"]:
            item.last_error = row["last_error"]
    if not found:
        return []
    guardians = Guardian.objects.in_bulk(list(found))
    for link in StudentGuardian.objects.filter(school=school, guardian_id__in=list(found)) \
            .select_related("student").order_by("student__last_name"):
        found[link.guardian_id].students.append(link.student)
    for pk, item in found.items():
        item.guardian = guardians[pk]
    return sorted(found.values(), key=lambda u: (u.guardian.last_name, u.guardian.pk))


def preview_student(user: Any, school: School, number: str) -> Student | None:
    """The student with this student number (or the first one) among those the user sees."""
    students: QuerySet[Student] = access.students_for_user(user, school).order_by(
        "last_name", "given_name", "pk")
    if number:
        return students.filter(Q(school_key=number.strip())).first()
    return students.first()


def school_templates(school: School) -> dict[tuple[str, str], SchoolTemplate]:
    return {(t.event, t.language): t for t in SchoolTemplate.objects.filter(school=school)}
