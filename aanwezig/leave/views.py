"""Leave pages: the parent's request and its decision in the portal, and the school's list,
decision, forwarding and letters.

Views are thin: the child through ``access.get_child_for_user`` and the parent's own request
through ``access.get_own_leave_request``; on the school side the school through
``school_page`` and the request through ``access.get_leave_request_for_user`` (school-wide
roles only). Files and letters are served only here, never as static or media files.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from aanwezig import access
from aanwezig.audit.services import record_read
from aanwezig.leave import letters, rules, services
from aanwezig.leave.forms import DecisionForm, LeaveRequestForm
from aanwezig.leave.models import (
    OPEN_STATUSES,
    DecidedBy,
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
)
from aanwezig.schools.models import PartnerKind, School
from aanwezig.web.views import _form_errors, _school_context, school_page

PAGE_SIZE = 50


def _pdf(leave: LeaveRequest) -> HttpResponse:
    response = HttpResponse(letters.render_letter(leave), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letters.letter_filename(leave)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the portal: parents -------------------------------------------------------------------------

@login_required
@require_safe
def portal_leave_home(request: HttpRequest) -> HttpResponse:
    """"Leave" in the portal's navigation: the parent's children, or straight to the only one."""
    if getattr(request.user, "guardian", None) is None:
        raise Http404(access.NOT_FOUND)
    links = access.children_for_user(request.user)
    if len(links) == 1:
        return redirect("portal_leave", links[0].student.pk)
    return render(request, "leave/portal_home.html", {"links": links})


def _child_context(request: HttpRequest, student: Any, **extra: Any) -> dict[str, Any]:
    return {"student": student, "school": student.school, "today": timezone.localdate(),
            "guardian": request.user.guardian, **extra}  # type: ignore[union-attr]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def portal_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for leave for a child, and see the child's requests with their status. A POST
    saves the request (post/redirect/get); a refused one comes back with the reasons next to
    the fields and nothing saved."""
    student = access.get_child_for_user(request.user, pk)
    form = LeaveRequestForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                submission = services.submit_leave_request(
                    student, guardian=request.user.guardian,  # type: ignore[union-attr]
                    kind=data["kind"], start_date=data["start_date"], end_date=data["end_date"],
                    reason=data["reason"], statement=data.get("statement"), actor=request.user,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Your request has been sent to the school. You will "
                                            "get a message when there is a decision."))
                for _code, note in submission.notes:
                    messages.warning(request, note)
                return redirect("portal_leave_request", student.pk, submission.leave.pk)
        status = 400
    requests = access.leave_requests_of_child(request.user, student).select_related(
        "requested_by").order_by("-start_date", "-pk")
    form.describe_fields()
    context = _child_context(request, student, form=form, requests=requests,
                             max_days=rules.MAX_SCHOOL_DAYS)
    return render(request, "leave/portal_child.html", context, status=status)


@login_required
@require_safe
def portal_leave_request(request: HttpRequest, pk: int, leave_pk: int) -> HttpResponse:
    """One of the parent's own requests: its status in words, the decision and the letter."""
    student = access.get_child_for_user(request.user, pk)
    leave = access.get_own_leave_request(request.user, student, leave_pk)
    return render(request, "leave/portal_request.html", _child_context(request, student,
                                                                       leave=leave))


