"""Forms of the DUO pages. They only read input; the rules live in ``protocol.dossiers``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aanwezig.lib.phone import display as phone_display
from aanwezig.protocol.dossiers import REASON_MAX
from aanwezig.protocol.models import DuoDossier, DuoKind, DuoStatus


class DossierForm(forms.Form):
    """What the attendance officer completes before sending the report."""

    probable_reason = forms.CharField(
        label=_("Probable reason"), required=False,
        widget=forms.TextInput(attrs={"maxlength": REASON_MAX}),
        help_text=_("At most 200 characters. Only what explains the absence; no diagnosis "
                    "and no details about health."),
    )
    school_actions = forms.CharField(
        label=_("What the school has done"), required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Filled in from what aanwezig recorded; add what is missing."),
    )
    school_asks = forms.CharField(
        label=_("What the school asks"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: a conversation between the leerplichtambtenaar, the student "
                    "and the parents."),
    )
    contact_name = forms.CharField(label=_("Contact person"), required=False)
    contact_role = forms.CharField(label=_("Role"), required=False)
    contact_phone = forms.CharField(label=_("Phone"), required=False,
                                    widget=forms.TextInput(attrs={"type": "tel"}))
    contact_email = forms.CharField(label=_("E-mail"), required=False,
                                    widget=forms.TextInput(attrs={"type": "email"}))

    @classmethod
    def for_dossier(cls, dossier: DuoDossier) -> DossierForm:
        initial: dict[str, Any] = {name: getattr(dossier, name) for name in cls.base_fields}
        initial["contact_phone"] = phone_display(dossier.contact_phone)
        return cls(initial=initial)

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's errors next to the fields they are about."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)


class SentForm(forms.Form):
    duo_reference = forms.CharField(
        label=_("DUO reference (optional)"), required=False, max_length=40,
        help_text=_("The number the DUO portal shows after sending."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=DuoStatus.choices)
    reason = forms.CharField(
        label=_("Why (needed when withdrawing)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PrepareForm(forms.Form):
    kind = forms.ChoiceField(choices=DuoKind.choices)
    start_date = forms.DateField(input_formats=["%Y-%m-%d"])
