"""Forms for the roster."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aanwezig.lib.phone import to_e164
from aanwezig.roster.models import Guardian


class GuardianForm(forms.ModelForm):
    """A parent's contact details; the phone number is checked and stored as E.164."""

    class Meta:
        model = Guardian
        fields = [
            "board", "given_name", "prefix", "last_name", "email", "phone", "language",
            "preferred_channel", "external_key",
        ]
        help_texts = {
            "phone": _("For example 06 12345678 or +31 6 12345678."),
        }

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "")
        try:
            return to_e164(raw)
        except ValidationError as exc:
            raise ValidationError(exc.messages, code="invalid_phone") from exc
