"""The protocol's messages to parents and adult students: one per firing of a step with the
action ``message_guardians``.

``queue_step_message`` is called by ``protocol.run`` inside the firing's transaction. It
renders the step's template (``templates/notifications/protocol_<template>/``, one file
per language like every other message) for each recipient of
``notifications.services.recipients_for`` and queues it through the normal pipeline. A
message:

1. leads with presence: the student's lessons present this school year and the
   percentage (``attendance.counting``);
2. says in plain words what the school noticed: the firing's figures (hours in N school
   weeks, times late, sick reports, ...) worded per trigger in ``texts.PROTOCOL_PHRASES``;
   sickness is counted, never named;
3. says what happens now and why: the step's own parent text (``StepSpec.text``);
4. names whom to contact: the mentor and the attendance desk, and how to reply.

The texts and their rules are in docs/messages.md ("Protocol messages").
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from typing import Any

from django.db import transaction
from django.utils import timezone

from aanwezig.attendance.counting import count_attendance
from aanwezig.notifications import texts
from aanwezig.notifications.events import _queue_rendered
from aanwezig.notifications.models import Message, RecipientKind
from aanwezig.notifications.services import recipients_for
from aanwezig.protocol.models import Firing
from aanwezig.protocol.vocabulary import TEMPLATES, StepSpec
from aanwezig.roster.models import Channel, Student
from aanwezig.schools.calendar import school_year_on

#: ``Message.event`` of a protocol message and the folder of its texts: ``protocol_<template>``.
EVENT_PREFIX = "protocol_"
#: Languages that write a decimal point; the others write a comma.
DECIMAL_POINT = frozenset({"en", "ar"})


def event_for(template: str) -> str:
    """The event name (and text folder) of a protocol template, e.g. ``protocol_late``."""
    return f"{EVENT_PREFIX}{template}"


def dedupe_key(firing: Firing, template: str) -> str:
    """One message per firing, template and recipient (``queue_message`` adds the recipient)."""
    return f"protocol:{firing.pk}:{template}"


def _number(value: float, language: str) -> str:
    if float(value) == int(value):
        return str(int(value))
    text = f"{value:.1f}"
    return text if language in DECIMAL_POINT else text.replace(".", ",")


def _date(iso: Any) -> str:
    return texts.format_date(dt.date.fromisoformat(str(iso))) if iso else ""


def presence(student: Student, day: dt.date,
             counts: tuple[int, int] | None = None) -> dict[str, Any]:
    """``{aanwezig}``, ``{lessen}``, ``{gemist}`` and ``{procent}`` for this school year through
    ``day``, counted by ``attendance.counting``. The percentage is rounded down, so a message
    never shows more presence than there was.

    ``counts`` — (present, lessons) already counted for this school year through ``day``:
    the protocol run has them in its facts, which count as ``attendance.counting`` does.
    """
    if counts is None:
        year = school_year_on(student.school, day)
        if year is None:
            return {"aanwezig": 0, "lessen": 0, "gemist": 0, "procent": 100}
        count = count_attendance(student, year.start_date, day)
        counts = (count.present, count.lessons)
    present, lessons = counts
    return {"aanwezig": present, "lessen": lessons, "gemist": lessons - present,
            "procent": math.floor(present * 100 / lessons) if lessons else 100}


def noticed(firing: Firing, step: StepSpec, language: str, audience: str,
            context: dict[str, Any], *, sms: bool = False) -> str:
    """``{opgemerkt}``: what the school noticed, from the firing's figures, in ``language``.

    The wording follows the step's trigger; a text message gets the short sentence, without
    the dates. A trigger without wording of its own (a future condition) falls back to the
    firing's explanation.
    """
    phrases = texts.protocol_phrases(language, audience)
    condition, params = step.trigger()
    figures = firing.figures or {}
    weeks = getattr(params, "weeks", None)
    values: dict[str, Any] = {
        "roepnaam": context.get("roepnaam", ""),
        "van": _date(figures.get("window_from") or firing.window_start),
        "tot": _date(figures.get("window_to") or firing.window_end),
        "weken": weeks or "",
    }
    key = {"unexcused_hours": "hours", "times_late": "late", "sick_reports": "sick_reports",
           "consecutive_sick_days": "sick_days", "luxury_absence": "luxury",
           "long_absence": "long", "attendance_below": "below"}.get(condition.id)
    if key == "hours":
        hours = float(figures.get("hours", 0))
        unit = "klokuur" if firing.student.school.hour_unit == "klokuur" else "lesuur"
        one, many = phrases["units"][unit]
        values.update(n=_number(hours, language), eenheid=one if hours == 1 else many)
    elif key == "late":
        values["n"] = figures.get("times", "")
    elif key == "sick_reports":
        values["n"] = figures.get("reports", "")
    elif key in ("sick_days", "long"):
        values["n"] = figures.get("days", "")
    elif key == "luxury" and figures.get("leave_refused"):
        key = "luxury_leave"
    elif key == "below":
        values.update(aanwezig_n=figures.get("present", ""), lessen_n=figures.get("lessons", ""),
                      procent_n=_number(float(figures.get("percent", 0)), language))
    if key is None:
        return firing.explanation
    return texts.fill((phrases["sms"] if sms else phrases)[key], values)


def step_text(step: StepSpec, language: str) -> str:
    """``{wat_nu}``: the step's parent text; when the school wrote none in ``language``, the
    text it falls back to with a note saying so."""
    text = step.text(language).strip()
    if (step.texts.get(language) or "").strip():
        return text
    shown = "en" if language != "nl" and (step.texts.get("en") or "").strip() else "nl"
    phrases = texts.protocol_phrases(language)
    note = texts.fill(phrases["other_language"], {"taal": phrases["languages"][shown]})
    return f"{text}\n{note}"


def contact(language: str, audience: str, context: dict[str, Any]) -> str:
    """``{contact}``: the mentor and the attendance desk, or only the desk without a mentor."""
    phrases = texts.protocol_phrases(language, audience)
    return texts.fill(phrases["contact_mentor" if context.get("mentor") else "contact_desk"],
                      context)


def queue_step_message(firing: Firing, *, template: str, step: StepSpec,
                       now: dt.datetime | None = None,
                       counts: tuple[int, int] | None = None) -> list[Message]:
    """Queue the protocol message ``template`` about ``firing.student`` to everyone who hears
    about the student, each in their language and best channel; return the messages queued.

    1. Recipients: ``recipients_for`` on the day of ``now`` (guardians whose link receives
       messages; for a student of 18 or over the student and only consenting parents).
    2. Per recipient the text file of their language, audience (an adult student gets the
       "je" version) and channel (a short text for SMS) is filled with the presence figures,
       what was noticed, the step's text and the contact line.
    3. Each is queued with ``queue_message`` under one dedupe key per firing and template,
       so a second call queues nothing. Protocol messages are urgent: a step's message is
       the school's written promise in its protocol and fires once per window, so the
       weekly cap (meant for routine messages) does not hold it back.

    ``counts``: this year's (present, lessons) when the caller has counted them already.
    """
    if template not in TEMPLATES:
        raise ValueError(f"unknown protocol message template {template!r}")
    now = now or timezone.now()
    student = firing.student
    school = student.school  # the run hands over the student with their school loaded
    day = timezone.localtime(now, zoneinfo.ZoneInfo(school.timezone)).date()
    recipients = [r for r in recipients_for(student, day)
                  if r.kind in (RecipientKind.GUARDIAN, RecipientKind.STUDENT)]
    if not recipients:
        return []
    event = event_for(template)
    base = texts.student_context(student, day)
    base.update(presence(student, day, counts))
    queued: list[Message] = []
    with transaction.atomic():
        for recipient in recipients:
            audience = texts.STUDENT if recipient.kind == RecipientKind.STUDENT else texts.PARENT
            sms = recipient.channel == Channel.SMS
            language = texts.default_text(event, recipient.language, audience=audience,
                                          sms=sms).language
            context = {**base, **texts.school_context(school, language)}
            context.update(opgemerkt=noticed(firing, step, language, audience, context, sms=sms),
                           wat_nu=step_text(step, language),
                           contact=contact(language, audience, context))
            message = _queue_rendered(school, event, recipient, context, student=student,
                                      about_date=firing.window_end,
                                      dedupe_key=dedupe_key(firing, template), urgent=True)
            if message is not None:
                queued.append(message)
    return queued
