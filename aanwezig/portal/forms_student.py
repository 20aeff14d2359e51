"""Forms of the student's portal and the inbox: consent per parent, and a reply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aanwezig.portal.consent import Choice
from aanwezig.roster.models import StudentGuardian

#: A reply is a few sentences; longer text belongs in a conversation with the school.
REPLY_MAX = 4000


class ConsentForm(forms.Form):
    """Two switches per parent: may see my attendance, may be contacted about me."""

    def __init__(self, *args: Any, links: list[StudentGuardian], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.links = links
        for link in links:
            self.fields[f"view_{link.pk}"] = forms.BooleanField(
                required=False, initial=link.adult_consent_view,
                label=_("May see my attendance"),
                widget=forms.CheckboxInput(attrs={"role": "switch"}),
            )
            self.fields[f"contact_{link.pk}"] = forms.BooleanField(
                required=False, initial=link.adult_consent_contact,
                label=_("The school may contact them about me"),
                widget=forms.CheckboxInput(attrs={"role": "switch"}),
            )

    def rows(self) -> list[tuple[StudentGuardian, forms.BoundField, forms.BoundField]]:
        """Per parent: the link and its two switches, for the template."""
        return [(link, self[f"view_{link.pk}"], self[f"contact_{link.pk}"]) for link in self.links]

    def choices(self) -> dict[int, Choice]:
        return {
            link.pk: Choice(view=bool(self.cleaned_data.get(f"view_{link.pk}")),
                            contact=bool(self.cleaned_data.get(f"contact_{link.pk}")))
            for link in self.links
        }


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=REPLY_MAX, strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The school reads your reply and gets back to you if needed."),
        error_messages={"required": _("Write a reply first.")},
    )
