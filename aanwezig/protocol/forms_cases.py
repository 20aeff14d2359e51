"""Forms of the case and task pages. They only read the input; the services validate it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aanwezig.protocol.models import (
    AgreementParty,
    AgreementStatus,
    CaseOutcome,
    ConversationKind,
)
from aanwezig.schools.models import Role

DATE_WIDGET = {"type": "date"}


def _date(label: Any, **kw: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
                           **kw)


def _text(label: Any, *, rows: int = 3, required: bool = False, max_length: int | None = None,
          help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length,
                           help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}))


class CaseForm(forms.Form):
    """A form on the case page: its own id prefix, since several forms share the page."""

    id_prefix = "case"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


#: The roles a case can be the responsibility of (teachers are not case holders).
CASE_ROLES = [(value, label) for value, label in Role.choices if value != Role.TEACHER]


class OpenCaseForm(CaseForm):
    id_prefix = "case"

    title = forms.CharField(label=_("Case subject"), max_length=200,
                            help_text=_("In a few words, e.g. “Often absent on Mondays”."))
    role = forms.ChoiceField(label=_("Responsible role"), choices=CASE_ROLES, initial=Role.MENTOR)


class ConversationForm(CaseForm):
    id_prefix = "talk"

    held_on = _date(_("Held on"))
    kind = forms.ChoiceField(label=_("Kind of conversation"), choices=ConversationKind.choices,
                             initial=ConversationKind.MOL)
    participants = forms.CharField(label=_("Who took part"), max_length=300,
                                   help_text=_("e.g. Sam, his mother, the mentor"))
    school_view = _text(_("The school's view"))
    parents_view = _text(_("The parents' view"))
    student_view = _text(_("The student's view"))


class AgreementForm(CaseForm):
    id_prefix = "agreement"

    text = forms.CharField(label=_("Agreement"), max_length=500,
                           help_text=_("Concrete and checkable, e.g. “Sam is in class at 8:30 "
                                       "every day”."))
    party = forms.ChoiceField(label=_("Who keeps it"), choices=AgreementParty.choices)
    review_on = _date(_("Review on"))


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How did it go?"), widget=forms.RadioSelect,
        choices=[(s.value, s.label) for s in (AgreementStatus.KEPT, AgreementStatus.NOT_KEPT,
                                              AgreementStatus.CHANGED)],
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           help_text=_("Required when the agreement changed: say how."))


class PartnerForm(CaseForm):
    id_prefix = "partner"

    partner = forms.TypedChoiceField(label=_("Partner"), coerce=int, choices=())
    reason = forms.CharField(label=_("Why involve them"), max_length=300)

    def __init__(self, *args: Any, partners: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partners = {p.pk: p for p in partners}
        field = self.fields["partner"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(p.pk, f"{p.name} · {p.get_kind_display()} · {p.organisation}")
                         for p in partners]

    def chosen(self) -> Any:
        return self.partners.get(self.cleaned_data["partner"])


class NoteForm(CaseForm):
    id_prefix = "note"

    text = forms.CharField(label=_("Note"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(CaseForm):
    id_prefix = "close"

    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *CaseOutcome.choices])
    evaluation = _text(_("Evaluation"), rows=5, required=True,
                       help_text=_("What worked, what did not, and what the school learns "
                                   "from it."))
    evaluation_parents = _text(_("How the parents look back"), required=False,
                               help_text=_("Optional: in their words."))
    evaluation_student = _text(_("How the student looks back"), required=False,
                               help_text=_("Optional: in their words."))


class TaskDoneForm(forms.Form):
    note = forms.CharField(label=_("How it went"), max_length=500, required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


#: The filters of the task list: (value, label).
TASK_FILTERS = [
    ("mine", _("My tasks")),
    ("open", _("All open tasks")),
    ("overdue", _("Overdue")),
    ("done", _("Done")),
]
