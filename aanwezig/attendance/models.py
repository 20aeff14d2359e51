"""What was registered per lesson: a row per taken register and a row per exception.

Presence is derived: a student of a registered lesson without a Mark was there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aanwezig.roster.models import Lesson, Student
from aanwezig.schools.models import School


class CountsAs(models.TextChoices):
    ABSENT = "absent", _("absent")
    PRESENT = "present", _("present")


class ReasonCategory(models.TextChoices):
    SICK = "sick", _("sickness")
    MEDICAL = "medical", _("medical appointment")
    LEAVE = "leave", _("leave")
    RELIGIOUS = "religious", _("religious duty")
    SUSPENSION = "suspension", _("suspension")
    SCHOOL = "school", _("school activity or internship")
    LATE = "late", _("lateness")
    REMOVED = "removed", _("removed from class")
    UNEXCUSED = "unexcused", _("unexcused")
    UNKNOWN = "unknown", _("not yet known")


class AbsenceReason(models.Model):
    """A school's absence reason (code) with the flags that give it meaning."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="absence_reasons")
    code = models.CharField(_("code"), max_length=24)
    label = models.CharField(_("label"), max_length=80)
    counts_as = models.CharField(
        _("counts as"), max_length=7, choices=CountsAs.choices, default=CountsAs.ABSENT
    )
    excused = models.BooleanField(_("excused (geoorloofd)"), default=False)
    settable_by = models.JSONField(_("who may set it"), default=list, blank=True)
    needs_approval = models.BooleanField(_("needs approval"), default=False)
    is_lateness = models.BooleanField(_("is lateness"), default=False)
    category = models.CharField(_("category"), max_length=12, choices=ReasonCategory.choices)
    is_active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("absence reason")
        verbose_name_plural = _("absence reasons")
        ordering = ["school", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="absencereason_unique_code")
        ]

    def __str__(self) -> str:
        return self.label


class Registration(models.Model):
    """A taken register: the lesson's attendance was recorded by someone at some time."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="registration")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken at"))
    updated_at = models.DateTimeField(_("last changed"))

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("registers")
        indexes = [models.Index(fields=["school", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.lesson} ({self.taken_at:%d-%m-%Y %H:%M})"


class MarkStatus(models.TextChoices):
    ABSENT = "absent", _("absent")
    LATE = "late", _("late")
    REMOVED = "removed", _("removed from class")


class Mark(models.Model):
    """An exception in a lesson's register: absent, late or removed, with a reason if known.

    ``date`` repeats the lesson's date so that per-student and per-day queries
    use one index without a join.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="marks")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="marks")
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=8, choices=MarkStatus.choices)
    reason = models.ForeignKey(
        AbsenceReason, on_delete=models.PROTECT, null=True, blank=True, related_name="marks"
    )
    minutes_late = models.PositiveSmallIntegerField(_("minutes late"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance marks")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="mark_unique_student_lesson")
        ]
        indexes = [
            models.Index(fields=["school", "date"]),
            models.Index(fields=["student", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.get_status_display()} {self.date:%d-%m-%Y}"
