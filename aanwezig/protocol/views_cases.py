"""Pages of cases (begeleiding) and tasks, and the partner's read-only case page.

Thin views: the school and every object come through :mod:`aanwezig.access`
(the same 404 for missing and not yours), writes go through
:mod:`aanwezig.protocol.cases`. Every form posts normally and redirects with a
message (post/redirect/get); a form with errors shows the page again with the
errors, status 400. Docs: docs/cases.md.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aanwezig import access
from aanwezig.protocol import cases
from aanwezig.protocol.forms_cases import (
    TASK_FILTERS,
    AgreementForm,
    CloseForm,
    ConversationForm,
    NoteForm,
    OpenCaseForm,
    PartnerForm,
    ReviewForm,
    TaskDoneForm,
)
from aanwezig.protocol.models import AgreementStatus, Case, CaseStatus, TaskStatus
from aanwezig.roster.models import active_membership_q
from aanwezig.schools.models import School
from aanwezig.web.views import PAGE_SIZE, _school_context, is_htmx, school_page


def _require_case_work(request: HttpRequest, school: School) -> None:
    """Cases are for school-wide roles and mentors; everyone else gets the usual 404."""
    if not access.may_work_on_cases(request.user, school):
        raise Http404(access.NOT_FOUND)


def _add_errors(form: Form, exc: ValidationError, rename: dict[str, str] | None = None) -> None:
    """Put a service's errors on the form: on the field when the form has it (``rename`` maps
    a model field to the form's name for it), else on top."""
    for field, errors in exc.update_error_dict({}).items():
        field = (rename or {}).get(field, field)
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _crumbs(school: School, *extra: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    return [(_("Cases"), reverse("cases", args=[school.pk])), *extra]


# --- the case list -------------------------------------------------------------------------------


@school_page
def case_list(request: HttpRequest, school: School) -> HttpResponse:
    """The cases the user may see: open first; overdue reviews and tasks stand out."""
    _require_case_work(request, school)
    today = timezone.localdate()
    visible = cases.case_list(access.cases_for_user(request.user, school), today)
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _school_context(request, school, crumbs=[(_("Cases"), None)], page=page,
                              may_see_tasks=True)
    return render(request, "protocol/cases/list.html", context)


@school_page
@require_http_methods(["GET", "POST"])
def student_cases(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """A student's cases, and the form to open one when none is open."""
    student = access.get_student_for_user(request.user, school, pk, log_read=False)
    if not access.may_open_case(request.user, student):
        raise Http404(access.NOT_FOUND)
    form = OpenCaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = cases.open_case(student, title=form.cleaned_data["title"],
                                   role=form.cleaned_data["role"], actor=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The case for %(name)s is open.")
                             % {"name": student.given_name})
            return redirect("case", school.pk, case.pk)
    own = list(access.cases_for_user(request.user, school).filter(student=student)
               .order_by("-opened_at"))
    context = _school_context(
        request, school,
        crumbs=[(student.full_name, reverse("student", args=[school.pk, student.pk])),
                (_("Cases"), None)],
        student=student, student_cases=own, form=form,
        open_case=next((c for c in own if c.status == CaseStatus.OPEN), None),
    )
    return render(request, "protocol/cases/student.html", context,
                  status=400 if form.is_bound and form.errors else 200)


# --- one case ------------------------------------------------------------------------------------


def _case_page(request: HttpRequest, school: School, case: Case, *, status: int = 200,
               **forms: Any) -> HttpResponse:
    """Render a case with its timeline and a form for each action (bound ones passed in)."""
    today = timezone.localdate()
    student = case.student
    partners = cases.partners_to_involve(case) if access.may_involve_partners(
        request.user, school) else []
    agreements = list(case.agreements.select_related("created_by"))
    figures = cases.current_figures(student, today)
    context = _school_context(
        request, school,
        crumbs=_crumbs(school, (student.full_name, None)),
        case=case,
        student=student,
        is_open=case.status == CaseStatus.OPEN,
        groups=[m.group for m in student.memberships.filter(active_membership_q(today))
                .select_related("group")],
        figures=figures,
        attendance_line=cases.attendance_line(student, today, figures),
        timeline=cases.case_timeline(case),
        tasks=cases.case_tasks(case),
        agreements=agreements,
        running=[a for a in agreements if a.status == AgreementStatus.OPEN],
        conversations=list(case.conversations.select_related("recorded_by")),
        partners=list(case.partners.select_related("partner", "added_by")),
        may_involve=bool(partners),
        may_cancel=access.is_school_wide(request.user, school),
        conversation_form=forms.get("conversation_form") or ConversationForm(
            initial={"held_on": today}),
        agreement_form=forms.get("agreement_form") or AgreementForm(),
        review_form=forms.get("review_form"),
        review_for=forms.get("review_for"),
        partner_form=forms.get("partner_form") or PartnerForm(partners=partners),
        note_form=forms.get("note_form") or NoteForm(),
    )
    return render(request, "protocol/cases/case.html", context, status=status)


@school_page
def case_detail(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, school, pk)
    return _case_page(request, school, case)


def _case_action(request: HttpRequest, school: School, pk: int, form: Form, key: str,
                 save: Any, done: str, anchor: str) -> HttpResponse:
    """Run one action on a case: validate ``form``, call ``save(case, data)`` and redirect
    to the case with ``done``; or show the case again with the errors (status 400)."""
    case = access.get_case_for_user(request.user, school, pk, log_read=False)
    if form.is_valid():
        try:
            save(case, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(f"{reverse('case', args=[school.pk, case.pk])}#{anchor}")
    return _case_page(request, school, case, status=400, **{key: form})


@school_page
@require_POST
def case_conversation(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> None:
        cases.add_conversation(case, actor=request.user, **data)

    return _case_action(request, school, pk, ConversationForm(request.POST), "conversation_form",
                        save, _("The conversation is recorded."), "conversations")


@school_page
@require_POST
def case_agreement(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> None:
        cases.add_agreement(case, actor=request.user, **data)

    return _case_action(request, school, pk, AgreementForm(request.POST), "agreement_form", save,
                        _("The agreement is noted."), "agreements")


@school_page
@require_POST
def case_review(request: HttpRequest, school: School, pk: int, agreement_pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, school, pk, log_read=False)
    agreement = case.agreements.filter(pk=agreement_pk).first()
    if agreement is None:
        raise Http404(access.NOT_FOUND)
    agreement.case = case
    form = ReviewForm(request.POST, prefix=f"review-{agreement.pk}")
    if form.is_valid():
        try:
            cases.review_agreement(agreement, status=form.cleaned_data["status"],
                                   note=form.cleaned_data["note"], actor=request.user)
        except ValidationError as exc:
            _add_errors(form, exc, {"review_note": "note"})
        else:
            messages.success(request, _("The review is noted."))
            return redirect(f"{reverse('case', args=[school.pk, case.pk])}#agreement-{agreement.pk}")
    # htmx swaps only successful responses: it gets the errors with a 200.
    return _case_page(request, school, case, status=200 if is_htmx(request) else 400,
                      review_form=form, review_for=agreement.pk)


@school_page
@require_POST
def case_partner(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, school, pk, log_read=False)
    if not access.may_involve_partners(request.user, school):
        raise Http404(access.NOT_FOUND)
    form = PartnerForm(request.POST, partners=cases.partners_to_involve(case))

    def save(case: Case, data: dict[str, Any]) -> None:
        cases.involve_partner(case, partner=form.chosen(), reason=data["reason"],
                              actor=request.user)

    return _case_action(request, school, pk, form, "partner_form", save,
                        _("The partner is involved and can now see this case."), "partners")


@school_page
@require_POST
def case_note(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    def save(case: Case, data: dict[str, Any]) -> None:
        cases.add_note(case, text=data["text"], actor=request.user)

    return _case_action(request, school, pk, NoteForm(request.POST), "note_form", save,
                        _("The note is added."), "timeline")


@school_page
@require_http_methods(["GET", "POST"])
def case_close(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Close a case with its outcome and evaluation; running agreements are reviewed first."""
    case = access.get_case_for_user(request.user, school, pk, log_read=request.method == "GET")
    if case.status != CaseStatus.OPEN:
        return redirect("case", school.pk, case.pk)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cases.close_case(case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The case is closed. Thank you for the evaluation."))
            return redirect("case", school.pk, case.pk)
    context = _school_context(
        request, school,
        crumbs=_crumbs(school, (case.student.full_name, reverse("case", args=[school.pk, case.pk])),
                       (_("Close"), None)),
        case=case, student=case.student, form=form,
        running=list(case.agreements.filter(status=AgreementStatus.OPEN)),
        open_tasks=list(case.tasks.filter(status=TaskStatus.OPEN)),
    )
    return render(request, "protocol/cases/close.html", context,
                  status=400 if form.is_bound and form.errors else 200)


# --- tasks ---------------------------------------------------------------------------------------


@school_page
def task_list(request: HttpRequest, school: School) -> HttpResponse:
    """The school's tasks for the user: mine, all open, overdue or done."""
    _require_case_work(request, school)
    which = request.GET.get("filter", "mine")
    if which not in dict(TASK_FILTERS):
        which = "mine"
    today = timezone.localdate()
    tasks = cases.task_list(access.tasks_for_user(request.user, school), which, request.user,
                            today)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    students = [t.student for t in page.object_list if t.student is not None]
    context = _school_context(
        request, school, crumbs=[(_("Tasks"), None)], page=page, which=which,
        filters=TASK_FILTERS, next=request.get_full_path(),
        openable=set(access.students_for_user(request.user, school)
                     .filter(pk__in=[s.pk for s in students]).values_list("pk", flat=True)),
        visible_cases=set(access.cases_for_user(request.user, school)
                          .filter(pk__in=[t.case_id for t in page.object_list if t.case_id])
                          .values_list("pk", flat=True)),
        may_cancel=access.is_school_wide(request.user, school),
    )
    return render(request, "protocol/cases/tasks.html", context)


def _back(request: HttpRequest, school: School, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return fallback


def _finish(request: HttpRequest, school: School, pk: int, *, cancel: bool) -> HttpResponse:
    if cancel:
        task = access.get_task_to_cancel_for_user(request.user, school, pk)
    else:
        task = access.get_task_for_user(request.user, school, pk)
    form = TaskDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if cancel:
            cases.cancel_task(task, note=note, actor=request.user)
        else:
            cases.complete_task(task, note=note, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = _("Task cancelled: %(title)s") if cancel else _("Done: %(title)s. Thank you!")
        messages.success(request, text % {"title": task.title})
    fallback = (reverse("case", args=[school.pk, task.case_id]) if task.case_id
                else reverse("tasks", args=[school.pk]))
    return redirect(_back(request, school, fallback))


@school_page
@require_POST
def task_done(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Mark a task done (from the start page, the task list or the case) and go back."""
    return _finish(request, school, pk, cancel=False)


@school_page
@require_POST
def task_cancel(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Cancel a task that is no longer needed (school-wide roles and its assignee)."""
    return _finish(request, school, pk, cancel=True)


# --- external partners ----------------------------------------------------------------------------


@login_required
def partner_case_list(request: HttpRequest) -> HttpResponse:
    """The cases schools shared with the partner who is logged in (404 for everyone else)."""
    partner = getattr(request.user, "partner", None)
    if partner is None:
        raise Http404(access.NOT_FOUND)
    shared = (access.partner_cases_for_user(request.user).select_related("student", "school")
              .order_by("-status", "-opened_at"))
    page = Paginator(shared, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "protocol/cases/partner_list.html",
                  {"partner": partner, "page": page})


@login_required
def partner_case(request: HttpRequest, pk: int) -> HttpResponse:
    """A shared case, read-only, with only what the law allows a partner to see: the
    student's name, the case's subject and level, the agreements and the DUO reports."""
    case = access.get_partner_case_for_user(request.user, pk)
    partner = request.user.partner  # type: ignore[union-attr]
    context = {
        "case": case,
        "partner": partner,
        "agreements": list(case.agreements.all()),
        "dossiers": cases.shared_dossiers(case, partner),
        "shared_since": case.partners.filter(partner=partner).values_list("added_at", flat=True)
        .first(),
    }
    return render(request, "protocol/cases/partner_case.html", context)
