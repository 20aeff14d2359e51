"""The portal for parents and students: signing in, and what each school shows there.

* ``LoginToken`` — a single-use sign-in link (15 minutes) or invitation (7 days); only a
  hash of the token is stored.
* ``LoginAttempt`` — sign-in attempts, for rate limiting.
* ``PortalSettings`` — per school: whether parents see attendance per lesson or per day,
  the attendance desk's hours, where parents go with worries.

Docs: docs/portal.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aanwezig.schools.models import School


class TokenPurpose(models.TextChoices):
    LOGIN = "login", _("sign-in link")
    INVITE = "invite", _("invitation")


class LoginToken(models.Model):
    """A sign-in link: valid until ``expires_at``, used once (``used_at``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="login_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=8, choices=TokenPurpose.choices,
                               default=TokenPurpose.LOGIN)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class LoginAttempt(models.Model):
    """One attempt to sign in or to ask for a link, by e-mail address and by IP address."""

    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=8)
    at = models.DateTimeField()
    success = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")
        indexes = [models.Index(fields=["key", "kind", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.at:%Y-%m-%d %H:%M}"


class ParentsSee(models.TextChoices):
    DAY = "day", _("per day")
    LESSON = "lesson", _("per lesson")


class PortalSettings(models.Model):
    """What a school shows in the portal."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="portal")
    parents_see = models.CharField(
        _("parents see attendance"), max_length=8, choices=ParentsSee.choices,
        default=ParentsSee.DAY,
        help_text=_("Per day is calmer; per lesson shows every registered lesson."),
    )
    desk_hours = models.CharField(_("opening hours of the attendance desk"), max_length=200,
                                  blank=True)
    worries = models.TextField(
        _("where parents go with worries"), blank=True,
        help_text=_("Plain language: who to talk to first, and where to get help."),
    )

    class Meta:
        verbose_name = _("portal settings")
        verbose_name_plural = _("portal settings")

    def __str__(self) -> str:
        return str(self.school)
