"""Pages of the web interface: home, login, the start page per role, the school pages,
the lesson register and the attendance desk.

Views are thin: they pick the school and the object through :mod:`aanwezig.access`,
ask :mod:`aanwezig.web.queries` for what hangs off it and render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from aanwezig import access
from aanwezig.attendance import queries as attendance_queries
from aanwezig.attendance import services as attendance_services
from aanwezig.portal.forms_signin import RateLimitedAuthenticationForm
from aanwezig.roster.models import active_membership_q
from aanwezig.schools.calendar import Calendar
from aanwezig.schools.models import Role, School
from aanwezig.web import queries
from aanwezig.web.forms import (
    CallForm,
    DayForm,
    ReportBetterForm,
    SickReportForm,
    parse_day,
    parse_register,
)

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """Say what aanwezig is; a logged-in user goes straight to their start page."""
    if request.user.is_authenticated:
        return redirect("start")
    return render(request, "web/home.html")


class LoginView(auth_views.LoginView):
    """The password login, rate limited (docs/portal-signin.md)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True
    authentication_form = RateLimitedAuthenticationForm


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, as Django requires) and return to the home page."""


@login_required
def start(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sections = queries.start_sections(request.user, today)
    return render(request, "web/start.html", {"sections": sections, "today": today})


# --- school pages --------------------------------------------------------------------------------

SchoolView = Callable[..., HttpResponse]


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (``HX-Request: true``, read by django-htmx's middleware)."""
    return bool(getattr(request, "htmx", False))


def school_page(view: SchoolView) -> SchoolView:
    """Require a login and pass the school from the URL through the gatekeeper (404 if not yours)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, school_id: int, **kwargs: Any) -> HttpResponse:
        school = access.get_school_for_user(request.user, school_id)
        return view(request, school, **kwargs)

    return wrapper


def _school_context(request: HttpRequest, school: School, **extra: Any) -> dict[str, Any]:
    roles = access.roles_at(request.user, school)
    return {
        "school": school,
        "today": timezone.localdate(),
        "is_school_wide": access.is_school_wide(request.user, school),
        "may_administer": access.may_administer(request.user, school),
        "role_labels": sorted(str(label) for value, label in Role.choices if value in roles),
        **extra,
    }


@school_page
def school(request: HttpRequest, school: School) -> HttpResponse:
    today = timezone.localdate()
    lessons = (
        access.lessons_for_user(request.user, school)
        .filter(date=today)
        .select_related("group", "teacher")
        .order_by("start_time", "group__name")
    )
    page = Paginator(lessons, PAGE_SIZE).get_page(request.GET.get("page"))
    figures = (
        queries.school_figures(request.user, school, today)
        if access.is_school_wide(request.user, school)
        else None
    )
    return render(
        request, "web/school.html", _school_context(request, school, page=page, figures=figures)
    )


@school_page
def groups(request: HttpRequest, school: School) -> HttpResponse:
    today = timezone.localdate()
    visible = queries.groups_in_year(access.groups_for_user(request.user, school, today), today)
    visible = queries.with_member_counts(visible, today).select_related("school_year").order_by(
        "name"
    )
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _school_context(request, school, page=page, crumbs=[(_("Groups"), None)])
    return render(request, "web/groups.html", context)


@school_page
def group(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    the_group = access.get_group_for_user(request.user, school, pk)
    form = DayForm(request.GET or None)
    day = form.day(timezone.localdate())
    page = Paginator(queries.members_on(the_group, day), 100).get_page(request.GET.get("page"))
    members = list(page.object_list)
    context = _school_context(
        request,
        school,
        crumbs=[(_("Groups"), reverse("groups", args=[school.pk])), (the_group.name, None)],
        group=the_group,
        form=form,
        day=day,
        day_iso=day.isoformat(),
        page=page,
        members=members,
        openable=queries.visible_ids(request.user, school, members),
        mentors=[gm.user for gm in the_group.mentorships.select_related("user")],
        timetable=queries.timetable_of(the_group, day),
    )
    return render(request, "web/group.html", context)


@school_page
def student(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    the_student = access.get_student_for_user(request.user, school, pk)
    today = timezone.localdate()
    memberships = list(
        the_student.memberships.filter(active_membership_q(today)).select_related("group")
    )
    context = _school_context(
        request,
        school,
        crumbs=[(the_student.full_name, None)],
        student=the_student,
        age=the_student.age_on(today),
        is_adult=the_student.is_adult_on(today),
        memberships=memberships,
        links=queries.guardian_links(the_student),
        show_identifiers=access.may_see_identifiers(request.user, school),
    )
    attendance = attendance_queries.student_attendance(the_student, today)
    context.update(
        attendance=attendance,
        periods=[(_("this week"), attendance.week), (_("this term"), attendance.term),
                 (_("this school year"), attendance.year)],
        months=queries.calendar_months(attendance.calendar),
        legend=queries.calendar_legend(),
        day_numbers=range(1, 32),
        reason_labels=queries.reason_labels(school),
    )
    if access.may_record_absence(request.user, the_student):
        context.update(
            may_report=True,
            reports=queries.open_absence_reports(the_student, today),
            sick_form=SickReportForm(initial={"start_date": today}),
        )
    return render(request, "web/student.html", context)


@school_page
@require_http_methods(["GET", "POST"])
def lesson(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The lesson and its register: everyone present by default, one request saves it.

    A POST saves the register through ``record_register``. With htmx the register
    partial comes back; without JavaScript the page redirects to itself with a
    message. Marks the school already knew (a sick report, approved leave) are
    locked and their rows are not sent to the service.
    """
    the_lesson = access.get_lesson_for_user(request.user, school, pk)
    the_lesson.school = school  # already loaded: spares the services a query
    today = timezone.localdate()
    may_record = (
        access.may_take_register(request.user, the_lesson)
        and not the_lesson.is_cancelled
        and the_lesson.date <= today
    )
    rows = attendance_queries.register_rows(the_lesson)
    reasons = queries.settable_reasons(request.user, school)
    errors: list[str] = []
    saved = None
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        open_ids = [row.student.pk for row in rows if not row.locked]
        entries, errors = parse_register(request.POST, open_ids, {r.code for r in reasons})
        if not errors:
            try:
                attendance_services.record_register(
                    the_lesson,
                    actor=request.user,
                    entries=[attendance_services.MarkInput(**vars(e)) for e in entries],
                )
            except ValidationError as exc:
                errors = list(exc.messages)
        if not errors:
            rows = attendance_queries.register_rows(the_lesson)
            saved = _saved_message(queries.register_summary(rows))
            if not is_htmx(request):
                messages.success(request, saved)
                return redirect("lesson", school.pk, the_lesson.pk)
    registration = queries.registration_of(the_lesson)
    # The full history is shown to school-wide roles only; others need just the "changed" flags.
    show_history = access.is_school_wide(request.user, school)
    history = attendance_queries.lesson_history(the_lesson) if show_history else []
    members = [row.student for row in rows]
    context = _school_context(
        request,
        school,
        crumbs=[(_("Lesson"), None)],
        lesson=the_lesson,
        rows=rows,
        members=members,
        reasons=reasons,
        may_record=may_record,
        registration=registration,
        summary=queries.register_summary(rows),
        corrected=queries.corrected_student_ids(the_lesson, registration),
        history=history if show_history else None,
        reason_labels=queries.reason_labels(school),
        errors=errors,
        saved=saved,
        openable=queries.visible_ids(request.user, school, members),
        group_visible=access.groups_for_user(request.user, school)
        .filter(pk=the_lesson.group_id)
        .exists(),
    )
    template = "web/lesson.html#register" if is_htmx(request) else "web/lesson.html"
    return render(request, template, context, status=400 if errors and not is_htmx(request) else 200)


