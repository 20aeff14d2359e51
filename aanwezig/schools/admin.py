"""Set-up admin for boards, schools, school years with their days off, the period grid,
staff roles and external partners. Every save calls a service in schools.services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

from aanwezig.admin_site import (
    ServiceAdmin,
    ServiceInline,
    administered_schools,
    changed_values,
    site,
)
from aanwezig.schools import services
from aanwezig.schools.forms import SchoolYearAddForm
from aanwezig.schools.models import (
    Board,
    DayOff,
    ExternalPartner,
    Period,
    School,
    SchoolYear,
    StaffRole,
)


@admin.register(Board, site=site)
class BoardAdmin(ServiceAdmin):
    list_display = ["name", "bestuursnummer"]
    school_path = "schools"

    def _in_scope(self, request: HttpRequest, obj: Any) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._in_scope(request, None)

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.save_generic(obj, actor=request.user, school=None)

    update = create


@admin.register(School, site=site)
class SchoolAdmin(ServiceAdmin):
    school_path = ""
    list_display = ["name", "brin", "vestiging", "sector", "holiday_region", "hour_unit"]
    search_fields = ["name", "brin"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["board", "brin", "vestiging"] if obj is not None else []

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        settings = {name: getattr(obj, name) for name in services.SCHOOL_SETTINGS
                    if name not in {"name", "sector"}}
        return services.create_school(
            board=obj.board, name=obj.name, brin=obj.brin, vestiging=obj.vestiging,
            sector=obj.sector, holiday_region=obj.holiday_region, actor=request.user, **settings,
        )

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.update_school_settings(
            obj, actor=request.user, **changed_values(obj, form, services.SCHOOL_SETTINGS)
        )


class DayOffInline(ServiceInline):
    model = DayOff
    fields = ["kind", "name", "start_date", "end_date"]
    allow_delete = True

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.add_day_off(
            obj.school_year, kind=obj.kind, name=obj.name, start_date=obj.start_date,
            end_date=obj.end_date, actor=request.user,
        )

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.update_day_off(
            obj, actor=request.user, **changed_values(obj, form, services.DAY_OFF_FIELDS)
        )

    def delete(self, request: HttpRequest, obj: Any) -> None:
        services.remove_day_off(obj, actor=request.user)


@admin.register(SchoolYear, site=site)
class SchoolYearAdmin(ServiceAdmin):
    list_display = ["name", "school", "start_date", "end_date"]
    list_filter = [("school", admin.RelatedOnlyFieldListFilter)]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        # Days off are edited once the year exists (it arrives with the default holidays).
        return [DayOffInline] if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["school", "start_year"]})]
        return [(None, {"fields": ["school", "name", "start_date", "end_date"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["school"] if obj is not None else []

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = SchoolYearAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.add_school_year(
            obj.school, form.cleaned_data["start_year"], actor=request.user
        )

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.update_school_year(
            obj, actor=request.user,
            **changed_values(obj, form, ("name", "start_date", "end_date")),
        )


@admin.register(Period, site=site)
class PeriodAdmin(ServiceAdmin):
    """One row of the period grid. A save replaces that weekday's grid through
    ``set_period_grid``, so overlaps with the other periods of the day are refused."""

    list_display = ["school", "weekday", "number", "label", "start_time", "end_time"]
    list_filter = [("school", admin.RelatedOnlyFieldListFilter), "weekday"]
    allow_delete = True

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Lessons and the timetable refer to a period by school, weekday and number.
        return ["school", "weekday", "number"] if obj is not None else []

    def _grid_with(self, obj: Any, *, without: bool = False) -> list[services.PeriodSpec]:
        others = Period.objects.filter(school_id=obj.school_id, weekday=obj.weekday).exclude(
            number=obj.number
        )
        specs = [services.PeriodSpec(p.number, p.start_time, p.end_time, p.label) for p in others]
        if not without:
            specs.append(services.PeriodSpec(obj.number, obj.start_time, obj.end_time, obj.label))
        return specs

    def _save(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        if obj.pk is None and Period.objects.filter(
            school_id=obj.school_id, weekday=obj.weekday, number=obj.number
        ).exists():
            raise ValidationError(
                {"number": _("This weekday already has a period with this number.")}
            )
        saved = services.set_period_grid(
            obj.school, {obj.weekday: self._grid_with(obj)}, actor=request.user
        )
        return next(p for p in saved if p.number == obj.number)

    create = update = _save

    def delete(self, request: HttpRequest, obj: Any) -> None:
        services.set_period_grid(
            obj.school, {obj.weekday: self._grid_with(obj, without=True)}, actor=request.user
        )


@admin.register(StaffRole, site=site)
class StaffRoleAdmin(ServiceAdmin):
    """Roles are granted and revoked; to change a role, revoke it and grant another."""

    list_display = ["user", "role", "school"]
    list_filter = [("school", admin.RelatedOnlyFieldListFilter), "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    allow_change = False
    allow_delete = True

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            # Staff of the administered schools, and fresh accounts nobody uses yet.
            from aanwezig.accounts.models import User

            fresh = User.objects.filter(
                staff_roles__isnull=True, guardian__isnull=True, student__isnull=True,
                partner__isnull=True, is_superuser=False,
            )
            field.queryset = User.objects.filter(
                pk__in=[*field.queryset.values_list("pk", flat=True),
                        *fresh.values_list("pk", flat=True)]
            )
        return field

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.grant_role(obj.school, obj.user, obj.role, actor=request.user)

    def delete(self, request: HttpRequest, obj: Any) -> None:
        services.revoke_role(obj.school, obj.user, obj.role, actor=request.user)


@admin.register(ExternalPartner, site=site)
class ExternalPartnerAdmin(ServiceAdmin):
    list_display = ["name", "kind", "organisation", "board"]
    list_filter = ["kind"]
    filter_horizontal = ["schools"]
    school_path = "schools"

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).distinct()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["board", "user"] if obj is not None else ["user"]

    def _save(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        school = administered_schools(request.user).filter(board_id=obj.board_id).first()
        if school is None and not request.user.is_superuser:
            raise PermissionDenied
        return services.save_generic(obj, actor=request.user, school=school)

    create = update = _save

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Keep the schools this administrator cannot see; set the rest through the service.
        chosen = set(form.cleaned_data.get("schools", []))
        hidden = set(form.instance.schools.exclude(pk__in=administered_schools(request.user)))
        services.set_partner_schools(form.instance, chosen | hidden, actor=request.user)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

