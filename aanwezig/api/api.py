"""The REST API (docs/api.md): token per school, scopes read and write, the UI's gatekeeper.

Every operation takes the school and its actor from the token (``auth.api_actor``) and asks
:mod:`aanwezig.access` for what it may see, exactly as a view does; writes go through the
audited services. Lists are pages of at most 100; every 4xx and 5xx answer is
``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from aanwezig import access
from aanwezig.api import schemas as s
from aanwezig.api.auth import RateLimited, ScopeMissing, TokenAuth, require_scope
from aanwezig.attendance import services as attendance
from aanwezig.attendance.models import AbsenceReport, Mark, Registration, ReportSource
from aanwezig.protocol import dossiers
from aanwezig.protocol.duo_school import school_reports
from aanwezig.protocol.management.commands.protocol_signals import school_signals
from aanwezig.roster.models import Membership, active_membership_q

log = logging.getLogger(__name__)

MAX_LIMIT = 100
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)

ERRORS: dict[int, type[Schema]] = dict.fromkeys((401, 403, 404, 422, 429), s.Error)


class QuietNinjaAPI(NinjaAPI):
    """Operations get no URL names: the API is one resource for Django's URL tools, with
    the OpenAPI document and the docs as its only named URLs."""

    def get_operation_url_name(self, operation: Any, router: Any) -> str:
        return ""


api = QuietNinjaAPI(
    title="aanwezig API",
    version="1",
    description="Read and write attendance of one school. See docs/api.md.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# --- errors --------------------------------------------------------------------------------------

def error_response(request: HttpRequest, status: int, code: str, message: str,
                   details: Any = None) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "details": details}}, status=status)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [{"loc": list(e.get("loc", [])), "msg": str(e.get("msg", "")),
                "type": str(e.get("type", ""))} for e in exc.errors]
    return error_response(request, 422, "invalid", "The request is not valid.", details)


@api.exception_handler(DjangoValidationError)
def _refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return error_response(request, 422, "refused", " ".join(exc.messages), exc.messages)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(request, 401, "unauthorized",
                              "Send a valid token: Authorization: Bearer <token>.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ScopeMissing)
def _scope(request: HttpRequest, exc: ScopeMissing) -> HttpResponse:
    return error_response(request, 403, "scope_missing",
                          f"This token lacks the scope “{exc.scope}”.", {"scope": exc.scope})


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or "Not allowed.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "Not found.")


@api.exception_handler(RateLimited)
def _limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = error_response(request, 429, "rate_limited", "Too many requests; slow down.",
                              {"retry_after": exc.retry_after})
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API error")
    return error_response(request, 500, "server_error", "Something went wrong on our side.")


# --- pagination ----------------------------------------------------------------------------------

class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="At most 100.")
    offset: int = Field(0, ge=0, le=10_000_000)


def paginate(items: QuerySet[Any] | list[Any], params: PageParams) -> dict[str, Any]:
    count = items.count() if isinstance(items, QuerySet) else len(items)
    page = list(items[params.offset:params.offset + params.limit])
    end = params.offset + len(page)
    return {"count": count, "limit": params.limit, "offset": params.offset,
            "next_offset": end if end < count else None, "items": page}


def _school_and_actor(request: HttpRequest, scope: str = "read") -> tuple[Any, Any]:
    token, actor = require_scope(request, scope)
    return token.school, actor


# --- students and groups -------------------------------------------------------------------------

def _student(student: Any) -> dict[str, Any]:
    return {
        "id": student.pk, "school_key": student.school_key, "given_name": student.given_name,
        "prefix": student.prefix, "last_name": student.last_name,
        "full_name": student.full_name, "birth_date": student.birth_date,
        "sector": student.sector, "enrolment_start": student.enrolment_start,
        "enrolment_end": student.enrolment_end,
    }


class StudentFilter(PageParams):
    group_id: int | None = Field(None, description="Only current members of this group.")


@api.get("/students", response={200: s.StudentPage, **ERRORS}, tags=["students"])
def list_students(request: HttpRequest, params: Query[StudentFilter]) -> Any:
    school, actor = _school_and_actor(request)
    students = access.students_for_user(actor, school).order_by("last_name", "given_name", "pk")
    if params.group_id is not None:
        group = access.get_group_for_user(actor, school, params.group_id)
        members = Membership.objects.filter(active_membership_q(timezone.localdate()),
                                            group=group).values("student_id")
        students = students.filter(pk__in=members)
    page = paginate(students, params)
    page["items"] = [_student(st) for st in page["items"]]
    return page


@api.get("/students/{student_id}", response={200: s.StudentOut, **ERRORS}, tags=["students"])
def get_student(request: HttpRequest, student_id: int) -> Any:
    school, actor = _school_and_actor(request)
    return _student(access.get_student_for_user(actor, school, student_id, what="api_student"))


def _group(group: Any) -> dict[str, Any]:
    return {"id": group.pk, "name": group.name, "kind": group.kind,
            "year_level": group.year_level, "school_year": str(group.school_year),
            "external_key": group.external_key}


@api.get("/groups", response={200: s.GroupPage, **ERRORS}, tags=["groups"])
def list_groups(request: HttpRequest, params: Query[PageParams]) -> Any:
    school, actor = _school_and_actor(request)
    groups = access.groups_for_user(actor, school).select_related("school_year").order_by(
        "name", "pk")
    page = paginate(groups, params)
    page["items"] = [_group(g) for g in page["items"]]
    return page


@api.get("/groups/{group_id}", response={200: s.GroupOut, **ERRORS}, tags=["groups"])
def get_group(request: HttpRequest, group_id: int) -> Any:
    school, actor = _school_and_actor(request)
    return _group(access.get_group_for_user(actor, school, group_id))


# --- lessons and registrations -------------------------------------------------------------------

class DateFilter(PageParams):
    date_from: dt.date | None = Field(None, ge=EARLIEST, le=LATEST)
    date_to: dt.date | None = Field(None, ge=EARLIEST, le=LATEST)
    group_id: int | None = None


def _lessons(request: HttpRequest, params: DateFilter) -> tuple[Any, Any, QuerySet[Any]]:
    school, actor = _school_and_actor(request)
    lessons = access.lessons_for_user(actor, school)
    if params.date_from:
        lessons = lessons.filter(date__gte=params.date_from)
    if params.date_to:
        lessons = lessons.filter(date__lte=params.date_to)
    if params.group_id is not None:
        lessons = lessons.filter(group=access.get_group_for_user(actor, school, params.group_id))
    return school, actor, lessons


def _lesson(lesson: Any) -> dict[str, Any]:
    return {"id": lesson.pk, "date": lesson.date, "start_time": lesson.start_time,
            "end_time": lesson.end_time, "group_id": lesson.group_id, "subject": lesson.subject,
            "room": lesson.room, "teacher_id": lesson.teacher_id, "status": lesson.status,
            "has_register": lesson.has_register}


@api.get("/lessons", response={200: s.LessonPage, **ERRORS}, tags=["lessons"])
def list_lessons(request: HttpRequest, params: Query[DateFilter]) -> Any:
    _school, _actor, lessons = _lessons(request, params)
    lessons = lessons.annotate(
        has_register=Exists(Registration.objects.filter(lesson=OuterRef("pk")))
    ).order_by("date", "start_time", "pk")
    page = paginate(lessons, params)
    page["items"] = [_lesson(lesson) for lesson in page["items"]]
    return page


@api.get("/lessons/{lesson_id}", response={200: s.LessonOut, **ERRORS}, tags=["lessons"])
def get_lesson(request: HttpRequest, lesson_id: int) -> Any:
    school, actor = _school_and_actor(request)
    lesson = access.get_lesson_for_user(actor, school, lesson_id)
    lesson.has_register = Registration.objects.filter(lesson=lesson).exists()  # type: ignore[attr-defined]
    return _lesson(lesson)


def _registrations(rows: list[Registration]) -> list[dict[str, Any]]:
    marks: dict[int, list[dict[str, Any]]] = {r.lesson_id: [] for r in rows}
    for mark in (Mark.objects.filter(lesson_id__in=list(marks))
                 .values("lesson_id", "student_id", "status", "reason__code", "minutes_late",
                         "source").order_by("lesson_id", "student_id")):
        marks[mark["lesson_id"]].append({
            "student_id": mark["student_id"], "status": mark["status"],
            "reason_code": mark["reason__code"], "minutes_late": mark["minutes_late"],
            "source": mark["source"]})
    return [{"id": r.pk, "lesson_id": r.lesson_id, "date": r.lesson.date,
             "taken_at": r.taken_at, "updated_at": r.updated_at, "marks": marks[r.lesson_id]}
            for r in rows]


@api.get("/registrations", response={200: s.RegistrationPage, **ERRORS},
         tags=["registrations"])
def list_registrations(request: HttpRequest, params: Query[DateFilter]) -> Any:
    """Registers taken, with their marks (absent, late, removed; the rest were present)."""
    school, _actor, lessons = _lessons(request, params)
    registrations = (Registration.objects.filter(school=school, lesson__in=lessons)
                     .select_related("lesson").order_by("lesson__date", "lesson__start_time",
                                                        "pk"))
    page = paginate(registrations, params)
    page["items"] = _registrations(page["items"])
    return page


@api.get("/lessons/{lesson_id}/register", response={200: s.RegistrationOut, **ERRORS},
         tags=["registrations"])
def get_register(request: HttpRequest, lesson_id: int) -> Any:
    school, actor = _school_and_actor(request)
    lesson = access.get_lesson_for_user(actor, school, lesson_id)
    registration = Registration.objects.filter(lesson=lesson).select_related("lesson").first()
    if registration is None:
        raise Http404
    return _registrations([registration])[0]


@api.put("/lessons/{lesson_id}/register", response={200: s.RegisterResultOut, **ERRORS},
         tags=["registrations"])
def put_register(request: HttpRequest, lesson_id: int, body: s.RegisterIn) -> Any:
    """Save a lesson's whole register (scope write): students left out were present."""
    school, actor = _school_and_actor(request, "write")
    lesson = access.get_lesson_for_user(actor, school, lesson_id)
    result = attendance.record_register(lesson, actor=actor, entries=[
        attendance.MarkInput(student_id=m.student_id, status=m.status,
                             reason_code=m.reason_code, minutes_late=m.minutes_late)
        for m in body.marks])
    registration = Registration.objects.select_related("lesson").get(pk=result.registration.pk)
    return {"registration": _registrations([registration])[0], "created": result.created,
            "updated": result.updated, "removed": result.removed,
            "unchanged": result.unchanged}