def _saved_message(summary: queries.RegisterSummary) -> str:
    """"Saved at 09:12 — 27 present, 2 absent, 1 late": presence first, zero counts left out."""
    parts = [ngettext("%(n)d present", "%(n)d present", summary.present) % {"n": summary.present}]
    if summary.absent:
        parts.append(ngettext("%(n)d absent", "%(n)d absent", summary.absent) % {"n": summary.absent})
    if summary.late:
        parts.append(ngettext("%(n)d late", "%(n)d late", summary.late) % {"n": summary.late})
    if summary.removed:
        parts.append(ngettext("%(n)d removed from class", "%(n)d removed from class",
                              summary.removed) % {"n": summary.removed})
    return _("Saved at %(time)s — %(counts)s") % {
        "time": timezone.localtime().strftime("%H:%M"),
        "counts": ", ".join(parts),
    }


@school_page
def missing_registers(request: HttpRequest, school: School) -> HttpResponse:
    """Registers not taken: today per teacher, and per day over the last two weeks."""
    access.require_school_wide(request.user, school)
    today = timezone.localdate()
    context = _school_context(
        request,
        school,
        crumbs=[(_("Registers not taken"), None)],
        missing=attendance_queries.missing_registers(school, today),
        by_day=attendance_queries.missing_registers_by_day(
            school, today - dt.timedelta(days=14), today - dt.timedelta(days=1)
        ),
    )
    return render(request, "web/missing_registers.html", context)


# --- the attendance desk -------------------------------------------------------------------------


def _desk_context(request: HttpRequest, school: School, day: dt.date, **extra: Any) -> dict[str, Any]:
    desk_day = attendance_queries.desk_day(school, day)
    for item in desk_day.unexplained:  # whoever can be phoned comes first
        item.guardians.sort(key=lambda contact: not contact.phone)
    return _school_context(
        request,
        school,
        crumbs=[(_("Attendance desk"), None)],
        day=day,
        previous_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
        desk=desk_day,
        reasons=queries.settable_reasons(request.user, school),
        **extra,
    )


