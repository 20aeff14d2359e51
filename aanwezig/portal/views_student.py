"""The student's own portal, consent per parent for students of 18 or over, and the inbox
for parents and students.

Views are thin: the student comes from the gatekeeper (``access.own_student``; anyone who
is not a student gets the usual 404), messages from :mod:`aanwezig.portal.inbox` (only
the user's own), and every write goes through a service (``portal.consent.set_consent``,
``portal.inbox.reply_to_message``). Docs: docs/portal-student.md.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aanwezig import access
from aanwezig.portal import consent, inbox, queries
from aanwezig.portal.forms_student import ConsentForm, ReplyForm
from aanwezig.roster.models import Student

#: Messages per page in the inbox.
INBOX_PAGE_SIZE = 50

StudentView = Callable[..., HttpResponse]


def student_page(view: StudentView) -> StudentView:
    """Require a login and pass the user's own student record (404 for anyone else)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        student = access.own_student(request.user)
        if student is None:
            raise Http404(access.NOT_FOUND)
        return view(request, student, **kwargs)

    return wrapper


def _url_or_none(name: str) -> str | None:
    """The URL of a portal page of another part, or None while it does not exist."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@student_page
def student_home(request: HttpRequest, student: Student) -> HttpResponse:
    """The student's own attendance, presence first, and where they stand in the protocol;
    for a student of 18 or over also who may follow along, with a banner until they choose."""
    today = timezone.localdate()
    is_adult = student.is_adult_on(today)
    links = consent.consent_links(student) if is_adult else []
    context = {
        "student": student, "school": student.school, "today": today, "is_adult": is_adult,
        "overview": queries.child_overview(student, today),
        "contacts": queries.contacts(student, today),
        "links": links, "needs_choice": consent.needs_choice(student, today, links),
        "preferences_url": _url_or_none("portal_preferences"),
    }
    return render(request, "portal/student/home.html", context)


@student_page
@require_http_methods(["GET", "POST"])
def consent_page(request: HttpRequest, student: Student) -> HttpResponse:
    """Per parent two switches: may see my attendance, may be contacted about me. Only for
    a student of 18 or over; a change takes effect at once."""
    today = timezone.localdate()
    if not student.is_adult_on(today):
        raise Http404(access.NOT_FOUND)
    links = consent.consent_links(student)
    data = request.POST if request.method == "POST" else None
    form = ConsentForm(data, links=links)
    if request.method == "POST" and form.is_valid():
        try:
            consent.set_consent(student, form.choices(), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved. Your choice counts from now on."))
            return redirect("portal_consent")
    return render(request, "portal/student/consent.html", {
        "student": student, "school": student.school, "today": today, "form": form,
        "links": links, "needs_choice": consent.needs_choice(student, today, links),
    })


# --- the inbox -----------------------------------------------------------------------------------

def _inbox_user(request: HttpRequest) -> None:
    """Parents and students have an inbox; anyone else gets the usual 404."""
    if not inbox.has_inbox(request.user):
        raise Http404(access.NOT_FOUND)


@login_required
def inbox_list(request: HttpRequest) -> HttpResponse:
    """The messages the parent or student got from school, newest first."""
    _inbox_user(request)
    page = Paginator(inbox.inbox_messages(request.user), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "portal/inbox/list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def inbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    """One message in full, the replies so far, and a form to reply (two-way)."""
    _inbox_user(request)
    message = inbox.get_inbox_message(request.user, pk)
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            inbox.reply_to_message(message, body=form.cleaned_data["body"], actor=request.user)
        except ValidationError as exc:
            form.add_error("body", exc)
        else:
            messages.success(request, _("Your reply has been sent to the school. Thank you."))
            return redirect(reverse("portal_message", args=[message.pk]) + "#antwoorden")
    return render(request, "portal/inbox/message.html", {
        "message": message, "replies": inbox.replies_to(message), "form": form,
        "may_reply": message.student_id is not None,
        "direction": "rtl" if message.language == "ar" else "ltr",
    })
