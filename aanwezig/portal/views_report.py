"""Portal pages for reporting: sick and back to health, a medical appointment, a religious
holiday, and the confirmation (docs/portal-reports.md).

Thin views: the student comes from ``portal.reports.get_reportable`` (built on the
gatekeeper; the same 404 for a student who does not exist and one who is not yours), the
writes from the ``portal.reports`` services, whose Dutch errors go next to the fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from aanwezig.portal import reports
from aanwezig.portal.forms_report import BetterForm, MedicalForm, ReligiousForm, SickForm
from aanwezig.portal.reports import BETTER, MEDICAL, RELIGIOUS, SICK, Reportable

FORMS: dict[str, type[forms.Form]] = {
    SICK: SickForm, BETTER: BetterForm, MEDICAL: MedicalForm, RELIGIOUS: ReligiousForm,
}
HEADINGS = {
    SICK: gettext_lazy("Report sick"), BETTER: gettext_lazy("Report back to health"),
    MEDICAL: gettext_lazy("Report an appointment with a doctor or dentist"),
    RELIGIOUS: gettext_lazy("Report a religious holiday"),
}


@login_required
def report_start(request: HttpRequest) -> HttpResponse:
    """Whom the user may report for, what is already reported, and what they can report."""
    today = timezone.localdate()
    cards: list[dict[str, Any]] = []
    for item in reports.reportable_students(request.user, today):
        student = item.student
        cards.append({
            "item": item,
            "student": student,
            "open": reports.open_sick_report(student),
            "ahead": [reports.describe(r) for r in reports.reports_ahead(student, today)[:10]],
            "can": {kind: reports.family_reason(student.school_id, kind, item.source) is not None
                    for kind in (SICK, MEDICAL, RELIGIOUS)},
        })
    only_self = bool(cards) and all(card["item"].is_self for card in cards)
    return render(request, "portal/report/start.html", {"cards": cards, "only_self": only_self})


def _save(kind: str, item: Reportable, report: Any, actor: Any, data: dict[str, Any]) -> Any:
    if kind == SICK:
        return reports.report_sick(item, actor=actor, start_date=data["start_date"],
                                   start_time=data["start_time"],
                                   expected_back=data["expected_back"])
    if kind == BETTER:
        return reports.report_better(item, report, actor=actor, back_on=data["back_on"],
                                     back_time=data["back_time"])
    if kind == MEDICAL:
        return reports.report_medical(item, actor=actor, day=data["day"],
                                      start_time=data["start_time"], end_time=data["end_time"])
    return reports.report_religious(item, actor=actor, start_date=data["start_date"],
                                    end_date=data["end_date"])


def _initial(kind: str, today: dt.date, report: Any) -> dict[str, Any]:
    if kind == SICK:
        return {"start_date": today}
    if kind == BETTER:  # reported sick today: most likely back tomorrow
        return {"back_on": max(today, report.start_date + dt.timedelta(days=1))}
    if kind == MEDICAL:
        return {"day": today}
    return {}


def _report_page(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    item = reports.get_reportable(request.user, pk)
    today = timezone.localdate()
    report = None
    if kind == BETTER:
        report = reports.open_sick_report(item.student)
        if report is None:
            messages.info(request, _("There is no open sick report for %(name)s.")
                          % {"name": item.student.given_name})
            return redirect("portal_report")
    elif kind == SICK and reports.open_sick_report(item.student) is not None:
        return redirect("portal_report_better", pk=item.student.pk)
    form_class = FORMS[kind]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                saved = _save(kind, item, report, request.user, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("portal_report_done", pk=item.student.pk, report_pk=saved.pk)
    else:
        form = form_class(initial=_initial(kind, today, report))
    return render(request, "portal/report/form.html", {
        "item": item, "student": item.student, "kind": kind, "form": form, "report": report,
        "heading": HEADINGS[kind], "days_ahead": reports.RELIGIOUS_DAYS_AHEAD,
        "field_errors": any(field.errors for field in form),
        "can": reports.family_reason(item.student.school_id, kind if kind != BETTER else SICK,
                                     item.source) is not None,
    })


@login_required
@require_http_methods(["GET", "POST"])
def report_sick(request: HttpRequest, pk: int) -> HttpResponse:
    """Report sick: from a day (and time), expected back if known; never what they have."""
    return _report_page(request, pk, SICK)


@login_required
@require_http_methods(["GET", "POST"])
def report_better(request: HttpRequest, pk: int) -> HttpResponse:
    """Report back to health: ends the open sick report."""
    return _report_page(request, pk, BETTER)


@login_required
@require_http_methods(["GET", "POST"])
def report_medical(request: HttpRequest, pk: int) -> HttpResponse:
    """Report an appointment with a doctor, dentist or hospital: a day, from and until."""
    return _report_page(request, pk, MEDICAL)


@login_required
@require_http_methods(["GET", "POST"])
def report_religious(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a religious holiday, at least two days ahead."""
    return _report_page(request, pk, RELIGIOUS)


@login_required
def report_done(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """The confirmation: what was reported, for which days, that the school knows now, and
    to whom the confirmation was sent."""
    item = reports.get_reportable(request.user, pk)
    report = reports.get_report_for(item, report_pk)
    kind = reports.kind_of(report)
    return render(request, "portal/report/done.html", {
        "item": item, "student": item.student, "report": report, "kind": kind,
        "line": reports.describe(report),
        "sent": list(reports.confirmations_of(report, kind)),
        "open": reports.open_sick_report(item.student),
    })
