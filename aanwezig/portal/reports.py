"""Reports from the portal: a parent (or a student of 18 or over, for themself) reports
sickness and back to health, a medical appointment or a religious holiday.

Each report is an ``AbsenceReport`` made through ``attendance.services`` with the family
as its source (``guardian`` with the parent's record, or ``student``), so it fills the
register at once: the lessons it covers get a locked mark the teacher cannot change, and
``notifications.events.still_unexplained`` no longer sees an unexplained absence, so no
"we missed your child" message goes out. A confirmation goes through the message pipeline
(event ``report_confirmation``) to the reporter and to the other parents with authority
who receive messages, each in their own language.

Same contract as every service: validate first (plain Dutch, keyed by the form's field),
one transaction, keyword-only ``actor``; the attendance service writes the audit rows.
Rules and texts: docs/portal-reports.md.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aanwezig import access
from aanwezig.attendance import services as attendance
from aanwezig.attendance.models import AbsenceReason, AbsenceReport, ReasonCategory, ReportSource
from aanwezig.notifications import texts
from aanwezig.notifications.events import _queue_rendered
from aanwezig.notifications.models import Message, RecipientKind
from aanwezig.notifications.services import Recipient, guardian_channels, recipients_for
from aanwezig.roster.models import Channel, Guardian, Student, StudentGuardian
from aanwezig.schools.calendar import school_year_on
from aanwezig.schools.models import School

#: ``Message.event`` of the confirmation, and the folder of its texts.
REPORT_CONFIRMATION = "report_confirmation"

#: What can be reported from the portal (also the confirmation's kinds).
SICK, BETTER, MEDICAL, RELIGIOUS = "sick", "better", "medical", "religious"
KINDS = (SICK, BETTER, MEDICAL, RELIGIOUS)

#: A sick report may start at most this many days ago (the law asks parents to report
#: within 2 days) and at most this many days ahead (tonight for tomorrow).
SICK_DAYS_BACK = 2
SICK_DAYS_AHEAD = 1
#: A religious holiday is reported at least this many days ahead (no permission needed).
RELIGIOUS_DAYS_AHEAD = 2
#: A religious holiday covers at most this many weekdays; longer is leave (verlof).
RELIGIOUS_MAX_WEEKDAYS = 3

#: The category of the school's absence reason each kind of report uses.
CATEGORY = {SICK: ReasonCategory.SICK, MEDICAL: ReasonCategory.MEDICAL,
            RELIGIOUS: ReasonCategory.RELIGIOUS}


# --- who may be reported for -------------------------------------------------------------------

@dataclass(frozen=True)
class Reportable:
    """A student the user may report for, and as whom: the parent's guardian record, or
    ``None`` when the student (18 or over) reports for themself."""

    student: Student
    guardian: Guardian | None

    @property
    def is_self(self) -> bool:
        return self.guardian is None

    @property
    def source(self) -> str:
        return ReportSource.STUDENT if self.is_self else ReportSource.GUARDIAN

    @property
    def reporter_name(self) -> str:
        return self.student.full_name if self.guardian is None else self.guardian.full_name


def reportable_students(user: Any, day: dt.date | None = None) -> list[Reportable]:
    """The students ``user`` may report for on ``day``: themself when 18 or over, then their
    children (``access.children_for_user``; an adult child only with consent to view and to
    contact, see ``access.may_report_for``)."""
    day = day or timezone.localdate()
    found: list[Reportable] = []
    own = access.own_student(user)
    if own is not None and access.may_report_for(user, own, day):
        found.append(Reportable(student=own, guardian=None))
    for link in access.children_for_user(user, day):
        if access.may_report_for(user, link.student, day):
            found.append(Reportable(student=link.student, guardian=link.guardian))
    return found


def get_reportable(user: Any, pk: int) -> Reportable:
    """The student ``pk`` if the user may report for them, else the gatekeeper's 404 (the
    same for a student who does not exist and one who is not theirs)."""
    for item in reportable_students(user):
        if item.student.pk == pk:
            return item
    raise Http404(access.NOT_FOUND)


def family_reason(school: School | int, kind: str, source: str) -> AbsenceReason | None:
    """The school's active reason for ``kind`` that ``source`` may give (``settable_by``),
    first by the school's order; ``None`` when the school has none."""
    key = attendance.SETTABLE_KEY[source]
    reasons = AbsenceReason.objects.filter(school=school, category=CATEGORY[kind],
                                           is_active=True).order_by("sort_order", "code")
    return next((r for r in reasons if key in (r.settable_by or [])), None)


