"""The audit trail in the set-up admin: read-only, limited to the administered schools."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aanwezig.admin_site import ServiceAdmin, site
from aanwezig.audit.models import AuditEvent


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(ServiceAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "school"]
    list_filter = ["action", "object_type"]
    date_hierarchy = "at"
    allow_add = False
    allow_change = False
    allow_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in AuditEvent._meta.fields]
