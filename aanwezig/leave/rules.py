"""The law's rules for a leave request, as pure checks: facts in, a verdict out, no database.

Leerplichtwet 1969 (docs/leave.md):

* **Holiday leave, art. 13a** — only when a parent's job rules out a holiday in every school
  holiday: at most 10 school days, once per school year per student, never in the first two
  school weeks of the school year, with a statement from the employer. Ask at least 8 weeks
  ahead (practice): a later request is not refused, the parent is warned.
* **Important circumstances, art. 14** — a wedding, a funeral, serious illness, moving house,
  a jubilee. Up to 10 school days the school head decides; more than 10, the
  leerplichtambtenaar (the school forwards the request).

For every request: the days lie inside one school year of the school, the last day does not
come before the first, no day is asked for twice (another request that is open or approved),
there is at least one school day in it, and an uploaded file is a PDF, PNG or JPEG by its
content (not its name) of at most 5 MB. ``services`` gathers the facts from the database and
refuses a request with errors; nothing is saved then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from aanwezig.leave.models import DecidedBy, LeaveKind

#: At most this many school days: holiday leave always, the school head for art. 14.
MAX_SCHOOL_DAYS = 10
#: Holiday leave is asked at least this long before it starts (a warning, not a refusal).
NOTICE = dt.timedelta(weeks=8)
#: Holiday leave is never granted in this many first school weeks of the school year.
FIRST_SCHOOL_WEEKS = 2
#: An uploaded statement may be at most this large.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: The longest reason a parent may write.
REASON_MAX = 2000

#: What an upload must start with, per type we accept: (content type, extension).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
#: How many bytes of an upload ``file_type`` needs to see.
HEAD_BYTES = 16


def _d(day: dt.date) -> str:
    return f"{day:%d-%m-%Y}"


def file_type(head: bytes) -> tuple[str, str] | None:
    """The (content type, extension) of a file from its first bytes, or None when it is not a
    PDF, PNG or JPEG. The name a file was uploaded with is never trusted."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


@dataclass(frozen=True)
class Upload:
    """What the rules need to know of an uploaded file: its size and first bytes."""

    name: str
    size: int
    head: bytes


@dataclass(frozen=True)
class RequestFacts:
    """Everything the rules look at, gathered by ``services.request_facts``.

    ``school_year``: the first and last day of the school year that contains ``start``
    (None: no school year); ``school_days``: the school days from ``start`` through ``end``
    (the school's calendar); ``first_weeks_end``: the last day of the second school week of
    that year; ``other_holiday_leave``: another holiday-leave request of the student in that
    year is open or approved; ``overlapping``: (first, last day) of the student's other open
    or approved requests that share a day with this one.
    """

    kind: str
    start: dt.date
    end: dt.date
    today: dt.date
    reason: str = ""
    school_year: tuple[dt.date, dt.date] | None = None
    school_days: tuple[dt.date, ...] = ()
    first_weeks_end: dt.date | None = None
    other_holiday_leave: bool = False
    overlapping: tuple[tuple[dt.date, dt.date], ...] = ()
    upload: Upload | None = None


@dataclass
class Verdict:
    """The outcome of the checks: errors per form field (empty: the request may be saved),
    notes for the parent (code, text), the school days counted and who decides."""

    errors: dict[str, list[ValidationError]] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)
    school_days: int = 0
    decides: str = DecidedBy.SCHOOL_HEAD

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, name: str, message: str, code: str) -> None:
        self.errors.setdefault(name, []).append(ValidationError(message, code=code))

    def error_codes(self) -> set[str]:
        return {str(error.code) for errors in self.errors.values() for error in errors}

    def as_error(self) -> ValidationError:
        return ValidationError({name: list(errors) for name, errors in self.errors.items()})


def who_decides(kind: str, school_days: int) -> str:
    """The school head, except for important circumstances of more than 10 school days:
    those go to the leerplichtambtenaar."""
    if kind == LeaveKind.IMPORTANT_14 and school_days > MAX_SCHOOL_DAYS:
        return DecidedBy.LEERPLICHT
    return DecidedBy.SCHOOL_HEAD


def check_upload(upload: Upload, verdict: Verdict, name: str = "statement") -> None:
    """A PDF, PNG or JPEG by content, at most 5 MB."""
    if upload.size > MAX_FILE_BYTES:
        verdict.refuse(name, _("The file is larger than 5 MB. Send a smaller file, for example "
                               "a photo or scan at a lower resolution."), "file_too_large")
    elif upload.size == 0 or file_type(upload.head) is None:
        verdict.refuse(name, _("This file is not a PDF, PNG or JPEG. Send the statement as a "
                               "PDF or as a photo (PNG or JPEG)."), "file_type")