def open_sick_report(student: Student) -> AbsenceReport | None:
    """The student's open sick report (by anyone: the portal or the desk), newest first."""
    return (AbsenceReport.objects.filter(student=student, withdrawn=False, end_date__isnull=True,
                                         reason__category=ReasonCategory.SICK)
            .select_related("reason").order_by("-start_date", "-pk").first())


def reports_ahead(student: Student, day: dt.date) -> QuerySet[AbsenceReport]:
    """Reports that are not over on ``day`` (open, or ending today or later), oldest first."""
    return (AbsenceReport.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=day),
                                         student=student, withdrawn=False)
            .select_related("reason").order_by("start_date", "start_time", "pk"))


def get_report_for(item: Reportable, pk: int) -> AbsenceReport:
    """A report of the reportable student, or 404."""
    try:
        return AbsenceReport.objects.select_related("reason").get(pk=pk, student=item.student)
    except AbsenceReport.DoesNotExist:
        raise Http404(access.NOT_FOUND) from None


def kind_of(report: AbsenceReport) -> str:
    """The portal's kind of a report: ended sick reports are shown as back to health; other
    reasons (leave, a school activity) as what they are (``other``)."""
    category = report.reason.category
    if category == ReasonCategory.SICK:
        return BETTER if report.end_date is not None else SICK
    if category == ReasonCategory.MEDICAL:
        return MEDICAL
    return RELIGIOUS if category == ReasonCategory.RELIGIOUS else "other"


def _day(day: dt.date) -> str:
    return date_format(day, "l j F")


def describe(report: AbsenceReport) -> str:
    """One line for parents about ``report``, in the active language: what and which days."""
    start, end = report.start_date, report.end_date
    values = {"date": _day(start), "start": _day(start), "end": _day(end) if end else "",
              "reason": report.reason.label}
    category = report.reason.category
    if category == ReasonCategory.SICK:
        if end is None:
            line = _("Sick since %(date)s") % values
            if report.expected_end:
                line += " · " + _("expected back %(day)s") % {"day": _day(report.expected_end)}
            return line
        return _("Sick from %(start)s through %(end)s") % values
    if category == ReasonCategory.MEDICAL and end == start and report.start_time \
            and report.end_time:
        return _("Appointment on %(date)s from %(from)s to %(until)s") % {
            **values, "from": f"{report.start_time:%H:%M}", "until": f"{report.end_time:%H:%M}"}
    if category == ReasonCategory.RELIGIOUS:
        if end is None or end == start:
            return _("Religious holiday on %(date)s") % values
        return _("Religious holiday from %(start)s through %(end)s") % values
    if end is None:
        return _("%(reason)s since %(start)s") % values
    if end == start:
        return _("%(reason)s on %(date)s") % values
    return _("%(reason)s from %(start)s through %(end)s") % values


def confirmations_of(report: AbsenceReport, kind: str) -> QuerySet[Message]:
    """The confirmation messages queued for ``report`` and ``kind`` (one per recipient)."""
    return (Message.objects.filter(school_id=report.school_id, student_id=report.student_id,
                                   event=REPORT_CONFIRMATION,
                                   dedupe_key__startswith=f"report:{report.pk}:{kind}:")
            .select_related("guardian", "student").order_by("pk"))


# --- validation helpers ------------------------------------------------------------------------

Errors = dict[str, list[ValidationError]]


def _d(day: dt.date) -> str:
    return f"{day.day}-{day.month}-{day.year}"


def _add(errors: Errors, field: str | None, message: str, code: str, **params: Any) -> None:
    errors.setdefault(field or NON_FIELD_ERRORS, []).append(
        ValidationError(message, code=code, params=params or None))


def _in_school_year(errors: Errors, school: School, field: str, day: dt.date) -> None:
    if school_year_on(school, day) is None:
        _add(errors, field, _("%(date)s is not in a school year of %(school)s. Choose a day in "
                              "the school year."), "outside_school_year",
             date=_d(day), school=school.name)


def _need_reason(errors: Errors, item: Reportable, kind: str) -> AbsenceReason | None:
    reason = family_reason(item.student.school_id, kind, item.source)
    if reason is None:
        _add(errors, None, _("The school cannot take this report in the portal yet. Please call "
                             "the school."), "no_reason")
    return reason


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _for_fields(exc: ValidationError, fields: dict[str, str]) -> ValidationError:
    """The attendance service's errors, each next to the form field it is about (``fields``
    maps an error code to a field); an overlap is worded for parents."""
    if hasattr(exc, "error_dict"):
        return exc
    errors: Errors = {}
    for error in exc.error_list:
        field = fields.get(error.code or "")
        if error.code == "report_overlap":
            params = error.params or {}
            _add(errors, field, _("Something is already reported for these days: “%(reason)s” "
                                  "from %(start)s. Choose other days, or call the school if "
                                  "that report is not right."), "report_overlap",
                 reason=params.get("reason", ""), start=params.get("start", ""))
        else:
            errors.setdefault(field or NON_FIELD_ERRORS, []).append(error)
    return ValidationError(errors)


