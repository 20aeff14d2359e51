"""DUO pages: the overview of what to report, the dossier with its form and status, the PDF,
the CSV for the DUO web portal and the per-field copy view.

For school-wide roles only (attendance officer, care coordinator, school leader,
administrator); everyone else gets the usual 404. Views are thin: the school through
``school_page``, the role through ``access.require_school_wide``, the dossier through
``dossiers.get_dossier``, writes through the services in ``protocol.dossiers``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from aanwezig import access
from aanwezig.protocol import dossiers
from aanwezig.protocol.forms_duo import DossierForm, PrepareForm, SentForm, StatusForm
from aanwezig.protocol.models import DuoDossier, DuoStatus
from aanwezig.schools.models import School
from aanwezig.web.views import _form_errors, _school_context, school_page


def _overview_crumb(school: School) -> tuple[str, str]:
    return (_("DUO reports"), reverse("duo_overview", args=[school.pk]))


def _dossier_url(dossier: DuoDossier, anchor: str = "") -> str:
    url = reverse("duo_dossier", args=[dossier.school_id, dossier.pk])
    return f"{url}#{anchor}" if anchor else url


@school_page
@require_safe
def duo_overview(request: HttpRequest, school: School) -> HttpResponse:
    """What must still be reported to DUO (overdue first) and what was sent, with its status."""
    access.require_school_wide(request.user, school)
    today = timezone.localdate()
    overview = dossiers.due_reports(school, today)
    context = _school_context(
        request, school, crumbs=[(_("DUO reports"), None)], overview=overview,
        overdue=sum(1 for item in overview.to_report if item.overdue),
        unit=dossiers.UNIT_DUO.get(school.hour_unit, "lesuren"),
    )
    return render(request, "protocol/duo/overview.html", context)


@school_page
@require_POST
def duo_prepare(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """"Prepare the report": propose the dossier for a report the rule found, then open it."""
    access.require_school_wide(request.user, school)
    student = access.get_student_for_user(request.user, school, pk, log_read=False)
    form = PrepareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("duo_overview", school.pk)
    try:
        dossier = dossiers.prepare_dossier(
            student, kind=form.cleaned_data["kind"], start_date=form.cleaned_data["start_date"],
            today=timezone.localdate(), actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("duo_overview", school.pk)
    return redirect(_dossier_url(dossier))


def _dossier_context(request: HttpRequest, school: School, dossier: DuoDossier,
                     **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    show = access.may_see_identifiers(request.user, school)
    return _school_context(
        request, school,
        crumbs=[_overview_crumb(school), (dossier.student.full_name, None)],
        dossier=dossier, student=dossier.student, show_identifiers=show,
        values=dossiers.portal_values(dossier, show_identifiers=show),
        days=dossiers.absence_days(dossier),
        overdue=dossier.status == DuoStatus.PROPOSED and today > dossier.due_on,
        missing=[str(DossierForm.base_fields[name].label).lower() for name in
                 dossiers.missing_to_send(dossier)],
        statuses=dossiers.allowed_statuses(dossier),
        is_proposed=dossier.status == DuoStatus.PROPOSED,
        sent_form=SentForm(), status_form=StatusForm(),
        **extra,
    )


@school_page
@require_http_methods(["GET", "HEAD", "POST"])
def duo_dossier(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The dossier: every field DUO asks, the form to complete it, sending and the status.
    A POST saves the form (post/redirect/get); with errors the form comes back with them."""
    access.require_school_wide(request.user, school)
    dossier = dossiers.get_dossier(school, pk)
    if request.method == "POST":
        form = DossierForm(request.POST)
        if form.is_valid():
            try:
                dossiers.update_dossier(dossier, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The report is saved."))
                return redirect(_dossier_url(dossier, "versturen"))
        dossier = dossiers.get_dossier(school, pk)  # the stored state, not the refused input
        return render(request, "protocol/duo/dossier.html",
                      _dossier_context(request, school, dossier, form=form), status=400)
    dossiers.record_dossier_read(request.user, dossier)
    return render(request, "protocol/duo/dossier.html",
                  _dossier_context(request, school, dossier,
                                   form=DossierForm.for_dossier(dossier)))


@school_page
@require_POST
def duo_dossier_send(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Record that the report was sent through the DUO portal (status: registered)."""
    access.require_school_wide(request.user, school)
    dossier = dossiers.get_dossier(school, pk)
    form = SentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_dossier_url(dossier, "versturen"))
    try:
        dossiers.mark_dossier_sent(dossier, actor=request.user,
                                   duo_reference=form.cleaned_data["duo_reference"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_dossier_url(dossier, "versturen"))
    messages.success(request, _("Recorded: the report was sent to DUO on %(when)s.") % {
        "when": f"{timezone.localtime(dossier.sent_at):%d-%m-%Y %H:%M}"})
    return redirect(_dossier_url(dossier, "status"))


@school_page
@require_POST
def duo_dossier_status(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Change the status (in progress, closed, acknowledged) or withdraw the report."""
    access.require_school_wide(request.user, school)
    dossier = dossiers.get_dossier(school, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_dossier_url(dossier, "status"))
    try:
        dossiers.set_dossier_status(dossier, status=form.cleaned_data["status"],
                                    reason=form.cleaned_data["reason"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The status is now “%(status)s”.")
                         % {"status": dossier.get_status_display()})
    return redirect(_dossier_url(dossier, "status"))


@school_page
@require_safe
def duo_dossier_pdf(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """The dossier as a PDF (A4, Dutch labels); the BSN in full only for those who may see it."""
    access.require_school_wide(request.user, school)
    dossier = dossiers.get_dossier(school, pk)
    dossiers.record_dossier_read(request.user, dossier, what="duo_dossier_pdf")
    pdf = dossiers.render_pdf(dossier,
                              show_identifiers=access.may_see_identifiers(request.user, school),
                              printed_on=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="duo-melding-{dossier.student.school_key}-'
        f'{dossier.start_date:%Y-%m-%d}.pdf"')
    response["Cache-Control"] = "private, no-store"
    return response


@school_page
@require_safe
def duo_dossier_copy(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Every field of the report with a copy button, to paste into the DUO portal's form."""
    access.require_school_wide(request.user, school)
    dossier = dossiers.get_dossier(school, pk)
    dossiers.record_dossier_read(request.user, dossier, what="duo_dossier_copy")
    show = access.may_see_identifiers(request.user, school)
    context = _school_context(
        request, school,
        crumbs=[_overview_crumb(school),
                (dossier.student.full_name, _dossier_url(dossier)), (_("Copy to the portal"), None)],
        dossier=dossier, student=dossier.student, show_identifiers=show,
        fields=dossiers.portal_fields(dossier, show_identifiers=show),
    )
    return render(request, "protocol/duo/copy.html", context)


@school_page
@require_safe
def duo_export(request: HttpRequest, school: School) -> HttpResponse:
    """This school year's reports (not withdrawn) as CSV for the DUO portal."""
    access.require_school_wide(request.user, school)
    today = timezone.localdate()
    found = dossiers.export_dossiers(school, today)
    for dossier in found:
        dossiers.record_dossier_read(request.user, dossier, what="duo_export")
    data = dossiers.export_csv(found,
                               show_identifiers=access.may_see_identifiers(request.user, school))
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="duo-meldingen-{school.brin}{school.vestiging}-{today:%Y-%m-%d}.csv"')
    response["Cache-Control"] = "private, no-store"
    return response
