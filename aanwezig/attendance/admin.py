"""Set-up admin for a school's absence reasons (codes). Registers and marks are kept in
the product itself, not here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from aanwezig.admin_site import ServiceAdmin, site
from aanwezig.attendance.models import AbsenceReason
from aanwezig.schools.services import save_generic


@admin.register(AbsenceReason, site=site)
class AbsenceReasonAdmin(ServiceAdmin):
    """Reasons are switched off (``is_active``) rather than deleted: marks refer to them."""

    list_display = ["code", "label", "category", "counts_as", "excused", "settable_by",
                    "is_active", "school"]
    list_filter = [("school", admin.RelatedOnlyFieldListFilter), "category", "is_active"]
    search_fields = ["code", "label"]
    ordering = ["school", "sort_order", "code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["school"] if obj is not None else []

    def _save(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return save_generic(obj, actor=request.user, school=obj.school)

    create = update = _save
