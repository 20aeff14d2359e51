"""The set-up admin: Django's admin for school administrators, scoped to their schools.

Who gets in is decided by the gatekeeper (``access.may_administer``), not by
Django's ``is_staff`` flag or model permissions. Every list and every choice in
a form is limited to the schools the user administers, so an administrator of
school A never sees school B.

Saves go through the services, so validation and audit rows are the same as
everywhere else. Before a form is accepted, the service runs once as a dry run
inside a savepoint that is always rolled back; its ``ValidationError`` becomes
a form error instead of a server error.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from aanwezig import access
from aanwezig.portal.forms_signin import RateLimitedLoginMixin
from aanwezig.schools.models import Board, Role, School


class AdministratorLoginForm(RateLimitedLoginMixin, AdminAuthenticationForm):
    """Admin login for school administrators (and superusers), whatever ``is_staff`` says;
    rate limited like ``/login/``."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the username and password of a school administrator. "
            "Note that both fields may be case-sensitive."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)
        if not access.may_administer(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class AanwezigAdminSite(admin.AdminSite):
    site_header = _("aanwezig – school set-up")
    site_title = _("aanwezig set-up")
    index_title = _("School set-up")
    login_form = AdministratorLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active) and access.may_administer(user)

    def get_urls(self) -> list[Any]:
        from django.urls import path

        from aanwezig.roster.importing import views as imports

        def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            return self.admin_view(lambda request, **kw: view(request, self, **kw))

        return [
            path("roster-import/", wrap(imports.import_start), name="roster_import_start"),
            path("roster-import/<int:pk>/", wrap(imports.import_detail), name="roster_import"),
            path("roster-import/<int:pk>/for-real/", wrap(imports.import_for_real),
                 name="roster_import_for_real"),
            *super().get_urls(),
        ]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        apps = super().get_app_list(request, app_label)
        if app_label is None and self.has_permission(request):
            from django.urls import reverse

            url = reverse("admin:roster_import_start", current_app=self.name)
            apps.insert(0, {
                "name": _("Roster import"), "app_label": "roster_import", "app_url": url,
                "has_module_perms": True,
                "models": [{"name": _("Import students"), "object_name": "RosterImport",
                            "admin_url": url, "add_url": None, "view_only": True,
                            "perms": {"view": True}}],
            })
        return apps


site = AanwezigAdminSite(name="admin")


# --- scoping -----------------------------------------------------------------------------------

def administered_schools(user: Any) -> QuerySet[School]:
    """Schools whose set-up ``user`` may see and change in the admin."""
    if getattr(user, "is_superuser", False):
        return School.objects.all()
    if not getattr(user, "is_authenticated", False):
        return School.objects.none()
    return School.objects.filter(
        staff_roles__user=user, staff_roles__role=Role.ADMINISTRATOR
    ).distinct()


def administered_boards(user: Any) -> QuerySet[Board]:
    if getattr(user, "is_superuser", False):
        return Board.objects.all()
    return Board.objects.filter(schools__in=administered_schools(user)).distinct()


def staff_choices(user: Any) -> QuerySet[Any]:
    """Users who may be picked as teacher or mentor: staff of the administered schools."""
    from aanwezig.accounts.models import User

    if getattr(user, "is_superuser", False):
        return User.objects.all()
    return User.objects.filter(staff_roles__school__in=administered_schools(user)).distinct()


