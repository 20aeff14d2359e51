"""Roster import pages in the set-up admin (docs/import-roster.md, "From the admin").

The admin site wraps these views (``AanwezigAdminSite.get_urls``): only administrators get
in, and every job is read through ``jobs.get_import_for_user`` (another school's job is a
404). The work itself runs in the task worker (``jobs.run_import_task``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from aanwezig.admin_site import add_service_errors
from aanwezig.roster.importing import jobs
from aanwezig.roster.models import ImportFormat


class ImportForm(forms.Form):
    school: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("School"), queryset=None, empty_label=None)  # type: ignore[arg-type]
    format = forms.ChoiceField(label=_("Format"), choices=ImportFormat.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("EDEXML: the .xml file. OneRoster: the CSV files in one .zip. "
                    "Parents and carers: the .csv file."))
    dry_run = forms.BooleanField(
        label=_("Dry run: show what would change, but write nothing"), required=False,
        initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = jobs.administered_schools(user).order_by("name")


def _context(request: HttpRequest, site: Any, **extra: Any) -> dict[str, Any]:
    return {**site.each_context(request), **extra}


def import_start(request: HttpRequest, site: Any) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = jobs.start_import(actor=request.user, school=data["school"], fmt=data["format"],
                                    upload=data["file"], dry_run=data["dry_run"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return HttpResponseRedirect(reverse("admin:roster_import", args=[job.pk]))
    recent = jobs.imports_for_user(request.user)[:10]
    return render(request, "admin/roster_import_start.html", _context(
        request, site, form=form, recent=recent, title=_("Import students")))


def import_detail(request: HttpRequest, site: Any, pk: int) -> HttpResponse:
    job = jobs.get_import_for_user(request.user, pk)
    progress, step = jobs.live_progress(job)
    context = _context(
        request, site, job=job, progress=progress, step_label=jobs.step_label(step),
        all_changes=bool(request.GET.get("all")),
        title=_("Import of %(file)s") % {"file": job.file_name},
        **jobs.report_view(job, all_changes=bool(request.GET.get("all"))))
    if request.headers.get("HX-Request"):
        return render(request, "admin/roster_import_status.html", context)
    return render(request, "admin/roster_import_detail.html", context)


@require_POST
def import_for_real(request: HttpRequest, site: Any, pk: int) -> HttpResponse:
    job = jobs.get_import_for_user(request.user, pk)
    try:
        again = jobs.repeat_for_real(job, actor=request.user)
    except ValidationError as exc:
        from django.contrib import messages

        for message in exc.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("admin:roster_import", args=[job.pk]))
    return HttpResponseRedirect(reverse("admin:roster_import", args=[again.pk]))