def _weekdays(start: dt.date, end: dt.date) -> int:
    return sum(1 for n in range((end - start).days + 1)
               if (start + dt.timedelta(days=n)).weekday() < 5)


# --- the reports -------------------------------------------------------------------------------

@transaction.atomic
def report_sick(item: Reportable, *, actor: Any, start_date: dt.date,
                start_time: dt.time | None = None, expected_back: dt.date | None = None,
                now: dt.datetime | None = None) -> AbsenceReport:
    """Report ``item.student`` sick from ``start_date`` (from ``start_time`` when they fell ill
    during the day), expected back on ``expected_back`` if known. Nothing else is asked:
    never what the student has.

    Refused: a first day more than ``SICK_DAYS_BACK`` days ago or more than
    ``SICK_DAYS_AHEAD`` ahead, outside the school year, while a sick report is still open,
    overlapping another report, or an expected day back before the first day.
    """
    student = item.student
    today = timezone.localdate()
    errors: Errors = {}
    reason = _need_reason(errors, item, SICK)
    earliest = today - dt.timedelta(days=SICK_DAYS_BACK)
    latest = today + dt.timedelta(days=SICK_DAYS_AHEAD)
    if start_date < earliest:
        _add(errors, "start_date", _("A sick report can go back to %(date)s at the earliest. Was "
                                     "%(name)s sick before then? Please call the school; we will "
                                     "sort it out together."), "too_early",
             date=_d(earliest), name=student.given_name)
    elif start_date > latest:
        _add(errors, "start_date", _("Sickness can be reported up to %(date)s. Otherwise, please "
                                     "report it on the day itself."), "too_late", date=_d(latest))
    else:
        _in_school_year(errors, student.school, "start_date", start_date)
    current = open_sick_report(student)
    if current is not None:
        _add(errors, "start_date", _("%(name)s is already reported sick since %(date)s. Is "
                                     "%(name)s better? Report that first."), "already_sick",
             name=student.given_name, date=_d(current.start_date))
    if expected_back is not None and expected_back < start_date:
        _add(errors, "expected_back", _("The expected day back cannot come before the first "
                                        "sick day."), "expected_before_start")
    _raise(errors)
    assert reason is not None
    try:
        report = attendance.create_absence_report(
            student, reason_code=reason.code, start_date=start_date, start_time=start_time,
            expected_end=expected_back, source=item.source, guardian=item.guardian, actor=actor)
    except ValidationError as exc:
        raise _for_fields(exc, {"outside_school_year": "start_date",
                                "report_overlap": "start_date",
                                "expected_before_start": "expected_back"}) from exc
    queue_confirmation(report, kind=SICK, reporter=item, now=now)
    return report


@transaction.atomic
def report_better(item: Reportable, report: AbsenceReport, *, actor: Any, back_on: dt.date,
                  back_time: dt.time | None = None,
                  now: dt.datetime | None = None) -> AbsenceReport:
    """End the open sick ``report``: ``item.student`` is back at school on ``back_on`` (from
    ``back_time`` when they come back during the day). The report then ends the day before,
    or at ``back_time`` on ``back_on``; locked marks after that are released."""
    student = item.student
    errors: Errors = {}
    if (report.student_id != student.pk or not report.is_open
            or report.reason.category != ReasonCategory.SICK):
        _add(errors, None, _("There is no open sick report for %(name)s."), "no_open_report",
             name=student.given_name)
        _raise(errors)
    if back_on < report.start_date:
        _add(errors, "back_on", _("%(name)s was reported sick from %(date)s; the day back cannot "
                                  "be earlier."), "back_before_start",
             name=student.given_name, date=_d(report.start_date))
    elif back_time is None and back_on == report.start_date:
        _add(errors, "back_time", _("Back on the first sick day? Then fill in from what time."),
             "back_time_needed")
    elif (back_time is not None and back_on == report.start_date and report.start_time
          and back_time <= report.start_time):
        _add(errors, "back_time", _("%(name)s was reported sick from %(time)s; choose a later "
                                    "time."), "back_before_start",
             name=student.given_name, time=f"{report.start_time:%H:%M}")
    else:
        _in_school_year(errors, student.school, "back_on", back_on)
    _raise(errors)
    if back_time is not None:
        end_date, end_time = back_on, back_time
    else:
        end_date, end_time = back_on - dt.timedelta(days=1), None
    try:
        attendance.end_absence_report(report, end_date=end_date, end_time=end_time, actor=actor)
    except ValidationError as exc:
        raise _for_fields(exc, {"outside_school_year": "back_on",
                                "end_before_start": "back_on",
                                "report_overlap": "back_on"}) from exc
    queue_confirmation(report, kind=BETTER, reporter=item, now=now, back_on=back_on,
                       back_time=back_time)
    return report


