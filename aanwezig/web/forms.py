"""Small forms of the web pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

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


# --- the lesson register -------------------------------------------------------------------------

#: The choices of one register row; "present" is the default and stores nothing.
REGISTER_STATUSES = ("present", "absent", "late", "removed")


@dataclass
class RegisterEntry:
    """What the register form said about one student (before it becomes a ``MarkInput``)."""

    student_id: int
    status: str | None
    reason_code: str | None = None
    minutes_late: int | None = None
    arrived_at: dt.time | None = None


def parse_register(
    data: Any, student_ids: list[int], reason_codes: set[str]
) -> tuple[list[RegisterEntry], list[str]]:
    """Read the register form for ``student_ids`` and return its entries and error messages.

    Each student has ``s-<id>`` (present, absent, late or removed), and optionally
    ``r-<id>`` (a reason code the user may set), ``m-<id>`` (minutes late) and
    ``t-<id>`` (arrival time, HH:MM). A reason without a status means absent
    with that reason. A student missing from the form stays present.
    """
    entries: list[RegisterEntry] = []
    errors: list[str] = []
    for pk in student_ids:
        status = data.get(f"s-{pk}", "present") or "present"
        if status not in REGISTER_STATUSES:
            errors.append(str(_("Choose present, absent, late or removed for every student.")))
            continue
        reason = (data.get(f"r-{pk}") or "").strip() or None
        if reason is not None and reason not in reason_codes:
            errors.append(str(_("That reason cannot be chosen here.")))
            continue
        if status == "present" and reason is not None:
            status = "absent"
        entry = RegisterEntry(pk, None if status == "present" else status, reason)
        if status == "late":
            minutes = (data.get(f"m-{pk}") or "").strip()
            arrived = (data.get(f"t-{pk}") or "").strip()
            if minutes:
                if not minutes.isdigit() or not 0 < int(minutes) <= 600:
                    errors.append(str(_("Minutes late must be a whole number from 1 to 600.")))
                    continue
                entry.minutes_late = int(minutes)
            elif arrived:
                try:
                    entry.arrived_at = dt.datetime.strptime(arrived, "%H:%M").time()
                except ValueError:
                    errors.append(str(_("Write the arrival time as hours:minutes, e.g. 09:12.")))
                    continue
        entries.append(entry)
    return entries, errors


# --- absence reports and calls -------------------------------------------------------------------


class SickReportForm(forms.Form):
    """The office reports a student sick. There is deliberately no field for what they have."""

    start_date = forms.DateField(
        label=_("Sick from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("From (time, if part of the day)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    expected_end = forms.DateField(
        label=_("Expected back on"),
        required=False,
        help_text=_("Leave empty when nobody knows yet: the report stays open until "
                    "the student is reported better."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReportBetterForm(forms.Form):
    end_date = forms.DateField(
        label=_("Better from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


CALL_OUTCOMES = ("reached", "not_reached", "voicemail")


class CallForm(forms.Form):
    """One phone call by the attendance desk, with a reason when the call gave one."""

    day = forms.DateField()
    outcome = forms.ChoiceField(choices=[(o, o) for o in CALL_OUTCOMES])
    reason_code = forms.CharField(required=False, max_length=24)
    guardian = forms.IntegerField(required=False)

    def __init__(self, *args: Any, reason_codes: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reason_codes = reason_codes

    def clean_reason_code(self) -> str | None:
        code: str = self.cleaned_data.get("reason_code") or ""
        if code and code not in self.reason_codes:
            raise forms.ValidationError(_("That reason cannot be chosen here."))
        return code or None


def parse_day(value: str | None, default: dt.date) -> dt.date:
    """Read a ``YYYY-MM-DD`` query value (``?dag=``); anything else means ``default``."""
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default
