"""Forms for signing in to the portal and for a parent's or student's preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aanwezig.portal import signin
from aanwezig.roster.models import Guardian

#: Shown when a limit is reached: calm, no blame, what to do.
LIMITED = _("You have tried several times in a short while. Please wait a quarter of an hour "
            "and try again.")


def client_ip(request: HttpRequest | None) -> str:
    """The address the request came from (the proxy in front passes it as REMOTE_ADDR)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
        error_messages={"required": _("Fill in your e-mail address."),
                        "invalid": _("This is not an e-mail address. Check it and try again.")},
    )


class RateLimitedLoginMixin:
    """Rate limits for a password login form (an ``AuthenticationForm``): at most
    ``signin.LIMITS`` failed attempts per user name and per IP address in 15 minutes; over
    the limit the password is not even checked. Put it first in the form's bases."""

    request: HttpRequest | None
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        checks = signin.password_checks(username, client_ip(self.request))
        if username and signin.is_limited(checks):
            raise ValidationError(LIMITED, code="rate_limited")
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except ValidationError:
            if username:
                signin.record_attempts(checks, success=False)
            raise
        if username:
            signin.record_attempts(checks, success=True)
        return cleaned


class RateLimitedAuthenticationForm(RateLimitedLoginMixin, AuthenticationForm):
    """The password login of ``/login/``, rate limited."""


class PreferencesForm(forms.Form):
    """A parent's language, channel and monthly overview; a student's language."""

    language = forms.ChoiceField(label=_("Language"), choices=signin.LANGUAGES,
                                 widget=forms.RadioSelect)
    preferred_channel = forms.ChoiceField(
        label=_("How would you like to hear from the school?"), widget=forms.RadioSelect,
        help_text=_("Only the ways the school has your contact details for. Is something "
                    "missing or wrong? Please tell the school."),
    )
    monthly_overview = forms.BooleanField(
        label=_("Send me a short overview of my child's attendance every month"),
        required=False,
    )

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(person, Guardian):
            channel = self.fields["preferred_channel"]
            assert isinstance(channel, forms.ChoiceField)
            channel.choices = signin.channel_choices(person)
        else:
            del self.fields["preferred_channel"]
            del self.fields["monthly_overview"]

    @classmethod
    def initial_for(cls, user: Any, person: Any) -> dict[str, Any]:
        if isinstance(person, Guardian):
            return {"language": person.language, "preferred_channel": person.preferred_channel,
                    "monthly_overview": person.monthly_overview}
        return {"language": user.language or "nl"}


class PasswordForm(SetPasswordForm):
    """A new password, twice, checked by Django's password validators."""

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].widget.attrs["autocomplete"] = "new-password"
        self.fields["new_password2"].widget.attrs["autocomplete"] = "new-password"