@transaction.atomic
def report_medical(item: Reportable, *, actor: Any, day: dt.date, start_time: dt.time,
                   end_time: dt.time, now: dt.datetime | None = None) -> AbsenceReport:
    """Report an appointment with a doctor, dentist or hospital on ``day`` from ``start_time``
    until ``end_time``. Who or what for is not asked. Reported beforehand or on the day."""
    student = item.student
    today = timezone.localdate()
    errors: Errors = {}
    reason = _need_reason(errors, item, MEDICAL)
    if day < today:
        _add(errors, "day", _("Please report an appointment beforehand or on the day itself. Was "
                              "it earlier? Please call the school."), "in_the_past")
    else:
        _in_school_year(errors, student.school, "day", day)
    if end_time <= start_time:
        _add(errors, "end_time", _("The appointment must end after it starts."),
             "end_before_start")
    _raise(errors)
    assert reason is not None
    try:
        report = attendance.create_absence_report(
            student, reason_code=reason.code, start_date=day, start_time=start_time,
            end_date=day, end_time=end_time, source=item.source, guardian=item.guardian,
            actor=actor)
    except ValidationError as exc:
        raise _for_fields(exc, {"outside_school_year": "day", "report_overlap": "day",
                                "end_before_start": "end_time"}) from exc
    queue_confirmation(report, kind=MEDICAL, reporter=item, now=now)
    return report


@transaction.atomic
def report_religious(item: Reportable, *, actor: Any, start_date: dt.date,
                     end_date: dt.date | None = None,
                     now: dt.datetime | None = None) -> AbsenceReport:
    """Report a religious holiday from ``start_date`` through ``end_date`` (one day without
    it). No permission is needed, but it is reported at least ``RELIGIOUS_DAYS_AHEAD`` days
    ahead and covers at most ``RELIGIOUS_MAX_WEEKDAYS`` weekdays."""
    student = item.student
    today = timezone.localdate()
    last = end_date or start_date
    errors: Errors = {}
    reason = _need_reason(errors, item, RELIGIOUS)
    earliest = today + dt.timedelta(days=RELIGIOUS_DAYS_AHEAD)
    if start_date < earliest:
        _add(errors, "start_date", _("Please report a religious holiday at least %(days)s days "
                                     "ahead: the first day can be %(date)s at the earliest. Is it "
                                     "sooner? Please call the school."), "too_late",
             days=RELIGIOUS_DAYS_AHEAD, date=_d(earliest))
    else:
        _in_school_year(errors, student.school, "start_date", start_date)
    if last < start_date:
        _add(errors, "end_date", _("The last day cannot come before the first day."),
             "end_before_start")
    elif _weekdays(start_date, last) > RELIGIOUS_MAX_WEEKDAYS:
        _add(errors, "end_date", _("A religious holiday can be reported here for at most "
                                   "%(days)s school days. For more days, please ask for leave."),
             "too_long", days=RELIGIOUS_MAX_WEEKDAYS)
    elif last != start_date and "start_date" not in errors:
        _in_school_year(errors, student.school, "end_date", last)
    _raise(errors)
    assert reason is not None
    try:
        report = attendance.create_absence_report(
            student, reason_code=reason.code, start_date=start_date, end_date=last,
            source=item.source, guardian=item.guardian, actor=actor)
    except ValidationError as exc:
        raise _for_fields(exc, {"outside_school_year": "start_date",
                                "report_overlap": "start_date",
                                "end_before_start": "end_date"}) from exc
    queue_confirmation(report, kind=RELIGIOUS, reporter=item, now=now)
    return report


# --- the confirmation --------------------------------------------------------------------------

