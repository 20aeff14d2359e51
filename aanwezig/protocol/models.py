"""The absence protocol as data, and what running it leaves behind.

* ``Protocol`` — one per school: its settings; its steps live in versions.
* ``ProtocolVersion`` — an immutable copy of the steps (JSON validated against
  ``protocol.vocabulary``); editing saves a new version, so the version in force
  on any date can be shown.
* ``Firing`` — a step fired for a student for one window; unique, which makes
  firing idempotent when the register hook and the sweep race.
* ``Case`` with ``Conversation``, ``Agreement``, ``CasePartner`` and ``CaseNote`` —
  the begeleiding a step can open.
* ``Task`` — work for a role (or a person), shown on their start page.
* ``DuoDossier`` — a report to DUO, from proposal to its status at DUO.

Docs: docs/protocol.md, docs/cases.md, docs/duo-report.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aanwezig.roster.models import Student
from aanwezig.schools.models import ExternalPartner, Role, School


class Protocol(models.Model):
    """A school's absence protocol: settings here, steps in ``ProtocolVersion``."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="protocol")
    report_adults = models.BooleanField(
        _("report students of 18 and over to DUO"), default=False,
        help_text=_("The law allows it for students of 18 and over without a startkwalificatie; "
                    "many municipalities ask for it."),
    )
    contact_name = models.CharField(_("contact person for DUO reports"), max_length=200,
                                    blank=True)
    contact_role = models.CharField(_("contact person's role"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact person's phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact person's e-mail"), blank=True)

    class Meta:
        verbose_name = _("absence protocol")
        verbose_name_plural = _("absence protocols")

    def __str__(self) -> str:
        return str(_("Absence protocol of %(school)s") % {"school": self.school})


class ProtocolVersion(models.Model):
    """One version of a school's protocol steps. Never changed after it is saved."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    steps = models.JSONField(_("steps"), default=list)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("in force from"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("protocol version")
        verbose_name_plural = _("protocol versions")
        ordering = ["protocol", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="protocol_version_unique"),
        ]
        indexes = [models.Index(fields=["school", "created_at"])]

    def __str__(self) -> str:
        return f"{self.protocol_id} v{self.number}"


class Firing(models.Model):
    """A protocol step that fired for one student for one window (at most once)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="firings")
    step_key = models.CharField(_("step"), max_length=40)
    step_title = models.CharField(_("step title"), max_length=120)
    window_start = models.DateField(_("window start"))
    window_end = models.DateField(_("reached on"))
    figures = models.JSONField(_("figures"), default=dict)
    explanation = models.CharField(_("why"), max_length=300)
    version = models.ForeignKey(ProtocolVersion, on_delete=models.PROTECT, related_name="firings")
    case = models.ForeignKey("Case", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="firings")
    fired_at = models.DateTimeField(_("fired at"))

    class Meta:
        verbose_name = _("protocol signal")
        verbose_name_plural = _("protocol signals")
        constraints = [
            models.UniqueConstraint(fields=["school", "student", "step_key", "window_start"],
                                    name="firing_once_per_window"),
        ]
        indexes = [models.Index(fields=["school", "student", "step_key", "fired_at"])]

    def __str__(self) -> str:
        return f"{self.step_key} {self.student_id} {self.window_start}"


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class CaseOutcome(models.TextChoices):
    IMPROVED = "improved", _("attendance improved")
    PARTLY = "partly", _("attendance partly improved")
    NOT_IMPROVED = "not_improved", _("attendance did not improve")
    REFERRED = "referred", _("handed over to a partner")
    LEFT = "left", _("student left the school")


class Case(models.Model):
    """Begeleiding around one student's attendance: opened by a step or by staff."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="cases")
    status = models.CharField(_("status"), max_length=8, choices=CaseStatus.choices,
                              default=CaseStatus.OPEN)
    level = models.PositiveSmallIntegerField(
        _("level"), default=1,
        help_text=_("1: mentor and parents; 2: with the coordinator; 3: with partners."),
    )
    title = models.CharField(_("subject"), max_length=200)
    role = models.CharField(_("responsible role"), max_length=32, choices=Role.choices,
                            default=Role.MENTOR)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=CaseOutcome.choices,
                               blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    evaluation_parents = models.TextField(_("how the parents look back"), blank=True)
    evaluation_student = models.TextField(_("how the student looks back"), blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["school", "status", "student"])]

    def __str__(self) -> str:
        return self.title


class ConversationKind(models.TextChoices):
    MOL = "mol", _("mentor, parents and student")
    PARENTS = "parents", _("with the parents")
    STUDENT = "student", _("with the student")
    PARTNER = "partner", _("with a partner")
    PHONE = "phone", _("by phone")


class Conversation(models.Model):
    """A conversation held in a case; it starts with attendance (tip 7), and records the
    parents' and the student's view next to the school's (tip 1)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conversations")
    held_on = models.DateField(_("held on"))
    kind = models.CharField(_("kind"), max_length=8, choices=ConversationKind.choices)
    participants = models.CharField(_("who took part"), max_length=300)
    attendance = models.CharField(_("attendance discussed"), max_length=300,
                                  help_text=_("Filled in from the figures: the conversation "
                                              "starts with attendance."))
    school_view = models.TextField(_("the school's view"), blank=True)
    parents_view = models.TextField(_("the parents' view"), blank=True)
    student_view = models.TextField(_("the student's view"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-held_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"


class AgreementParty(models.TextChoices):
    STUDENT = "student", _("student")
    PARENTS = "parents", _("parents")
    SCHOOL = "school", _("school")


class AgreementStatus(models.TextChoices):
    OPEN = "open", _("running")
    KEPT = "kept", _("kept")
    NOT_KEPT = "not_kept", _("not kept")
    CHANGED = "changed", _("changed")


class Agreement(models.Model):
    """An agreement made with student and parents, reviewed on its review date."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    text = models.CharField(_("agreement"), max_length=500)
    party = models.CharField(_("who"), max_length=8, choices=AgreementParty.choices)
    review_on = models.DateField(_("review on"))
    status = models.CharField(_("status"), max_length=8, choices=AgreementStatus.choices,
                              default=AgreementStatus.OPEN)
    review_note = models.CharField(_("review"), max_length=500, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("made at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["review_on", "pk"]

    def __str__(self) -> str:
        return self.text


class CasePartner(models.Model):
    """An external partner involved in a case. They see only what the law allows."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="partners")
    partner = models.ForeignKey(ExternalPartner, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("why involved"), max_length=300)
    added_at = models.DateTimeField(_("involved since"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("partner in a case")
        verbose_name_plural = _("partners in a case")
        constraints = [
            models.UniqueConstraint(fields=["case", "partner"], name="case_partner_once"),
        ]

    def __str__(self) -> str:
        return str(self.partner)


class CaseNote(models.Model):
    """A short note in a case's timeline (no diagnosis: the form says so)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = models.CharField(_("note"), max_length=1000)
    written_at = models.DateTimeField(_("written at"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-written_at"]

    def __str__(self) -> str:
        return self.text[:50]


class TaskKind(models.TextChoices):
    PHONE_PARENTS = "phone_parents", _("phone the parents")
    PLAN_CONVERSATION = "plan_conversation", _("plan a conversation")
    TALK_TO_STUDENT = "talk_to_student", _("talk to the student")
    JEUGDARTS = "jeugdarts", _("propose a consultation with the youth doctor")
    INFORM_LEERPLICHT = "inform_leerplicht", _("inform the leerplichtambtenaar")
    INFORM_RMC = "inform_rmc", _("inform the RMC")
    DUO_REPORT = "duo_report", _("send the DUO report")
    NOTICE = "notice", _("for your information")
    REVIEW = "review", _("review agreements")
    OTHER = "other", _("other")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("to do")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class Task(models.Model):
    """Work for a role at the school, or for one person. Shown on their start page.

    A task for the mentor role belongs to the mentors of the student's group; a task
    for a school-wide role to everyone with that role at the school.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="tasks")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="tasks")
    firing = models.ForeignKey(Firing, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="tasks")
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    role = models.CharField(_("for role"), max_length=32, choices=Role.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("why"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices,
                              default=TaskStatus.OPEN)
    created_at = models.DateTimeField(_("created at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    done_note = models.CharField(_("how it went"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["school", "status", "role", "due_on"])]

    def __str__(self) -> str:
        return self.title


class DuoKind(models.TextChoices):
    FIRST = "first", _("16 hours in 4 weeks")
    FOLLOW_UP = "follow_up", _("16 hours in 4 weeks, follow-up report")
    LUXURY = "luxury", _("suspected luxury absence")
    LONG = "long", _("unexcused absence of more than 4 weeks")


class DuoStatus(models.TextChoices):
    PROPOSED = "proposed", _("to report")
    REGISTERED = "registered", _("registered")
    IN_PROGRESS = "in_progress", _("in progress")
    CLOSED = "closed", _("closed")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    WITHDRAWN = "withdrawn", _("withdrawn")


class DuoDossier(models.Model):
    """A report to DUO (verzuimmelding): every field DUO asks, and its status.

    Proposed by the protocol, completed and sent by the attendance officer through
    the DUO web portal; ``sent_at`` records when. Never holds sickness: excused
    absence does not count and is not listed.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="duo_dossiers")
    kind = models.CharField(_("report type"), max_length=10, choices=DuoKind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    due_on = models.DateField(_("report by"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    absences = models.JSONField(
        _("days and lessons absent"), default=list,
        help_text=_("Per day: the date and the unexcused lessons (time, subject)."),
    )
    probable_reason = models.CharField(_("probable reason"), max_length=200, blank=True)
    school_actions = models.TextField(_("what the school has done"), blank=True)
    school_asks = models.TextField(_("what the school asks"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_role = models.CharField(_("role"), max_length=100, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=DuoStatus.choices,
                              default=DuoStatus.PROPOSED)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")
    duo_reference = models.CharField(_("DUO reference"), max_length=40, blank=True)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="duo_dossiers")
    firing = models.ForeignKey(Firing, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("DUO report")
        verbose_name_plural = _("DUO reports")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "student", "kind", "start_date"],
                                    name="duo_dossier_once"),
        ]
        indexes = [models.Index(fields=["school", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}–{self.end_date}"