# --- absences ------------------------------------------------------------------------------------

class AbsenceFilter(PageParams):
    student_id: int | None = None
    active_on: dt.date | None = Field(None, ge=EARLIEST, le=LATEST,
                                      description="Only reports that cover this day.")


def _absence(report: AbsenceReport) -> dict[str, Any]:
    return {"id": report.pk, "student_id": report.student_id, "reason_code": report.reason.code,
            "start_date": report.start_date, "start_time": report.start_time,
            "end_date": report.end_date, "end_time": report.end_time,
            "expected_end": report.expected_end, "source": report.source,
            "withdrawn": report.withdrawn}


@api.get("/absences", response={200: s.AbsencePage, **ERRORS}, tags=["absences"])
def list_absences(request: HttpRequest, params: Query[AbsenceFilter]) -> Any:
    """Absence reports known beforehand: sick reports, leave, school activities."""
    school, actor = _school_and_actor(request)
    reports = AbsenceReport.objects.filter(
        school=school, student__in=access.students_for_user(actor, school)
    ).select_related("reason").order_by("-start_date", "-pk")
    if params.student_id is not None:
        student = access.get_student_for_user(actor, school, params.student_id,
                                              what="api_absences")
        reports = reports.filter(student=student)
    if params.active_on is not None:
        reports = attendance.active_reports(
            access.students_for_user(actor, school).values_list("pk", flat=True),
            params.active_on, params.active_on).filter(pk__in=reports.values("pk")).select_related(
            "reason").order_by("-start_date", "-pk")
    page = paginate(reports, params)
    page["items"] = [_absence(r) for r in page["items"]]
    return page