def confirmation_recipients(student: Student, reporter: Reportable,
                            day: dt.date) -> list[Recipient]:
    """Who gets the confirmation: the reporter, the other parents with authority whose link
    receives messages (for a student of 18 or over only those the student allows to be
    contacted, as ``recipients_for`` decides), and an adult student. Letters are left out:
    a confirmation on paper would arrive after the fact; a parent who only has the post
    gets none (the reporter always has the portal)."""
    authority = set(StudentGuardian.objects.filter(student=student, has_authority=True)
                    .values_list("guardian_id", flat=True))
    reporter_id = reporter.guardian.pk if reporter.guardian is not None else None
    chosen: list[Recipient] = []
    for recipient in recipients_for(student, day):
        guardian = recipient.guardian
        if recipient.kind == RecipientKind.GUARDIAN and guardian is not None:
            if guardian.pk != reporter_id and guardian.pk not in authority:
                continue
            if recipient.channel == Channel.LETTER:
                options = guardian_channels(guardian, exclude=[Channel.LETTER])
                if not options:
                    continue
                recipient.channel, recipient.address = options[0]
        chosen.append(recipient)
    if reporter.guardian is not None and not any(
            r.guardian is not None and r.guardian.pk == reporter_id for r in chosen):
        options = guardian_channels(reporter.guardian, exclude=[Channel.LETTER])
        channel, address = options[0] if options else (str(Channel.PORTAL), "")
        chosen.insert(0, Recipient(
            kind=RecipientKind.GUARDIAN, guardian=reporter.guardian, student=student, staff=None,
            language=reporter.guardian.language, channel=channel, address=address))
    return chosen


def _time(moment: dt.time) -> str:
    return f"{moment:%H:%M}"


def confirmation_context(report: AbsenceReport, kind: str, language: str, audience: str,
                         context: dict[str, Any], *, back_on: dt.date | None = None,
                         back_time: dt.time | None = None) -> dict[str, str]:
    """``{onderwerp}``, ``{melding}``, ``{wanneer}`` and ``{vervolg}``: what was reported and
    for which days, in ``language`` for ``audience`` (``REPORT_PHRASES``)."""
    words = report_phrases(language, audience)
    values = {**context, "van": texts.format_date(report.start_date)}
    if kind == SICK:
        when = [words["sick_from_time" if report.start_time else "sick_from"]]
        if report.start_time:
            values["tijd"] = _time(report.start_time)
        if report.expected_end:
            values["terug"] = texts.format_date(report.expected_end)
            when.append(words["expected"])
        else:
            when.append(words["expected_unknown"])
    elif kind == BETTER:
        back = back_on or (report.end_date + dt.timedelta(days=1) if report.end_date
                           else report.start_date)
        values["terug"] = texts.format_date(back)
        when = [words["back_time" if back_time else "back"]]
        if back_time:
            values["tijd"] = _time(back_time)
    elif kind == MEDICAL:
        values.update(datum=texts.format_date(report.start_date),
                      van_tijd=_time(report.start_time or dt.time.min),
                      tot_tijd=_time(report.end_time or dt.time.max))
        when = [words["medical"]]
    else:
        last = report.end_date or report.start_date
        values["tot"] = texts.format_date(last)
        when = [words["religious_one" if last == report.start_date else "religious_span"]]
    return {
        "onderwerp": texts.fill(words[f"subject_{kind}"], values),
        "melding": texts.fill(words[f"what_{kind}"], values),
        "wanneer": " ".join(texts.fill(w, values) for w in when),
        "vervolg": texts.fill(words[f"next_{kind}"], values),
    }


def queue_confirmation(report: AbsenceReport, *, kind: str, reporter: Reportable,
                       now: dt.datetime | None = None, back_on: dt.date | None = None,
                       back_time: dt.time | None = None) -> list[Message]:
    """Queue the confirmation of ``report`` to everyone of ``confirmation_recipients``, each
    in their language and on their best channel (a short text for SMS), in the caller's
    transaction. Once per report and kind (dedupe key ``report:<pk>:<kind>``); not held back
    by the weekly cap: the reporter waits for it."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    now = now or timezone.now()
    student = report.student
    school = student.school
    day = timezone.localtime(now, zoneinfo.ZoneInfo(school.timezone)).date()
    base = texts.student_context(student, day)
    base["melder"] = reporter.reporter_name
    queued: list[Message] = []
    for recipient in confirmation_recipients(student, reporter, day):
        audience = texts.STUDENT if recipient.kind == RecipientKind.STUDENT else texts.PARENT
        language = texts.default_text(REPORT_CONFIRMATION, recipient.language, audience=audience,
                                      sms=recipient.channel == Channel.SMS).language
        context = {**base, **texts.school_context(school, language)}
        context.update(confirmation_context(report, kind, language, audience, context,
                                            back_on=back_on, back_time=back_time))
        message = _queue_rendered(school, REPORT_CONFIRMATION, recipient, context,
                                  student=student, about_date=report.start_date,
                                  dedupe_key=f"report:{report.pk}:{kind}", urgent=True)
        if message is not None:
            queued.append(message)
    return queued


def report_phrases(language: str, audience: str = texts.PARENT) -> dict[str, str]:
    """The phrases for ``language`` and ``audience``: the student's wording where it exists,
    the parents' for the rest; an unknown language falls back to Dutch."""
    forms = REPORT_PHRASES.get(language) or REPORT_PHRASES[texts.DEFAULT_LANGUAGE]
    return {**forms[texts.PARENT], **(forms.get(audience) or {})}


