"""Forms for school set-up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aanwezig.schools.calendar import default_school_year_bounds, school_year_name
from aanwezig.schools.models import SchoolYear


class SchoolYearAddForm(forms.ModelForm):
    """Add a school year by its first calendar year; the advised holidays come with it."""

    start_year = forms.IntegerField(
        label=_("starts in"),
        min_value=2000,
        max_value=2100,
        help_text=_(
            "The calendar year in which the school year starts, e.g. 2026 for 2026-2027. "
            "The school year runs from 1 August through 31 July and gets the advised "
            "holidays of the school's region and the public holidays."
        ),
    )

    class Meta:
        model = SchoolYear
        fields = ["school"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["start_year"].initial = today.year if today.month >= 8 else today.year - 1

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        year = cleaned.get("start_year")
        if year:
            # The instance is shown and validated as the year that will be created.
            self.instance.name = school_year_name(year)
            self.instance.start_date, self.instance.end_date = default_school_year_bounds(year)
        return cleaned
