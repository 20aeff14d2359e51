"""Pages of the web interface: home, login, the start page per role and the school pages.

Views are thin: they pick the school and the object through :mod:`aanwezig.access`,
ask :mod:`aanwezig.web.queries` for what hangs off it and render.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig import access
from aanwezig.roster.models import active_membership_q
from aanwezig.schools.calendar import Calendar
from aanwezig.schools.models import Role, School
from aanwezig.web import queries
from aanwezig.web.forms import DayForm

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """Say what aanwezig is; a logged-in user goes straight to their start page."""
    if request.user.is_authenticated:
        return redirect("start")
    return render(request, "web/home.html")


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out (POST only, as Django requires) and return to the home page."""


@login_required
def start(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sections = queries.start_sections(request.user, today)
    return render(request, "web/start.html", {"sections": sections, "today": today})


# --- school pages --------------------------------------------------------------------------------

SchoolView = Callable[..., HttpResponse]


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
    return render(request, "web/student.html", context)


@school_page
def lesson(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    the_lesson = access.get_lesson_for_user(request.user, school, pk)
    page = Paginator(queries.members_on(the_lesson.group, the_lesson.date), 100).get_page(
        request.GET.get("page")
    )
    members = list(page.object_list)
    context = _school_context(
        request,
        school,
        crumbs=[(_("Lesson"), None)],
        lesson=the_lesson,
        page=page,
        members=members,
        openable=queries.visible_ids(request.user, school, members),
        group_visible=access.groups_for_user(request.user, school)
        .filter(pk=the_lesson.group_id)
        .exists(),
    )
    return render(request, "web/lesson.html", context)


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
    """A parent's page about one child (404 for anyone else's child or an adult without consent)."""
    the_child = access.get_child_for_user(request.user, pk)
    today = timezone.localdate()
    context = {
        "child": the_child,
        "school": the_child.school,
        "today": today,
        "age": the_child.age_on(today),
        **queries.student_day(the_child, today),
    }
    return render(request, "web/child.html", context)
