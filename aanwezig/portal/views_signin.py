"""Pages for signing in to the portal, a parent's or student's preferences, and the staff's
button that invites a student's parents (docs/portal-signin.md).

Thin views: the services in ``aanwezig.portal.signin`` decide and write; the student for the
invitation comes through the gatekeeper.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from aanwezig import access
from aanwezig.portal import signin
from aanwezig.portal.forms_signin import (
    LIMITED,
    LinkRequestForm,
    PasswordForm,
    PreferencesForm,
    client_ip,
)
from aanwezig.portal.models import TokenPurpose
from aanwezig.roster.models import Guardian
from aanwezig.schools.models import School
from aanwezig.web.views import school_page

#: Django's backend for a login that did not go through ``authenticate`` (the link is the proof).
BACKEND = "django.contrib.auth.backends.ModelBackend"
#: Answer status when a limit is reached.
TOO_MANY_REQUESTS = 429


def _base_url(request: HttpRequest) -> str:
    """The site's address as this request reached it (the host is checked by ALLOWED_HOSTS)."""
    return request.build_absolute_uri("/").rstrip("/")


# --- asking for a link --------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def signin_request(request: HttpRequest) -> HttpResponse:
    """Ask for a sign-in link by e-mail. The answer is the same for every address."""
    if request.user.is_authenticated:
        return redirect("start")
    form = LinkRequestForm(request.POST or None)
    status = 200
    limited = False
    if request.method == "POST":
        if form.is_valid():
            outcome = signin.request_link(form.cleaned_data["email"], ip=client_ip(request),
                                          base_url=_base_url(request))
            if not outcome.limited:
                return redirect("portal_signin_sent")
            limited, status = True, TOO_MANY_REQUESTS
        else:
            status = 400
    return render(request, "portal/signin/request.html",
                  {"form": form, "limited": limited, "limited_text": LIMITED,
                   "minutes": _minutes()}, status=status)


def signin_sent(request: HttpRequest) -> HttpResponse:
    """"If we know this address, a link is on its way": shown to everyone who asked."""
    return render(request, "portal/signin/sent.html", {"minutes": _minutes()})


