"""The portal's school settings in the set-up admin: what parents see, desk hours, worries."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from aanwezig.admin_site import ServiceAdmin, site
from aanwezig.portal.models import PortalSettings
from aanwezig.schools.services import save_generic


@admin.register(PortalSettings, site=site)
class PortalSettingsAdmin(ServiceAdmin):
    """Per school: attendance per day (calm, the default) or per lesson for parents."""

    list_display = ["school", "parents_see", "desk_hours"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["school"] if obj is not None else []

    def _save(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return save_generic(obj, actor=request.user, school=obj.school)

    create = update = _save
