"""The outbox: one row per recipient per channel, written with the event that causes it.

A worker delivers queued rows (``notifications.delivery``). A row is claimed by a
conditional update (queued → sending), so two workers never send it twice, and a
worker killed mid-send leaves it in ``sending`` for the sweep to put back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aanwezig.roster.models import Channel, Guardian, Student
from aanwezig.schools.models import School


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class Event(models.TextChoices):
    UNEXPLAINED_ABSENCE = "unexplained_absence", _("absent without a known reason")
    MONTHLY_OVERVIEW = "monthly_overview", _("monthly attendance overview")
    COMPLIMENT = "compliment", _("compliment on attendance")
    REGISTER_REMINDER = "register_reminder", _("register reminder")


#: Events sent through the pipeline like the others, with texts of their own, that are not in
#: ``Event``: the absence protocol's messages (``protocol/messages.py``) and the portal's.
MORE_EVENTS = {
    "protocol_concern": _("protocol: we are concerned"),
    "protocol_conversation": _("protocol: invitation to a conversation"),
    "protocol_late": _("protocol: late for lessons"),
    "protocol_duo_report": _("protocol: report to DUO"),
    "protocol_care": _("protocol: often sick"),
    "protocol_chronic": _("protocol: attendance over a longer time"),
    "portal_login": _("portal: sign-in link"),
    "portal_invite": _("portal: invitation"),
    "report_confirmation": _("portal: confirmation of a report"),
    "adult_consent": _("portal: consent on turning 18"),
    "leave_decision": _("leave: decision"),
}


class RecipientKind(models.TextChoices):
    GUARDIAN = "guardian", _("parent or carer")
    STUDENT = "student", _("student")
    STAFF = "staff", _("staff member")


class LetterBatch(models.Model):
    """One printed batch of letters: a PDF with one letter per page, printed and posted by the school.

    A letter message counts as delivered (``sent``) once it is in a batch; until then it is
    ``queued`` without a batch, waiting for the next print run.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("printed at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pdf = models.CharField(
        _("PDF file"), max_length=200,
        help_text=_("Name of the PDF under the letters folder; downloaded through the staff page only."),
    )
    count = models.PositiveIntegerField(_("letters"))

    class Meta:
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["school", "created_at"])]

    def __str__(self) -> str:
        return f"{self.school} {self.created_at:%d-%m-%Y %H:%M} ({self.count})"


class Message(models.Model):
    """One message to one recipient through one channel, and its delivery state."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("event"), max_length=24, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    recipient_kind = models.CharField(_("recipient"), max_length=8, choices=RecipientKind.choices)
    guardian = models.ForeignKey(
        Guardian, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    sender_name = models.CharField(_("sender"), max_length=200, blank=True)
    urgent = models.BooleanField(
        _("urgent"), default=False,
        help_text=_("Urgent messages do not count towards the weekly limit per family."),
    )
    about_date = models.DateField(_("about the day"), null=True, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    fallback_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="fallbacks"
    )
    letter_batch = models.ForeignKey(
        LetterBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="messages",
        verbose_name=_("letter batch"),
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]
        constraints = [
            # At most one message per event, recipient, channel and day: queueing twice is a no-op.
            models.UniqueConstraint(fields=["school", "channel", "dedupe_key"],
                                    name="message_unique_dedupe"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["school", "created_at"]),
            models.Index(fields=["student", "created_at"]),
            models.Index(fields=["guardian", "created_at"]),
            # Deduplication looks a key up across channels.
            models.Index(fields=["school", "dedupe_key"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.address or self.get_channel_display()}"

    def get_event_display(self) -> str:  # type: ignore[no-redef]
        """The event's label, also for the events in ``MORE_EVENTS``."""
        labels = {**dict(Event.choices), **MORE_EVENTS}
        return str(labels.get(self.event, self.event))


class InvalidContact(models.Model):
    """A contact detail that failed permanently (bounced e-mail, unknown number)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="invalid_contacts")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    error = models.CharField(_("error"), max_length=500)
    created_at = models.DateTimeField(_("found at"))

    class Meta:
        verbose_name = _("invalid contact detail")
        verbose_name_plural = _("invalid contact details")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "channel", "address"],
                                    name="invalidcontact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.guardian} {self.address}"


class Reply(models.Model):
    """A parent's reply to a message, landing on the student's record for the office."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="replies")
    guardian = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("reply"))
    received_at = models.DateTimeField(_("received at"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["school", "received_at"])]

    def __str__(self) -> str:
        return f"{self.guardian} {self.received_at:%d-%m-%Y %H:%M}"


class NotificationSettings(models.Model):
    """A school's message settings, as JSON validated by ``notifications.config.Settings``."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="notification_settings")
    data = models.JSONField(_("settings"), default=dict, blank=True)

    class Meta:
        verbose_name = _("message settings")
        verbose_name_plural = _("message settings")

    def __str__(self) -> str:
        return str(self.school)


class SchoolTemplate(models.Model):
    """A school's own wording of one event's message in one language (replaces the default)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="message_templates")
    event = models.CharField(_("event"), max_length=24, choices=Event.choices)
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("changed"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("message text")
        verbose_name_plural = _("message texts")
        constraints = [
            models.UniqueConstraint(fields=["school", "event", "language"],
                                    name="schooltemplate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} ({self.language})"
