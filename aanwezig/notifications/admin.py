"""The outbox in the set-up admin: read-only, limited to the administered schools.

Messages are written by the product's events and the worker; settings and texts are
changed on the school's own pages (through ``config.save_settings`` and friends), so
nothing here edits rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from aanwezig.admin_site import ServiceAdmin, site
from aanwezig.notifications.models import (
    InvalidContact,
    Message,
    NotificationSettings,
    Reply,
    SchoolTemplate,
)


class ReadOnlyAdmin(ServiceAdmin):
    allow_add = False
    allow_change = False
    allow_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        model: type[models.Model] = self.model
        return [f.name for f in model._meta.fields]


@admin.register(Message, site=site)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "channel", "recipient_kind", "address", "status",
                    "attempts", "sent_at", "school"]
    list_filter = ["status", "channel", "event", ("school", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["address", "subject", "dedupe_key"]
    date_hierarchy = "created_at"
    list_select_related = ["school"]


@admin.register(InvalidContact, site=site)
class InvalidContactAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "guardian", "channel", "address", "error", "school"]
    list_filter = ["channel", ("school", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["address"]
    list_select_related = ["school", "guardian"]


@admin.register(Reply, site=site)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "student", "guardian", "handled_at", "school"]
    list_filter = [("school", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["school", "student", "guardian"]


@admin.register(NotificationSettings, site=site)
class NotificationSettingsAdmin(ReadOnlyAdmin):
    list_display = ["school", "data"]


@admin.register(SchoolTemplate, site=site)
class SchoolTemplateAdmin(ReadOnlyAdmin):
    list_display = ["school", "event", "language", "subject", "updated_at"]
    list_filter = ["event", "language", ("school", admin.RelatedOnlyFieldListFilter)]