def _minutes() -> int:
    return int(signin.LINK_VALID.total_seconds() // 60)


# --- using a link -------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """A link from an e-mail: GET asks to confirm with a button, POST signs in.

    Signing in takes a POST because mail filters open links in e-mails to check them;
    with a GET that signs in, such a check would use up the link before the parent
    clicks it.
    """
    if request.method == "POST":
        try:
            row = signin.use_link(token)
        except signin.LinkNotValid as exc:
            return _link_not_valid(request, exc.status)
        login(request, row.user, backend=BACKEND)
        if row.purpose == TokenPurpose.INVITE:
            messages.success(request, _("Welcome! You are signed in. Under Preferences you "
                                        "choose your language and, if you like, a password."))
        return redirect(signin.portal_home_url())
    status, found = signin.find_link(token)
    if status != signin.LinkStatus.VALID or found is None:
        return _link_not_valid(request, status)
    person = signin.portal_person(found.user)
    return render(request, "portal/signin/link.html", {
        "name": getattr(person, "given_name", "") or found.user.first_name,
        "invitation": found.purpose == TokenPurpose.INVITE,
    })


def _link_not_valid(request: HttpRequest, status: str) -> HttpResponse:
    return render(request, "portal/signin/link_not_valid.html",
                  {"status": status, "minutes": _minutes()})


# --- preferences --------------------------------------------------------------------------------

def _person_or_404(request: HttpRequest) -> Any:
    person = signin.portal_person(request.user)
    if person is None:
        raise Http404(access.NOT_FOUND)
    return person


def _preferences_page(request: HttpRequest, person: Any, *, form: PreferencesForm | None = None,
                      password_form: PasswordForm | None = None,
                      status: int = 200) -> HttpResponse:
    user: Any = request.user
    form = form or PreferencesForm(initial=PreferencesForm.initial_for(user, person),
                                   person=person)
    may_have_password = not signin.is_staff_login(user)
    if may_have_password and password_form is None:
        password_form = PasswordForm(user)
    return render(request, "portal/signin/preferences.html", {
        "form": form,
        "password_form": password_form,
        "may_have_password": may_have_password,
        "has_password": user.has_usable_password(),
        "is_parent": isinstance(person, Guardian),
        "person": person,
        "email": person.email if isinstance(person, Guardian) else signin.login_address(user),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """A parent's language, channel and monthly overview; a student's language."""
    person = _person_or_404(request)
    if request.method != "POST":
        return _preferences_page(request, person)
    form = PreferencesForm(request.POST, person=person)
    if not form.is_valid():
        return _preferences_page(request, person, form=form, status=400)
    data = form.cleaned_data
    is_parent = isinstance(person, Guardian)
    try:
        signin.save_preferences(
            request.user, actor=request.user, language=data["language"],
            preferred_channel=data.get("preferred_channel") if is_parent else None,
            monthly_overview=data.get("monthly_overview") if is_parent else None,
        )
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return _preferences_page(request, person, form=form, status=400)
    language = data["language"]
    supported = {code for code, _name in settings.LANGUAGES}
    with translation.override(language if language in supported else None):
        messages.success(request, _("Your preferences are saved."))
    response = redirect("portal_preferences")
    # The language switch's cookie comes before the account's language: follow the choice.
    if language in supported:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language,
                            max_age=settings.LANGUAGE_COOKIE_AGE,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


@login_required
@require_POST
def password(request: HttpRequest) -> HttpResponse:
    """Choose, change or remove the optional password of a portal account."""
    person = _person_or_404(request)
    user: Any = request.user
    if signin.is_staff_login(user):
        raise Http404(access.NOT_FOUND)
    if request.POST.get("action") == "remove":
        if signin.remove_password(user, actor=user):
            messages.success(request, _("Your password is removed. You sign in with a link by "
                                        "e-mail."))
        return redirect("portal_preferences")
    form = PasswordForm(user, request.POST)
    if not form.is_valid():
        return _preferences_page(request, person, password_form=form, status=400)
    signin.set_password(user, actor=user, password=form.cleaned_data["new_password1"])
    update_session_auth_hash(request, user)
    messages.success(request, _("Your password is saved. You can now also sign in with your "
                                "e-mail address and password."))
    return redirect("portal_preferences")


# --- staff: invite a student's parents ----------------------------------------------------------

@school_page
@require_POST
def invite_family(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Invite the student's parents who have an e-mail address and no account yet."""
    access.require_school_wide(request.user, school)
    student = access.get_student_for_user(request.user, school, pk, log_read=False)
    report = signin.invite_guardians(school, [student], actor=request.user,
                                     base_url=_base_url(request))
    counts = report.counts
    if counts["invited"]:
        messages.success(request, ngettext(
            "%(count)s parent is invited to the portal.",
            "%(count)s parents are invited to the portal.", counts["invited"],
        ) % {"count": counts["invited"]})
    notes = []
    if counts["has_account"]:
        notes.append(ngettext("%(count)s already has an account",
                              "%(count)s already have an account", counts["has_account"])
                     % {"count": counts["has_account"]})
    if counts["no_email"]:
        notes.append(ngettext("%(count)s has no e-mail address",
                              "%(count)s have no e-mail address", counts["no_email"])
                     % {"count": counts["no_email"]})
    if counts["no_consent"]:
        notes.append(ngettext("%(count)s may not be contacted",
                              "%(count)s may not be contacted", counts["no_consent"])
                     % {"count": counts["no_consent"]})
    if notes:
        messages.info(request, _("Not invited: %(reasons)s.") % {"reasons": ", ".join(notes)})
    for problem in report.problems:
        messages.error(request, problem)
    if not (counts["invited"] or notes or report.problems):
        messages.info(request, _("No parents or carers are known yet."))
    return redirect(reverse("student", args=[school.pk, student.pk]))
