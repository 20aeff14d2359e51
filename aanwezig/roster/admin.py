"""Set-up admin for groups, students, guardians, the timetable and lessons.

Administrators may see BSN and onderwijsnummer (on a student's page, never in
lists). Every save calls a service in roster.services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from aanwezig.admin_site import (
    ServiceAdmin,
    ServiceInline,
    administered_boards,
    administered_schools,
    changed_values,
    site,
)
from aanwezig.roster import services
from aanwezig.roster.forms import GuardianForm
from aanwezig.roster.models import (
    Group,
    GroupMentor,
    Guardian,
    Lesson,
    LessonStatus,
    Membership,
    Student,
    StudentGuardian,
    TimetableEntry,
)


class MentorInline(ServiceInline):
    model = GroupMentor
    fields = ["user"]
    allow_change = False  # a mentor is added or removed, not changed into another person
    allow_delete = True
    verbose_name = _("mentor")

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.add_mentor(obj.group, obj.user, actor=request.user)

    def delete(self, request: HttpRequest, obj: Any) -> None:
        services.remove_mentor(obj, actor=request.user)


@admin.register(Group, site=site)
class GroupAdmin(ServiceAdmin):
    list_display = ["name", "kind", "year_level", "school_year", "school"]
    list_filter = [("school", admin.RelatedOnlyFieldListFilter), "kind"]
    search_fields = ["name"]
    fields = ["school_year", "name", "kind", "year_level", "level", "programme", "external_key"]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [MentorInline] if obj is not None else []

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["school_year"] if obj is not None else []

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        extra = {name: getattr(obj, name) for name in services.GROUP_FIELDS
                 if name not in {"name", "kind"}}
        return services.create_group(obj.school_year, name=obj.name, kind=obj.kind,
                                     actor=request.user, **extra)

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.update_group(
            obj, actor=request.user, **changed_values(obj, form, services.GROUP_FIELDS)
        )


class MembershipInline(ServiceInline):
    model = Membership
    fields = ["group", "start_date", "end_date"]
    fk_name = "student"
    verbose_name = _("group membership")

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.add_membership(obj.student, obj.group, start_date=obj.start_date,
                                       end_date=obj.end_date, actor=request.user)

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        if set(form.changed_data) - {"end_date"}:
            raise ValidationError(
                _("To move a student to another group, end this membership and add a new one.")
            )
        return services.end_membership(obj, end_date=obj.end_date, actor=request.user)


STUDENT_FORM_FIELDS = [
    "school", "school_key", "first_names", "given_name", "prefix", "last_name", "birth_date",
    "sector", "enrolment_start", "enrolment_end", "has_startkwalificatie", "eckid", "bsn",
    "onderwijsnummer",
]


@admin.register(Student, site=site)
class StudentAdmin(ServiceAdmin):
    # No BSN or onderwijsnummer in the list: restricted identifiers stay on the detail page.
    list_display = ["last_name", "given_name", "prefix", "school_key", "sector", "school"]
    list_filter = [("school", admin.RelatedOnlyFieldListFilter), "sector"]
    search_fields = ["last_name", "given_name", "school_key"]
    fields = tuple(STUDENT_FORM_FIELDS)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [MembershipInline] if obj is not None else []

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["school"] if obj is not None else []

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        fields = {name: getattr(obj, name) for name in STUDENT_FORM_FIELDS if name != "school"}
        return services.create_student(obj.school, actor=request.user, **fields)

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.update_student(
            obj, actor=request.user, **changed_values(obj, form, services.STUDENT_FIELDS)
        )


@admin.register(Guardian, site=site)
class GuardianAdmin(ServiceAdmin):
    """Guardians belong to the board. An administrator sees those linked to a student of
    their schools, and unlinked ones of their board (just added, not yet linked)."""

    form = GuardianForm
    list_display = ["last_name", "given_name", "prefix", "email", "phone"]
    search_fields = ["last_name", "given_name", "email"]

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if request.user.is_superuser:
            return queryset
        schools = administered_schools(request.user)
        links = StudentGuardian.objects.filter(guardian=OuterRef("pk"))
        return queryset.filter(
            Exists(links.filter(school__in=schools))
            | (Q(board__in=administered_boards(request.user)) & ~Exists(links))
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["board"] if obj is not None else []

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        fields = {name: getattr(obj, name) for name in services.GUARDIAN_FIELDS
                  if name != "user_id"}
        return services.create_guardian(obj.board, actor=request.user, **fields)

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.update_guardian(
            obj, actor=request.user, **changed_values(obj, form, services.GUARDIAN_FIELDS)
        )


CONSENT_FIELDS = ("adult_consent_view", "adult_consent_contact")


@admin.register(StudentGuardian, site=site)
class StudentGuardianAdmin(ServiceAdmin):
    list_display = ["student", "guardian", "relation", "has_authority", "receives_messages"]
    list_filter = ["relation"]
    search_fields = ["student__last_name", "guardian__last_name"]
    fields = ["student", "guardian", "relation", "has_authority", "lives_with_student",
              "receives_messages", *CONSENT_FIELDS, "consent_changed_at"]
    allow_delete = True

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return ["student", "guardian", "consent_changed_at"]
        return ["consent_changed_at"]

    def _consent(self, request: HttpRequest, link: StudentGuardian, obj: Any) -> None:
        # Imported here: the admin of the roster uses the portal's one consent service.
        from aanwezig.portal.consent import Choice, set_consent

        set_consent(link.student, {link.pk: Choice(view=obj.adult_consent_view,
                                                   contact=obj.adult_consent_contact)},
                    actor=request.user)

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        options = {name: getattr(obj, name) for name in services.LINK_FIELDS
                   if name != "relation"}
        link = services.link_guardian(obj.student, obj.guardian, relation=obj.relation,
                                      actor=request.user, **options)
        if obj.adult_consent_view or obj.adult_consent_contact:
            self._consent(request, link, obj)
        return link

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        link = services.update_guardian_link(
            obj, actor=request.user, **changed_values(obj, form, services.LINK_FIELDS)
        )
        if set(form.changed_data) & set(CONSENT_FIELDS):
            self._consent(request, link, obj)
        return link

    def delete(self, request: HttpRequest, obj: Any) -> None:
        services.unlink_guardian(obj, actor=request.user)


@admin.register(TimetableEntry, site=site)
class TimetableEntryAdmin(ServiceAdmin):
    list_display = ["group", "period", "subject", "teacher", "room", "valid_from", "valid_until"]
    list_filter = [("school", admin.RelatedOnlyFieldListFilter), "period__weekday"]
    search_fields = ["group__name", "subject", "room"]
    fields = ["group", "period", "teacher", "subject", "room", "valid_from", "valid_until"]
    allow_delete = True

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.create_timetable_entry(
            obj.group, obj.period, obj.teacher, subject=obj.subject, room=obj.room,
            valid_from=obj.valid_from, valid_until=obj.valid_until, actor=request.user,
        )

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.update_timetable_entry(obj, actor=request.user,
                                               **changed_values(obj, form))

    def delete(self, request: HttpRequest, obj: Any) -> None:
        services.remove_timetable_entry(obj, actor=request.user)


@admin.register(Lesson, site=site)
class LessonAdmin(ServiceAdmin):
    """Lessons come from the timetable; here one is added, changed, cancelled or restored."""

    list_display = ["date", "start_time", "group", "subject", "teacher", "room", "status",
                    "is_changed"]
    list_filter = [("school", admin.RelatedOnlyFieldListFilter), "status", "is_changed"]
    date_hierarchy = "date"
    search_fields = ["group__name", "subject", "room"]
    fields = ["date", "period", "start_time", "end_time", "group", "teacher", "subject", "room",
              "status", "note", "is_changed", "entry"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["is_changed", "entry", "status"]
        return ["is_changed", "entry", "group"]

    def create(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        return services.add_lesson(
            obj.group, obj.teacher, obj.date, subject=obj.subject, period=obj.period,
            start_time=obj.start_time, end_time=obj.end_time, room=obj.room, note=obj.note,
            actor=request.user,
        )

    def update(self, request: HttpRequest, obj: Any, form: Any) -> models.Model:
        changes = changed_values(obj, form, services.LESSON_CHANGE_FIELDS)
        cancelling = "status" in form.changed_data and obj.status == LessonStatus.CANCELLED
        restoring = "status" in form.changed_data and obj.status == LessonStatus.SCHEDULED
        # Change first with the stored status, then cancel or restore.
        obj.status = LessonStatus.SCHEDULED if cancelling else (
            LessonStatus.CANCELLED if restoring else obj.status)
        lesson = obj
        if changes:
            lesson = services.change_lesson(lesson, actor=request.user, **changes)
        if restoring:
            lesson = services.restore_lesson(lesson, actor=request.user)
        if cancelling:
            lesson = services.cancel_lesson(lesson, actor=request.user)
        return lesson
