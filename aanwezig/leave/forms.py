"""Forms of the leave pages. They only read input; the law's rules live in ``leave.rules``
and are applied by ``leave.services`` (whose errors come back next to the fields)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aanwezig.leave.models import LeaveKind
from aanwezig.leave.rules import REASON_MAX


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceErrorsMixin(forms.Form):
    """Put a service's ``ValidationError`` next to the fields it is about, and link each
    input to its help and errors for screen readers (``leave/_field.html`` prints them)."""

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)

    def describe_fields(self) -> None:
        """Set ``aria-describedby`` (help, errors) and ``aria-invalid`` on every input."""
        errors = self.errors if self.is_bound else {}
        for name, field in self.fields.items():
            auto_id = self[name].auto_id
            ids = []
            if name in errors:
                ids.append(f"{auto_id}-errors")
                field.widget.attrs["aria-invalid"] = "true"
            if field.help_text:
                ids.append(f"{auto_id}-help")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)


class LeaveRequestForm(ServiceErrorsMixin):
    """A parent asks for leave for their child."""

    kind = forms.ChoiceField(
        label=_("What kind of leave?"), choices=LeaveKind.choices, widget=forms.RadioSelect,
    )
    start_date = forms.DateField(label=_("First day"), widget=_date_widget())
    end_date = forms.DateField(label=_("Last day"), widget=_date_widget())
    reason = forms.CharField(
        label=_("Why do you ask for leave?"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REASON_MAX}),
        help_text=_("For example: the wedding of an aunt in Utrecht, or: my job in the hotel "
                    "trade does not allow a holiday in any school holiday."),
    )
    statement = forms.FileField(
        label=_("Statement from the employer"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,"
                                                         "image/png,image/jpeg"}),
        help_text=_("Needed for holiday leave. A PDF, or a photo (PNG or JPEG), of at most 5 MB. "
                    "For other leave you may add a document too, such as an invitation."),
    )


class DecisionForm(ServiceErrorsMixin):
    """The school records a decision: approve, or refuse with a reason."""

    outcome = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("approve", _("Grant the leave")), ("refuse", _("Do not grant the leave"))],
    )
    decision_text = forms.CharField(
        label=_("Explanation for the parent"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the leave is not granted; it is printed in the letter."),
    )