def check_request(facts: RequestFacts) -> Verdict:
    """Check a new leave request against the law's rules; see the module's docstring.

    1. The dates: the last day not before the first, not in the past, inside one school
       year, at least one school day, no day asked for in another open or approved request.
    2. Holiday leave (13a): at most 10 school days, not in the first two school weeks, once
       per school year, an employer's statement; less than 8 weeks ahead is a note.
    3. Important circumstances (14): more than 10 school days go to the leerplichtambtenaar
       (a note says so).
    4. The reason is written; an uploaded file is a PDF or image of at most 5 MB.
    """
    verdict = Verdict()
    start, end = facts.start, facts.end
    holiday = facts.kind == LeaveKind.HOLIDAY_13A
    if facts.kind not in LeaveKind.values:
        verdict.refuse("kind", _("Choose holiday leave or leave for important circumstances."),
                       "unknown_kind")
        return verdict

    # 1. The dates.
    dates_ok = True
    if end < start:
        verdict.refuse("end_date", _("The last day cannot come before the first day."),
                       "end_before_start")
        dates_ok = False
    elif start < facts.today:
        verdict.refuse("start_date", _("Leave is asked for beforehand. For days that have "
                                       "passed, please contact the school."), "in_the_past")
        dates_ok = False
    elif facts.school_year is None or not facts.school_year[0] <= start <= facts.school_year[1]:
        verdict.refuse("start_date", _("%(date)s is not inside a school year of the school.")
                       % {"date": _d(start)}, "outside_school_year")
        dates_ok = False
    elif end > facts.school_year[1]:
        verdict.refuse("end_date", _("The leave must end within the school year, on "
                                     "%(date)s at the latest. For days after that, please "
                                     "send a second request.")
                       % {"date": _d(facts.school_year[1])}, "outside_school_year")
        dates_ok = False
    elif not facts.school_days:
        verdict.refuse("end_date", _("There are no school days in this period, so no leave is "
                                     "needed."), "no_school_days")
        dates_ok = False
    elif facts.overlapping:
        first, last = facts.overlapping[0]
        verdict.refuse("start_date", _("You already asked for leave for some of these days "
                                       "(%(start)s through %(end)s). Withdraw that request "
                                       "first, or choose other days.")
                       % {"start": _d(first), "end": _d(last)}, "overlap")
        dates_ok = False
    verdict.school_days = len(facts.school_days) if dates_ok else 0
    verdict.decides = who_decides(facts.kind, verdict.school_days)

    # 2. Holiday leave (art. 13a).
    if holiday:
        if dates_ok and verdict.school_days > MAX_SCHOOL_DAYS:
            verdict.refuse("end_date", _("Holiday leave is at most 10 school days; you ask for "
                                         "%(days)s. Choose fewer days.")
                           % {"days": verdict.school_days}, "too_many_days")
        if dates_ok and facts.first_weeks_end and facts.school_days[0] <= facts.first_weeks_end:
            verdict.refuse("start_date", _("Holiday leave is not possible in the first two "
                                           "school weeks of the school year (through "
                                           "%(date)s).") % {"date": _d(facts.first_weeks_end)},
                           "first_school_weeks")
        if facts.other_holiday_leave:
            verdict.refuse("kind", _("Holiday leave can be given once per school year. There "
                                     "is already a request for this school year."),
                           "once_per_year")
        if facts.upload is None:
            verdict.refuse("statement", _("Holiday leave needs a statement from the employer "
                                          "that you cannot take a holiday in any school "
                                          "holiday. Please add it as a PDF or photo."),
                           "statement_missing")
        if dates_ok and start - facts.today < NOTICE:
            verdict.notes.append(("short_notice", _(
                "You ask less than 8 weeks ahead. The school will still look at your request, "
                "but it may take a while; please ask earlier next time.")))

    # 3. Important circumstances (art. 14), more than 10 school days.
    if verdict.ok and verdict.decides == DecidedBy.LEERPLICHT:
        verdict.notes.append(("to_leerplicht", _(
            "You ask for more than 10 school days. The school sends your request to the "
            "leerplichtambtenaar, who decides about it.")))

    # 4. The reason and the file.
    reason = facts.reason.strip()
    if not reason:
        verdict.refuse("reason", _("Please write why you ask for leave."), "reason_missing")
    elif len(reason) > REASON_MAX:
        verdict.refuse("reason", _("Please keep the reason to %(max)s characters (it has "
                                   "%(n)s).") % {"max": REASON_MAX, "n": len(reason)},
                       "reason_too_long")
    if facts.upload is not None:
        check_upload(facts.upload, verdict)
    return verdict