def limit_choices(user: Any, model: type[models.Model], queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Limit a foreign-key choice list to rows of the administered schools."""
    from aanwezig.accounts.models import User

    schools = administered_schools(user)
    if model is School:
        return schools
    if model is Board:
        return administered_boards(user)
    if model is User:
        return staff_choices(user)
    field_names = {f.name for f in model._meta.get_fields()}
    if "school" in field_names:
        return queryset.filter(school__in=schools)
    if "board" in field_names:
        return queryset.filter(board__in=administered_boards(user))
    return queryset


# --- service errors on forms ---------------------------------------------------------------------

class _DryRun(Exception):
    """Raised to roll back the savepoint of a dry run."""


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on ``form``: on a field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target: str | None = None
        for name in (field, field.removesuffix("_id")):
            if name != NON_FIELD_ERRORS and name in form.fields:
                target = name
                break
        form.add_error(target, errors)


def service_form(form_class: type[forms.ModelForm], run: Callable[[Any, Any], Any]) -> type:
    """Subclass ``form_class`` so that validation ends with a dry run of the service."""

    class ServiceForm(form_class):  # type: ignore[valid-type,misc]
        def _post_clean(self) -> None:
            super()._post_clean()
            if self._errors or not self.has_changed():
                return
            if getattr(self, "cleaned_data", {}).get("DELETE"):
                return
            try:
                with transaction.atomic():
                    run(copy.copy(self.instance), self)
                    raise _DryRun
            except _DryRun:
                pass
            except ValidationError as exc:
                add_service_errors(self, exc)
            except PermissionDenied as exc:
                self.add_error(None, str(exc) or str(_("You are not allowed to make this change.")))

    ServiceForm.__name__ = form_class.__name__
    ServiceForm.__qualname__ = form_class.__qualname__
    return ServiceForm


def adopt(target: models.Model, saved: models.Model) -> None:
    """Copy the stored state of ``saved`` onto ``target`` (the admin keeps using its instance)."""
    for field in target._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


def changed_values(obj: models.Model, form: forms.BaseForm, allowed: Any = None) -> dict[str, Any]:
    """The changed form fields with their new values, optionally limited to ``allowed``."""
    names = [name for name in form.changed_data if allowed is None or name in allowed]
    return {name: getattr(obj, name) for name in names}


# --- the base admin ------------------------------------------------------------------------------

class ScopedPermissions:
    """Permissions from the gatekeeper; rows limited to the administered schools."""

    #: The lookup from the model to its school ("" when the model is School itself).
    school_path = "school"
    #: Whether administrators may add, change and delete (services must exist for each).
    allow_add = True
    allow_change = True
    allow_delete = False

    admin_site: Any

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if request.user.is_superuser:
            return queryset
        schools = administered_schools(request.user)
        if not self.school_path:
            return queryset.filter(pk__in=schools)
        return queryset.filter(**{f"{self.school_path}__in": schools})

    def _in_scope(self, request: HttpRequest, obj: Any) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        if obj is None or request.user.is_superuser:
            return True
        model = type(obj)
        return self.scope(request, model._default_manager.filter(pk=obj.pk)).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(self.admin_site.has_permission(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.allow_add and self._in_scope(request, None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allow_change and self._in_scope(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allow_delete and self._in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = limit_choices(request.user, db_field.related_model, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = limit_choices(request.user, db_field.related_model, field.queryset)
        return field


class ServiceAdmin(ScopedPermissions, admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes call services (see the module docstring)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request, super().get_queryset(request))

    # Subclasses implement these two (and ``delete`` when allow_delete is set).
    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        raise NotImplementedError

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        raise NotImplementedError

    def delete(self, request: HttpRequest, obj: Any) -> None:
        raise PermissionDenied

    def _run(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        if obj.pk is None:
            return self.create(request, obj, form)
        return self.update(request, obj, form)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return service_form(form_class, lambda instance, form: self._run(request, instance, form))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = self._run(request, obj, form)
        if saved is not obj:
            adopt(obj, saved)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        inline = next(
            (i for i in self.get_inline_instances(request, form.instance)
             if i.model is formset.model),
            None,
        )
        if not isinstance(inline, ServiceInline):
            raise ImproperlyConfiguredInline(formset.model)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not hasattr(inline_form, "cleaned_data"):
                continue
            instance = inline_form.instance
            if formset.can_delete and formset._should_delete_form(inline_form):
                if instance.pk is not None:
                    inline.delete(request, instance)
                    formset.deleted_objects.append(instance)
                continue
            if not inline_form.has_changed():
                continue
            adding = instance.pk is None
            saved = inline.run(request, instance, inline_form)
            if saved is not instance:
                adopt(instance, saved)
            if adding:
                formset.new_objects.append(instance)
            else:
                formset.changed_objects.append((instance, inline_form.changed_data))

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: dict[str, Any] | None = None
                        ) -> HttpResponse:
        # The dry run catches almost every refusal as a form error; a refusal that only
        # shows when several inline rows are saved together rolls everything back and
        # is reported here.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())


class ImproperlyConfiguredInline(Exception):
    def __init__(self, model: Any) -> None:
        super().__init__(f"The inline for {model.__name__} must be a ServiceInline")


class ServiceInline(ScopedPermissions, admin.TabularInline):
    """An inline whose rows are saved by services (the parent admin's save_formset calls it)."""

    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request, super().get_queryset(request))

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        raise NotImplementedError

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        raise NotImplementedError

    def delete(self, request: HttpRequest, obj: Any) -> None:
        raise PermissionDenied

    def run(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        if obj.pk is None:
            return self.create(request, obj, form)
        return self.update(request, obj, form)

    def _in_scope(self, request: HttpRequest, obj: Any) -> bool:
        # ``obj`` is the parent here; the parent admin has checked it already.
        return bool(self.admin_site.has_permission(request))

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["form"] = service_form(
            kwargs.get("form", self.form), lambda instance, form: self.run(request, instance, form)
        )
        return super().get_formset(request, obj, **kwargs)
