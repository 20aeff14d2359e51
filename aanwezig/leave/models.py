"""Leave requests (verlofaanvragen): a parent asks, the school head or the leerplichtambtenaar
decides, and approved leave fills the register.

* ``LeaveRequest`` — one request for one student: holiday leave under art. 13a of the
  Leerplichtwet or leave for important circumstances under art. 14, the days asked for, the
  parent's reason, the employer's statement (a file under ``LEAVE_FILES_DIR``, served only
  through a gatekept view), its status and the decision.

The rules are in ``leave.rules`` (pure), the writes in ``leave.services``. Docs: docs/leave.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aanwezig.attendance.models import AbsenceReport
from aanwezig.roster.models import Guardian, Student
from aanwezig.schools.models import School


class LeaveKind(models.TextChoices):
    HOLIDAY_13A = "holiday_13a", _("holiday leave (art. 13a)")
    IMPORTANT_14 = "important_14", _("important circumstances (art. 14)")


class LeaveStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    FORWARDED = "forwarded", _("with the leerplichtambtenaar")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")


#: Statuses of a request that still waits for a decision.
OPEN_STATUSES = (LeaveStatus.SUBMITTED, LeaveStatus.FORWARDED)
#: Statuses that hold the days: a second request for the same days is refused.
HOLDING_STATUSES = (LeaveStatus.SUBMITTED, LeaveStatus.FORWARDED, LeaveStatus.APPROVED)
#: Statuses with a decision (and so a decision letter).
DECIDED_STATUSES = (LeaveStatus.APPROVED, LeaveStatus.REFUSED)


class DecidedBy(models.TextChoices):
    SCHOOL_HEAD = "school_head", _("the school head")
    LEERPLICHT = "leerplicht", _("the leerplichtambtenaar")


class LeaveRequest(models.Model):
    """One request for leave for one student, from submission to decision."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="leave_requests")
    requested_by = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="leave_requests",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind of leave"), max_length=12, choices=LeaveKind.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.TextField(_("reason"), max_length=2000)
    statement_file = models.CharField(
        _("employer's statement"), max_length=200, blank=True,
        help_text=_("Name of the file under the leave files folder; downloaded through the "
                    "school's page only."),
    )
    statement_name = models.CharField(_("file name as uploaded"), max_length=200, blank=True)
    statement_type = models.CharField(_("file type"), max_length=40, blank=True)
    school_days = models.PositiveSmallIntegerField(_("school days"))
    status = models.CharField(_("status"), max_length=10, choices=LeaveStatus.choices,
                              default=LeaveStatus.SUBMITTED)
    created_at = models.DateTimeField(_("submitted at"))
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decision recorded by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_kind = models.CharField(_("decided by"), max_length=12, choices=DecidedBy.choices,
                                       blank=True)
    decision_text = models.TextField(_("reason for the decision"), max_length=2000, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    absence_report = models.ForeignKey(
        AbsenceReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text=_("The register entry made when the leave was approved."),
    )

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["school", "status", "start_date"]),
            models.Index(fields=["student", "start_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="leaverequest_end_not_before_start"),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.get_kind_display()} {self.start_date:%d-%m-%Y}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    @property
    def has_statement(self) -> bool:
        return bool(self.statement_file)
