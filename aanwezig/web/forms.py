"""Small forms of the web pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _


class DayForm(forms.Form):
    """Pick the day a page shows (group members on a date); empty means today."""

    datum = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def day(self, default: dt.date) -> dt.date:
        """The chosen day, or ``default`` when none or an invalid one was given."""
        if self.is_valid() and self.cleaned_data.get("datum"):
            value: dt.date = self.cleaned_data["datum"]
            return value
        return default
