"""The portal's report forms. They read dates and times only; the rules (how far back or
ahead, the school year, overlaps) are the service's (``portal.reports``), whose errors the
view puts next to these fields. There is deliberately no field for what a student has, nor
for which doctor they see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Fill in a date."), "invalid": _("Fill in a valid date.")},
    )


def _time(label: Any, *, required: bool = True, help_text: Any = "") -> forms.TimeField:
    return forms.TimeField(
        label=label, required=required, help_text=help_text,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Fill in a time."),
                        "invalid": _("Fill in a time as hours:minutes, e.g. 10:30.")},
    )


class SickForm(forms.Form):
    """Sick from a day (and a time, for part of a day), expected back on a day if known."""

    start_date = _date(_("Sick from"))
    start_time = _time(
        _("From what time"), required=False,
        help_text=_("Only for part of the day, for example when going home ill at 11:00."))
    expected_back = _date(
        _("Expected back at school on"), required=False,
        help_text=_("Not known yet? Leave it empty and report back to health later."))


class BetterForm(forms.Form):
    """Back at school on a day (from a time, when during the day)."""

    back_on = _date(_("Back at school on"))
    back_time = _time(
        _("From what time"), required=False,
        help_text=_("Only when coming back during the day."))


class MedicalForm(forms.Form):
    """An appointment with a doctor, dentist or hospital: a day, from and until."""

    day = _date(_("Date of the appointment"))
    start_time = _time(_("Away from school at"),
                       help_text=_("Including the time to get there."))
    end_time = _time(_("Back at school at"),
                     help_text=_("Not coming back to school that day? Fill in when school "
                                 "ends."))


class ReligiousForm(forms.Form):
    """A religious holiday: the first day, and the last day when longer than one day."""

    start_date = _date(_("First day"))
    end_date = _date(_("Last day"), required=False,
                     help_text=_("Leave empty for one day."))