@school_page
def desk(request: HttpRequest, school: School) -> HttpResponse:
    """The attendance desk's day: whom to call, who is late, sick, on leave or was removed."""
    access.require_school_wide(request.user, school)
    day = parse_day(request.GET.get("dag"), timezone.localdate())
    return render(request, "web/desk.html", _desk_context(request, school, day))


@school_page
@require_POST
def desk_call(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Log one phone call about a student absent without a known reason."""
    access.require_school_wide(request.user, school)
    the_student = access.get_student_for_user(request.user, school, pk, what="desk_call")
    reasons = queries.settable_reasons(request.user, school)
    form = CallForm(request.POST, reason_codes={r.code for r in reasons})
    error: str | None = None
    done: str | None = None
    day = timezone.localdate()
    if form.is_valid():
        day = form.cleaned_data["day"]
        guardian = queries.contactable_guardian(the_student, form.cleaned_data["guardian"], day)
        try:
            attendance_services.log_call(
                the_student,
                day=day,
                outcome=form.cleaned_data["outcome"],
                actor=request.user,
                guardian=guardian,
                reason_code=form.cleaned_data["reason_code"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = _form_errors(form)
    if error is None:
        done = _("Call about %(name)s saved.") % {"name": the_student.full_name}
    if is_htmx(request):
        context = _desk_context(request, school, day, call_error=error,
                                call_error_for=the_student.pk,
                                call_done=done)
        return render(request, "web/desk.html#desk", context)
    if done is not None:
        messages.success(request, done)
    else:
        messages.error(request, error or "")
    return redirect(f"{reverse('desk', args=[school.pk])}?dag={day.isoformat()}")


def _form_errors(form: Any) -> str:
    """A form's error messages as one line, for a message after a redirect."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


# --- absence reports by the office ---------------------------------------------------------------


@school_page
@require_POST
def sick_report(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The office reports a student sick (only that they are sick, never what they have)."""
    the_student = access.get_student_for_user(request.user, school, pk, log_read=False)
    if not access.may_record_absence(request.user, the_student):
        raise Http404(access.NOT_FOUND)
    form = SickReportForm(request.POST)
    reason = queries.sick_reason(school)
    if form.is_valid() and reason is not None:
        try:
            attendance_services.create_absence_report(
                the_student,
                reason_code=reason.code,
                start_date=form.cleaned_data["start_date"],
                start_time=form.cleaned_data["start_time"],
                expected_end=form.cleaned_data["expected_end"],
                actor=request.user,
                source="office",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s is reported sick. Get well soon!")
                             % {"name": the_student.given_name})
    elif reason is None:
        messages.error(request, _("This school has no absence reason for sickness yet."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(f"{reverse('student', args=[school.pk, the_student.pk])}#ziekmelding")


@school_page
@require_POST
def report_better(request: HttpRequest, school: School, pk: int, report_pk: int) -> HttpResponse:
    """End an open absence report: the student is better (or back) from the given day."""
    the_student = access.get_student_for_user(request.user, school, pk, log_read=False)
    report = access.get_absence_report_for_user(request.user, school, the_student, report_pk)
    form = ReportBetterForm(request.POST)
    if form.is_valid():
        try:
            attendance_services.end_absence_report(
                report, end_date=form.cleaned_data["end_date"], actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s is reported better. Welcome back!")
                             % {"name": the_student.given_name})
    else:
        messages.error(request, _form_errors(form))
    return redirect(f"{reverse('student', args=[school.pk, the_student.pk])}#ziekmelding")


@school_page
def calendar(request: HttpRequest, school: School) -> HttpResponse:
    today = timezone.localdate()
    years = list(school.school_years.order_by("start_date"))
    year = next((y for y in years if str(y.pk) == request.GET.get("jaar")), None)
    year = year or next((y for y in years if y.contains(today)), None) or (years[-1] if years else None)
    context = _school_context(
        request, school, years=years, year=year, crumbs=[(_("School calendar"), None)]
    )
    if year is not None:
        context.update(queries.calendar_overview(school, year, Calendar(school, year.start_date,
                                                                         year.end_date)))
    return render(request, "web/calendar.html", context)


# --- families ------------------------------------------------------------------------------------


@login_required
def child(request: HttpRequest, pk: int) -> HttpResponse:
    """The old address of a parent's child page: on to the portal's child page (the same 404
    for anyone else's child or an adult without consent; the portal page logs the read)."""
    if not any(link.student.pk == pk for link in access.children_for_user(request.user)):
        raise Http404(access.NOT_FOUND)
    return redirect("portal_child", pk=pk)
