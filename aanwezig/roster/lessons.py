"""Turn the weekly timetable into concrete lessons.

:func:`generate_lessons` is the one writer of generated lessons. It is
idempotent and safe to run every night or after each timetable import:

- a lesson is wanted for every school day in the range, for every timetable
  entry valid on that day whose period falls on that weekday;
- existing lessons on the same slot (group, date, start time) are kept; an
  unchanged, scheduled lesson is brought in line with its entry (teacher, room,
  subject, end time);
- lessons marked ``is_changed`` and cancelled lessons are never touched;
- a generated lesson that is no longer wanted (its entry was deleted or its
  validity shortened) is removed unless a register was taken for it.

A lesson added by hand is not from the timetable and must carry
``is_changed=True``; otherwise, having no entry, it would count as stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction

from aanwezig.audit.services import record_change
from aanwezig.roster.models import Lesson, LessonStatus, TimetableEntry
from aanwezig.schools.calendar import Calendar
from aanwezig.schools.models import School

BATCH_SIZE = 2000


@dataclass
class GenerationResult:
    """What one run of :func:`generate_lessons` did."""

    start: dt.date
    end: dt.date
    school_days: int = 0
    entries: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    #: stale lessons kept because a register was taken for them
    kept_registered: int = 0
    #: wanted slots occupied by a changed or cancelled lesson, left alone
    skipped_changed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_SYNCED_FIELDS = ("teacher_id", "room", "subject", "end_time", "period_id", "entry_id")


@transaction.atomic
def generate_lessons(
    school: School, start: dt.date, end: dt.date, *, actor: Any = None
) -> GenerationResult:
    """Create, update and remove the generated lessons of ``school`` from ``start`` through ``end``."""
    result = GenerationResult(start=start, end=end)
    if end < start:
        return result

    # 1. The school days in the range and the entries valid somewhere in it.
    days = Calendar(school, start, end).school_days()
    result.school_days = len(days)
    entries = list(
        TimetableEntry.objects.filter(school=school, valid_from__lte=end, valid_until__gte=start)
        .select_related("period")
        .order_by("pk")
    )
    result.entries = len(entries)
    by_weekday: dict[int, list[TimetableEntry]] = {}
    for entry in entries:
        by_weekday.setdefault(entry.period.weekday, []).append(entry)

    # 2. The wanted lessons, keyed by slot. When two entries claim one slot the
    #    first (lowest id) wins, so the result does not depend on query order.
    wanted: dict[tuple[int, dt.date, dt.time], TimetableEntry] = {}
    for day in days:
        for entry in by_weekday.get(day.weekday(), ()):
            if entry.valid_from <= day <= entry.valid_until:
                wanted.setdefault((entry.group_id, day, entry.period.start_time), entry)

    # 3. The existing lessons in one query, with whether a register was taken.
    existing = Lesson.objects.filter(school=school, date__gte=start, date__lte=end).values_list(
        "id", "group_id", "date", "start_time", "end_time", "teacher_id", "room", "subject",
        "period_id", "entry_id", "status", "is_changed", "registration__id",
    )
    to_update: list[Lesson] = []
    to_delete: list[int] = []
    seen: set[tuple[int, dt.date, dt.time]] = set()
    for (pk, group_id, day, start_time, end_time, teacher_id, room, subject, period_id,
         entry_id, status, is_changed, registration_id) in existing.iterator(chunk_size=5000):
        key = (group_id, day, start_time)
        wanted_entry = wanted.get(key)
        untouchable = is_changed or status == LessonStatus.CANCELLED
        if wanted_entry is not None:
            seen.add(key)
            if untouchable:
                result.skipped_changed += 1
                continue
            current = (teacher_id, room, subject, end_time, period_id, entry_id)
            target = (wanted_entry.teacher_id, wanted_entry.room, wanted_entry.subject,
                      wanted_entry.period.end_time, wanted_entry.period_id, wanted_entry.pk)
            if current == target:
                result.unchanged += 1
            else:
                lesson = Lesson(pk=pk)
                for field, value in zip(_SYNCED_FIELDS, target, strict=True):
                    setattr(lesson, field, value)
                to_update.append(lesson)
            continue
        if untouchable:
            continue
        if registration_id is not None:
            result.kept_registered += 1
        else:
            to_delete.append(pk)

    # 4. Write: create the missing, update the drifted, delete the stale.
    new = [
        Lesson(
            school=school,
            date=day,
            period_id=entry.period_id,
            start_time=start_time,
            end_time=entry.period.end_time,
            group_id=group_id,
            teacher_id=entry.teacher_id,
            subject=entry.subject,
            room=entry.room,
            entry_id=entry.pk,
        )
        for (group_id, day, start_time), entry in wanted.items()
        if (group_id, day, start_time) not in seen
    ]
    Lesson.objects.bulk_create(new, batch_size=BATCH_SIZE)
    result.created = len(new)
    if to_update:
        Lesson.objects.bulk_update(
            to_update,
            ["teacher", "room", "subject", "end_time", "period", "entry"],
            batch_size=500,
        )
    result.updated = len(to_update)
    for i in range(0, len(to_delete), 500):
        Lesson.objects.filter(pk__in=to_delete[i : i + 500]).delete()
    result.removed = len(to_delete)

    record_change(actor=actor, action="generate_lessons", obj=school, changes=result.as_dict())
    return result