#: The confirmation's phrases per language and audience (students, "je", in Dutch and
#: English like their text files). Placeholders: ``{roepnaam}``, ``{van}``, ``{tot}``,
#: ``{tijd}``, ``{terug}``, ``{datum}``, ``{van_tijd}``, ``{tot_tijd}``. Never a diagnosis.
#: The Turkish, Arabic, Polish and Ukrainian wording needs a native speaker's review.
REPORT_PHRASES: dict[str, dict[str, dict[str, str]]] = {
    "nl": {
        texts.PARENT: {
            "subject_sick": "Ziekmelding van {roepnaam} ontvangen",
            "subject_better": "Betermelding van {roepnaam} ontvangen",
            "subject_medical": "Afspraak van {roepnaam} ontvangen",
            "subject_religious": "Religieuze feestdag van {roepnaam} ontvangen",
            "what_sick": "{roepnaam} is ziek gemeld.",
            "what_better": "{roepnaam} is weer beter gemeld.",
            "what_medical": "{roepnaam} heeft een afspraak bij een arts, tandarts of ziekenhuis.",
            "what_religious": "{roepnaam} is vrij vanwege een religieuze feestdag.",
            "sick_from": "Ziek vanaf {van}.",
            "sick_from_time": "Ziek vanaf {van}, {tijd} uur.",
            "expected": "Verwacht weer op school: {terug}.",
            "expected_unknown": "Wanneer {roepnaam} weer op school komt, is nog niet bekend.",
            "back": "Weer op school vanaf {terug}.",
            "back_time": "Weer op school vanaf {terug}, {tijd} uur.",
            "medical": "Op {datum} van {van_tijd} tot {tot_tijd} uur.",
            "religious_one": "Op {van}.",
            "religious_span": "Van {van} tot en met {tot}.",
            "next_sick": "U krijgt dus geen bericht dat {roepnaam} zonder reden afwezig is. Is "
                         "{roepnaam} weer beter? Meld dat dan in het portaal. Beterschap!",
            "next_better": "Fijn dat {roepnaam} weer beter is. Welkom terug!",
            "next_medical": "Na de afspraak is {roepnaam} weer welkom in de les.",
            "next_religious": "Wij wensen u en {roepnaam} fijne feestdagen.",
        },
        texts.STUDENT: {
            "subject_sick": "Je ziekmelding is ontvangen",
            "subject_better": "Je betermelding is ontvangen",
            "subject_medical": "Je afspraak is ontvangen",
            "subject_religious": "Je religieuze feestdag is ontvangen",
            "what_sick": "Je bent ziek gemeld.",
            "what_better": "Je bent weer beter gemeld.",
            "what_medical": "Je hebt een afspraak bij een arts, tandarts of ziekenhuis.",
            "what_religious": "Je bent vrij vanwege een religieuze feestdag.",
            "expected_unknown": "Wanneer je weer op school komt, is nog niet bekend.",
            "next_sick": "Je krijgt dus geen bericht dat je zonder reden afwezig bent. Ben je "
                         "weer beter? Meld dat dan in het portaal. Beterschap!",
            "next_better": "Fijn dat je weer beter bent. Welkom terug!",
            "next_medical": "Na de afspraak ben je weer welkom in de les.",
            "next_religious": "We wensen je fijne feestdagen.",
        },
    },
    "en": {
        texts.PARENT: {
            "subject_sick": "Sick report for {roepnaam} received",
            "subject_better": "Back-to-health report for {roepnaam} received",
            "subject_medical": "Appointment for {roepnaam} received",
            "subject_religious": "Religious holiday for {roepnaam} received",
            "what_sick": "{roepnaam} has been reported sick.",
            "what_better": "{roepnaam} has been reported better.",
            "what_medical": "{roepnaam} has an appointment with a doctor, dentist or hospital.",
            "what_religious": "{roepnaam} is away for a religious holiday.",
            "sick_from": "Sick from {van}.",
            "sick_from_time": "Sick from {van}, {tijd}.",
            "expected": "Expected back at school: {terug}.",
            "expected_unknown": "It is not known yet when {roepnaam} will be back at school.",
            "back": "Back at school from {terug}.",
            "back_time": "Back at school from {terug}, {tijd}.",
            "medical": "On {datum} from {van_tijd} to {tot_tijd}.",
            "religious_one": "On {van}.",
            "religious_span": "From {van} to {tot} inclusive.",
            "next_sick": "So you will not get a message that {roepnaam} is absent without a "
                         "reason. Is {roepnaam} better? Please report it in the portal. Get "
                         "well soon!",
            "next_better": "Good to hear that {roepnaam} is better. Welcome back!",
            "next_medical": "After the appointment, {roepnaam} is welcome back in class.",
            "next_religious": "We wish you and {roepnaam} a happy celebration.",
        },
        texts.STUDENT: {
            "subject_sick": "Your sick report has been received",
            "subject_better": "Your back-to-health report has been received",
            "subject_medical": "Your appointment has been received",
            "subject_religious": "Your religious holiday has been received",
            "what_sick": "You have been reported sick.",
            "what_better": "You have been reported better.",
            "what_medical": "You have an appointment with a doctor, dentist or hospital.",
            "what_religious": "You are away for a religious holiday.",
            "expected_unknown": "It is not known yet when you will be back at school.",
            "next_sick": "So you will not get a message that you are absent without a reason. "
                         "Are you better? Please report it in the portal. Get well soon!",
            "next_better": "Good to hear that you are better. Welcome back!",
            "next_medical": "After the appointment, you are welcome back in class.",
            "next_religious": "We wish you a happy celebration.",
        },
    },
    "tr": {
        texts.PARENT: {
            "subject_sick": "{roepnaam} için hastalık bildirimi alındı",
            "subject_better": "{roepnaam} için iyileşme bildirimi alındı",
            "subject_medical": "{roepnaam} için randevu bildirimi alındı",
            "subject_religious": "{roepnaam} için dini bayram bildirimi alındı",
            "what_sick": "{roepnaam} hasta olarak bildirildi.",
            "what_better": "{roepnaam} için iyileşme bildirildi.",
            "what_medical": "{roepnaam} doktor, diş hekimi ya da hastane randevusu nedeniyle "
                            "okulda olmayacak.",
            "what_religious": "{roepnaam} dini bir bayram nedeniyle okulda olmayacak.",
            "sick_from": "Hastalık başlangıcı: {van}.",
            "sick_from_time": "Hastalık başlangıcı: {van}, saat {tijd}.",
            "expected": "Okula beklenen dönüş: {terug}.",
            "expected_unknown": "Okula ne zaman döneceği henüz belli değil.",
            "back": "Okula dönüş: {terug}.",
            "back_time": "Okula dönüş: {terug}, saat {tijd}.",
            "medical": "Tarih: {datum}, saat {van_tijd} – {tot_tijd}.",
            "religious_one": "Tarih: {van}.",
            "religious_span": "Tarihler: {van} – {tot} (dahil).",
            "next_sick": "Bu nedenle nedensiz devamsızlık mesajı almayacaksınız. İyileştiğinde "
                         "lütfen portalda bildirin. Geçmiş olsun!",
            "next_better": "İyileşmesine çok sevindik. Tekrar hoş geldin!",
            "next_medical": "Randevudan sonra {roepnaam} derse tekrar katılabilir.",
            "next_religious": "Size ve ailenize iyi bayramlar dileriz.",
        },
    },
    "ar": {
        texts.PARENT: {
            "subject_sick": "تم استلام الإبلاغ عن مرض {roepnaam}",
            "subject_better": "تم استلام الإبلاغ عن شفاء {roepnaam}",
            "subject_medical": "تم استلام الإبلاغ عن موعد {roepnaam}",
            "subject_religious": "تم استلام الإبلاغ عن عطلة دينية لـ{roepnaam}",
            "what_sick": "تم الإبلاغ عن مرض {roepnaam}.",
            "what_better": "تم الإبلاغ عن شفاء {roepnaam}.",
            "what_medical": "لدى {roepnaam} موعد عند الطبيب أو طبيب الأسنان أو في المستشفى.",
            "what_religious": "سيغيب {roepnaam} بسبب عطلة دينية.",
            "sick_from": "مريض منذ {van}.",
            "sick_from_time": "مريض منذ {van}، الساعة {tijd}.",
            "expected": "العودة المتوقعة إلى المدرسة: {terug}.",
            "expected_unknown": "لا نعرف بعد متى سيعود {roepnaam} إلى المدرسة.",
            "back": "العودة إلى المدرسة: {terug}.",
            "back_time": "العودة إلى المدرسة: {terug}، الساعة {tijd}.",
            "medical": "في {datum} من الساعة {van_tijd} إلى الساعة {tot_tijd}.",
            "religious_one": "في {van}.",
            "religious_span": "من {van} إلى {tot}.",
            "next_sick": "لذلك لن تصلكم رسالة عن غياب {roepnaam} دون سبب. عندما يتعافى "
                         "{roepnaam}، أبلغونا بذلك في البوابة من فضلكم. نتمنى له الشفاء العاجل!",
            "next_better": "يسعدنا أن {roepnaam} تعافى. أهلًا بعودته!",
            "next_medical": "بعد الموعد، {roepnaam} مرحَّب به في الدرس.",
            "next_religious": "نتمنى لكم ولـ{roepnaam} عيدًا سعيدًا.",
        },
    },
    "pl": {
        texts.PARENT: {
            "subject_sick": "Otrzymaliśmy zgłoszenie choroby dziecka ({roepnaam})",
            "subject_better": "Otrzymaliśmy zgłoszenie powrotu do zdrowia dziecka ({roepnaam})",
            "subject_medical": "Otrzymaliśmy zgłoszenie wizyty lekarskiej dziecka ({roepnaam})",
            "subject_religious": "Otrzymaliśmy zgłoszenie święta religijnego dziecka ({roepnaam})",
            "what_sick": "Państwa dziecko ({roepnaam}) zostało zgłoszone jako chore.",
            "what_better": "Państwa dziecko ({roepnaam}) zostało zgłoszone jako zdrowe.",
            "what_medical": "Państwa dziecko ({roepnaam}) ma wizytę u lekarza, dentysty lub w "
                            "szpitalu.",
            "what_religious": "Państwa dziecko ({roepnaam}) będzie nieobecne z powodu święta "
                              "religijnego.",
            "sick_from": "Choroba od {van}.",
            "sick_from_time": "Choroba od {van}, od godz. {tijd}.",
            "expected": "Przewidywany powrót do szkoły: {terug}.",
            "expected_unknown": "Nie wiadomo jeszcze, kiedy dziecko wróci do szkoły.",
            "back": "Powrót do szkoły: {terug}.",
            "back_time": "Powrót do szkoły: {terug}, od godz. {tijd}.",
            "medical": "Dnia {datum} od godz. {van_tijd} do godz. {tot_tijd}.",
            "religious_one": "Dnia {van}.",
            "religious_span": "Od {van} do {tot} włącznie.",
            "next_sick": "Nie otrzymają więc Państwo wiadomości o nieobecności dziecka bez "
                         "powodu. Gdy dziecko wyzdrowieje, prosimy zgłosić to w portalu. "
                         "Życzymy szybkiego powrotu do zdrowia!",
            "next_better": "Cieszymy się, że dziecko jest już zdrowe. Witamy z powrotem!",
            "next_medical": "Po wizycie dziecko może wrócić na lekcje.",
            "next_religious": "Życzymy Państwu radosnych świąt.",
        },
    },
    "uk": {
        texts.PARENT: {
            "subject_sick": "Ми отримали повідомлення про хворобу вашої дитини ({roepnaam})",
            "subject_better": "Ми отримали повідомлення про одужання вашої дитини ({roepnaam})",
            "subject_medical": "Ми отримали повідомлення про візит до лікаря вашої дитини "
                               "({roepnaam})",
            "subject_religious": "Ми отримали повідомлення про релігійне свято вашої дитини "
                                 "({roepnaam})",
            "what_sick": "Нам повідомили, що ваша дитина ({roepnaam}) хворіє.",
            "what_better": "Нам повідомили, що ваша дитина ({roepnaam}) одужала.",
            "what_medical": "У вашої дитини ({roepnaam}) візит до лікаря, стоматолога або до "
                            "лікарні.",
            "what_religious": "Ваша дитина ({roepnaam}) буде відсутня через релігійне свято.",
            "sick_from": "Хворіє з {van}.",
            "sick_from_time": "Хворіє з {van}, з {tijd}.",
            "expected": "Очікуване повернення до школи: {terug}.",
            "expected_unknown": "Поки невідомо, коли дитина повернеться до школи.",
            "back": "Повернення до школи: {terug}.",
            "back_time": "Повернення до школи: {terug}, з {tijd}.",
            "medical": "Дата: {datum}, з {van_tijd} до {tot_tijd}.",
            "religious_one": "Дата: {van}.",
            "religious_span": "З {van} до {tot} включно.",
            "next_sick": "Тож ви не отримаєте повідомлення про відсутність дитини без причини. "
                         "Коли дитина одужає, будь ласка, повідомте про це в порталі. Бажаємо "
                         "швидкого одужання!",
            "next_better": "Раді, що дитина одужала. Ласкаво просимо назад!",
            "next_medical": "Після візиту дитина може повернутися на урок.",
            "next_religious": "Бажаємо вам радісних свят.",
        },
    },
}