@api.post("/absences", response={201: s.AbsenceOut, **ERRORS}, tags=["absences"])
def report_sick(request: HttpRequest, body: s.SickReportIn) -> Any:
    """Report a student sick (scope write), as the attendance desk would; open-ended until
    the student is reported better."""
    school, actor = _school_and_actor(request, "write")
    student = access.get_student_for_user(actor, school, body.student_id, log_read=False)
    report = attendance.create_absence_report(
        student, reason_code=body.reason_code, start_date=body.start_date,
        start_time=body.start_time, expected_end=body.expected_end, actor=actor,
        source=ReportSource.OFFICE)
    return Status(201, _absence(report))


# --- protocol and DUO ----------------------------------------------------------------------------

class DayParams(PageParams):
    day: dt.date | None = Field(None, ge=EARLIEST, le=LATEST, description="Default today.")


@api.get("/protocol/signals", response={200: s.SignalPage, **ERRORS}, tags=["protocol"])
def list_signals(request: HttpRequest, params: Query[DayParams]) -> Any:
    """The protocol steps due on ``day`` for the school's students."""
    school, actor = _school_and_actor(request)
    access.require_school_wide(actor, school)
    return paginate(school_signals(school, params.day or timezone.localdate()), params)


class PeriodParams(PageParams):
    start: dt.date | None = Field(None, ge=EARLIEST, le=LATEST,
                                  description="Default: a year before ``end``.")
    end: dt.date | None = Field(None, ge=EARLIEST, le=LATEST, description="Default today.")


