"""What was registered per lesson: a row per taken register and a row per exception.

Presence is derived: a student of a registered lesson without a Mark was there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aanwezig.roster.models import Guardian, Lesson, Student
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


class MarkSource(models.TextChoices):
    REGISTER = "register", _("lesson register")
    OFFICE = "office", _("attendance desk")
    GUARDIAN = "guardian", _("parent or carer")
    STUDENT = "student", _("student")
    REPORT = "report", _("absence report")
    IMPORT = "import", _("import")


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
    source = models.CharField(
        _("source"), max_length=8, choices=MarkSource.choices, default=MarkSource.REGISTER
    )
    report = models.ForeignKey(
        "AbsenceReport", on_delete=models.SET_NULL, null=True, blank=True, related_name="marks",
        help_text=_("Set when the absence was known beforehand; the teacher cannot change it."),
    )
    reported_by = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
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


class MarkChange(models.Model):
    """One change to a student's mark in a lesson: who, when, what it was and what it became.

    Kept apart from Mark so that history survives when a mark is removed
    (the student turns out to have been present).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="mark_changes")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="mark_changes")
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))
    source = models.CharField(_("source"), max_length=8, choices=MarkSource.choices)

    class Meta:
        verbose_name = _("register change")
        verbose_name_plural = _("register changes")
        ordering = ["-changed_at"]
        indexes = [
            models.Index(fields=["school", "changed_at"]),
            models.Index(fields=["student", "changed_at"]),
            models.Index(fields=["lesson", "changed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.lesson} {self.changed_at:%d-%m-%Y %H:%M}"


class ReportSource(models.TextChoices):
    OFFICE = "office", _("attendance desk")
    GUARDIAN = "guardian", _("parent or carer")
    STUDENT = "student", _("student")


class AbsenceReport(models.Model):
    """An absence known beforehand: a sick report, approved leave, a school activity, an internship.

    It covers a stretch of time (part of a day possible) and fills the register
    of every lesson in it. An open sick report (``end_date`` empty) lasts until
    the student is reported better. There is deliberately no field for a
    diagnosis: the school records that a student is sick, never what they have.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="absence_reports")
    reason = models.ForeignKey(AbsenceReason, on_delete=models.PROTECT, related_name="reports")
    start_date = models.DateField(_("from"))
    start_time = models.TimeField(_("from time"), null=True, blank=True)
    end_date = models.DateField(_("through"), null=True, blank=True)
    end_time = models.TimeField(_("until time"), null=True, blank=True)
    expected_end = models.DateField(_("expected back"), null=True, blank=True)
    source = models.CharField(_("reported by"), max_length=8, choices=ReportSource.choices)
    guardian = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("reported better at"), null=True, blank=True)
    withdrawn = models.BooleanField(_("withdrawn"), default=False)

    class Meta:
        verbose_name = _("absence report")
        verbose_name_plural = _("absence reports")
        ordering = ["-start_date"]
        indexes = [
            models.Index(fields=["school", "start_date"]),
            models.Index(fields=["student", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.reason} {self.start_date:%d-%m-%Y}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None and not self.withdrawn


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("reached")
    NOT_REACHED = "not_reached", _("not reached")
    VOICEMAIL = "voicemail", _("voicemail left")


class CallLog(models.Model):
    """A phone call by the attendance desk about a student's absence on a day."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="calls")
    date = models.DateField(_("about the day"))
    guardian = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=CallOutcome.choices)
    reason = models.ForeignKey(
        AbsenceReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    called_at = models.DateTimeField(_("called at"))

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        ordering = ["-called_at"]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self) -> str:
        return f"{self.student} {self.get_outcome_display()} {self.called_at:%d-%m-%Y %H:%M}"
