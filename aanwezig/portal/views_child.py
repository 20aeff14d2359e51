"""The portal's pages about a child: the home with every child, the child page (presence
first), where the child stands in the protocol, the school's protocol in plain language,
and whom to contact.

Views are thin: the child comes from the gatekeeper (``access.get_child_for_user``: the
same 404 for another family's child, an adult child without consent, and staff), the
rest from :mod:`aanwezig.portal.queries`. Docs: docs/portal.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from aanwezig import access
from aanwezig.portal import queries
from aanwezig.protocol.queries import student_standing
from aanwezig.roster.models import Student


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A parent's children with one calm line of presence each; a student goes on to their
    own page; anyone else gets the usual 404."""
    today = timezone.localdate()
    if access.is_guardian(request.user):
        links = access.children_for_user(request.user, today)
        return render(request, "portal/home.html", {
            "children": queries.children_lines(links, today), "today": today})
    student = access.own_student(request.user)
    if student is None:
        raise Http404(access.NOT_FOUND)
    try:
        return redirect(reverse("portal_student"))
    except NoReverseMatch:  # the student's own portal is not there: show the overview here
        return render(request, "portal/home.html", {
            "overview": queries.child_overview(student, today), "today": today})


def _child(request: HttpRequest, pk: int, what: str) -> tuple[Student, dt.date]:
    """The child through the gatekeeper (404 if not the user's to see; the read is logged as
    ``what``) and today."""
    return access.get_child_for_user(request.user, pk, what=what), timezone.localdate()


def _context(child: Student, today: dt.date, **extra: Any) -> dict[str, Any]:
    return {"child": child, "school": child.school, "today": today, **extra}


@login_required
def child(request: HttpRequest, pk: int) -> HttpResponse:
    """Presence first: this week, the term and the year, the year calendar, what absences
    were registered as and the hours that count towards the protocol (audited)."""
    the_child, today = _child(request, pk, "parent_view")
    context = _context(the_child, today, overview=queries.child_overview(the_child, today))
    return render(request, "portal/child/child.html", context)


@login_required
def standing(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the child stands in the school's protocol: per topic now, the steps reached this
    school year and the next step, who is involved and why (audited)."""
    the_child, today = _child(request, pk, "parent_standing")
    context = _context(the_child, today, standing=student_standing(
        the_child, today, translation.get_language()))
    return render(request, "portal/child/standing.html", context)


@login_required
def protocol(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's whole absence protocol in plain language (the child's school)."""
    the_child, today = _child(request, pk, "parent_protocol")
    version, ladders = queries.plain_protocol(the_child.school)
    context = _context(the_child, today, version=version, ladders=ladders)
    return render(request, "portal/child/protocol.html", context)


@login_required
def contacts(request: HttpRequest, pk: int) -> HttpResponse:
    """The mentor, the attendance desk, the leerplichtambtenaar and youth doctor of the
    child's school, and where to go with worries."""
    the_child, today = _child(request, pk, "parent_contacts")
    context = _context(the_child, today, contacts=queries.contacts(the_child, today))
    return render(request, "portal/child/contacts.html", context)