@api.get("/duo/reports", response={200: s.DuoReportPage, **ERRORS}, tags=["duo"])
def list_duo_reports(request: HttpRequest, params: Query[PeriodParams]) -> Any:
    """The DUO absence reports (verzuimmeldingen) whose end date lies in [start, end]."""
    school, actor = _school_and_actor(request)
    access.require_school_wide(actor, school)
    end = params.end or timezone.localdate()
    start = params.start or end - dt.timedelta(days=365)
    if start > end or (end - start).days > 400:
        raise DjangoValidationError("Choose a period of at most 400 days, start before end.")
    rows = [{"student_key": key, "kind": str(report.kind), "start_date": report.start_date,
             "end_date": report.end_date, "hours": report.hours, "due_date": report.due_date,
             "mandatory": report.mandatory}
            for key, report in school_reports(school, start, end)]
    return paginate(rows, params)


@api.get("/duo/dossiers", response={200: s.DossierPage, **ERRORS}, tags=["duo"])
def list_duo_dossiers(request: HttpRequest, params: Query[PageParams]) -> Any:
    """The DUO dossiers prepared at the school, newest first."""
    school, actor = _school_and_actor(request)
    access.require_school_wide(actor, school)
    rows = dossiers.dossiers_of(school).order_by("-start_date", "-pk")
    page = paginate(rows, params)
    page["items"] = [{"id": d.pk, "student_id": d.student_id, "kind": d.kind,
                      "status": d.status, "start_date": d.start_date, "end_date": d.end_date,
                      "due_on": d.due_on, "hours": float(d.hours)} for d in page["items"]]
    return page