@login_required
@require_POST
def portal_leave_withdraw(request: HttpRequest, pk: int, leave_pk: int) -> HttpResponse:
    """The parent withdraws a request that is not decided yet."""
    student = access.get_child_for_user(request.user, pk)
    leave = access.get_own_leave_request(request.user, student, leave_pk)
    try:
        services.withdraw_leave_request(leave, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your request has been withdrawn."))
    return redirect("portal_leave_request", student.pk, leave.pk)


@login_required
@require_safe
def portal_leave_letter(request: HttpRequest, pk: int, leave_pk: int) -> HttpResponse:
    """The decision letter (PDF) of one of the parent's own, decided requests."""
    student = access.get_child_for_user(request.user, pk)
    leave = access.get_own_leave_request(request.user, student, leave_pk)
    if not leave.is_decided:
        raise Http404(access.NOT_FOUND)
    return _pdf(leave)


# --- the school ----------------------------------------------------------------------------------

def _require_handler(request: HttpRequest, school: School) -> None:
    if not access.may_handle_leave(request.user, school):
        raise Http404(access.NOT_FOUND)


def _list_crumb(school: School) -> tuple[str, str]:
    return (_("Leave requests"), reverse("leave_requests", args=[school.pk]))


@school_page
@require_safe
def leave_requests(request: HttpRequest, school: School) -> HttpResponse:
    """Requests that wait for the school (soonest first), then the decided ones (newest first).
    ``?leerling=<id>`` shows one student's requests."""
    _require_handler(request, school)
    visible = access.leave_requests_for_user(request.user, school).select_related(
        "student", "requested_by")
    student_id = request.GET.get("leerling", "")
    if student_id.isdigit():
        visible = visible.filter(student_id=int(student_id))
    waiting = list(visible.filter(status__in=OPEN_STATUSES).order_by("start_date", "pk")[:200])
    done = visible.exclude(status__in=OPEN_STATUSES).order_by("-created_at", "-pk")
    page = Paginator(done, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _school_context(request, school, crumbs=[(_("Leave requests"), None)],
                              waiting=waiting, page=page, filtered=student_id.isdigit(),
                              extra_query=f"leerling={student_id}" if student_id.isdigit()
                              else "")
    return render(request, "leave/school_list.html", context)


@school_page
@require_safe
def leave_request(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """One request: what the parent asked and why, the statement, and the next step: decide,
    forward to the leerplichtambtenaar, or record their decision."""
    _require_handler(request, school)
    leave = access.get_leave_request_for_user(request.user, school, pk)
    decides = rules.who_decides(leave.kind, leave.school_days)
    form = DecisionForm()
    form.describe_fields()
    context = _school_context(
        request, school, crumbs=[_list_crumb(school), (leave.student.full_name, None)],
        leave=leave, form=form,
        must_forward=leave.status == LeaveStatus.SUBMITTED and decides == DecidedBy.LEERPLICHT,
        may_decide=(leave.status == LeaveStatus.FORWARDED
                    or (leave.status == LeaveStatus.SUBMITTED
                        and decides == DecidedBy.SCHOOL_HEAD)),
        partners=leave.school.partners.filter(kind=PartnerKind.LEERPLICHT).order_by("name"),
        notice_weeks=rules.NOTICE.days // 7,
        short_notice=(leave.kind == LeaveKind.HOLIDAY_13A
                      and leave.start_date - timezone.localdate(leave.created_at) < rules.NOTICE),
    )
    return render(request, "leave/school_request.html", context)


@school_page
@require_POST
def leave_decide(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Record the decision: the school head's, or the leerplichtambtenaar's on a forwarded
    request. Approval fills the register; the parent gets the decision as a message."""
    _require_handler(request, school)
    leave = access.get_leave_request_for_user(request.user, school, pk, log_read=False)
    url = reverse("leave_request", args=[school.pk, leave.pk])
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(url)
    try:
        services.decide_leave_request(
            leave, approve=form.cleaned_data["outcome"] == "approve",
            decision_text=form.cleaned_data["decision_text"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(url)
    if leave.status == LeaveStatus.APPROVED:
        messages.success(request, _("The leave is granted and in the register. The parent gets "
                                    "the decision."))
    else:
        messages.success(request, _("The leave is not granted. The parent gets the decision."))
    return redirect(url)


@school_page
@require_POST
def leave_forward(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Send a request of more than 10 school days to the leerplichtambtenaar."""
    _require_handler(request, school)
    leave = access.get_leave_request_for_user(request.user, school, pk, log_read=False)
    try:
        services.forward_leave_request(leave, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Recorded: the request is with the leerplichtambtenaar. "
                                    "Record their decision here when it comes in."))
    return redirect("leave_request", school.pk, leave.pk)


@school_page
@require_safe
def leave_statement(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The employer's statement the parent uploaded, as a download (school-wide roles)."""
    _require_handler(request, school)
    leave = access.get_leave_request_for_user(request.user, school, pk, log_read=False)
    path = services.statement_path(leave) if leave.has_statement else None
    if path is None or not path.is_file():
        raise Http404(access.NOT_FOUND)
    record_read(actor=request.user, student=leave.student, what="leave_statement")
    response = HttpResponse(path.read_bytes(), content_type=leave.statement_type)
    response["Content-Disposition"] = (
        f'attachment; filename="verklaring-verlof-{leave.pk}{path.suffix}"')
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response


@school_page
@require_safe
def leave_letter(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The decision letter (PDF) as the parent got it."""
    _require_handler(request, school)
    leave = access.get_leave_request_for_user(request.user, school, pk, log_read=False)
    if not leave.is_decided:
        raise Http404(access.NOT_FOUND)
    return _pdf(leave)
