"""Forms of the protocol pages: a step of the protocol, the note of a change, the date of the
version picker, and pure helpers that change a list of steps.

The step form is built from the vocabulary: the fields for the trigger's thresholds,
the filters and the actions come from their pydantic ``params`` models (int, float,
bool, str, Literal, an optional of those, a list of Literal), so a new condition or
action needs no new form code. The form only shapes and pre-checks the input; the
vocabulary (``parse_step``) and ``services.save_protocol_version`` decide.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from django import forms
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext_lazy as _
from pydantic.fields import FieldInfo

from aanwezig.protocol.models import TaskKind
from aanwezig.protocol.vocabulary import ACTIONS, CONDITIONS, Params, StepSpec
from aanwezig.schools.models import Role, Sector

#: Labels of parameters, by name; a parameter without one gets its name in words.
PARAM_LABELS: dict[str, Any] = {
    "hours": _("Hours"),
    "weeks": _("School weeks"),
    "legal": _("Count as the law does (DUO: counting starts again after each report)"),
    "times": _("Times"),
    "days": _("School days"),
    "percent": _("Percentage present below"),
    "min_lessons": _("Only with at least this many lessons in the period"),
    "group": _("Age"),
    "sectors": _("Sectors"),
    "template": _("Message"),
    "kind": _("Task"),
    "role": _("Role"),
    "due_days": _("Within (working days)"),
    "title": _("Task title"),
    "escalate": _("Take an open case one level up"),
    "partner": _("Partner"),
}

#: Help texts of parameters that may be left empty.
PARAM_HELP: dict[str, Any] = {
    "weeks": _("Leave empty to count the whole school year."),
    "role": _("Leave empty for the step's responsible role."),
}

#: Labels of the values of Literal parameters, by parameter name.
CHOICE_LABELS: dict[str, Mapping[str, Any]] = {
    "group": {"under_18": _("under 18"), "adult": _("18 and over")},
    "sectors": dict(Sector.choices),
    "template": {
        "concern": _("we are concerned about absence"),
        "conversation": _("an invitation to a conversation"),
        "late": _("often late"),
        "duo_report": _("the report to DUO"),
        "care": _("care after sick reports"),
        "chronic": _("attendance over a longer time"),
    },
    "kind": dict(TaskKind.choices),
    "role": dict(Role.choices),
    "partner": {"leerplicht": _("the leerplichtambtenaar"), "rmc": _("the RMC")},
}


def param_label(name: str) -> str:
    return str(PARAM_LABELS.get(name, name.replace("_", " ").capitalize()))


class AboveValueValidator(BaseValidator):
    """Refuse values at or below the limit (pydantic's ``gt``)."""

    message = _("Choose a number above %(limit_value)s.")
    code = "above_value"

    def compare(self, a: Any, b: Any) -> bool:
        return bool(a <= b)


class BelowValueValidator(BaseValidator):
    """Refuse values at or above the limit (pydantic's ``lt``)."""

    message = _("Choose a number below %(limit_value)s.")
    code = "below_value"

    def compare(self, a: Any, b: Any) -> bool:
        return bool(a >= b)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Return the annotation without ``None`` and whether ``None`` is allowed."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), len(args) < len(get_args(annotation))
    return annotation, False


def _choices(name: str, values: Sequence[Any]) -> list[tuple[str, str]]:
    labels = CHOICE_LABELS.get(name, {})
    return [(str(v), capfirst(str(labels.get(v, v)))) for v in values]


def field_for(name: str, info: FieldInfo, *, optional: bool = False) -> forms.Field:
    """Return a form field for one pydantic parameter, with its limits as validators.

    ``optional``: the field may stay empty here even when the parameter is required (the
    parameters of a filter that is not used); it is not labelled "optional" then.
    """
    annotation, may_be_none = _unwrap(info.annotation)
    hide_optional = optional
    optional = optional or may_be_none
    has_default = not info.is_required()
    required = not (optional or has_default)
    options: dict[str, Any] = {"label": param_label(name), "required": required,
                               "help_text": PARAM_HELP.get(name, "") if optional else ""}
    validators: list[BaseValidator] = []
    for rule in info.metadata:
        if isinstance(rule, Ge):
            validators.append(MinValueValidator(rule.ge))
        elif isinstance(rule, Gt):
            validators.append(AboveValueValidator(rule.gt))
        elif isinstance(rule, Le):
            validators.append(MaxValueValidator(rule.le))
        elif isinstance(rule, Lt):
            validators.append(BelowValueValidator(rule.lt))
    lengths = {type(r): r for r in info.metadata if isinstance(r, MaxLen | MinLen)}
    origin = get_origin(annotation)
    field: forms.Field
    if annotation is bool:
        field = forms.BooleanField(label=options["label"], required=False)
    elif origin is Literal:
        choices = _choices(name, get_args(annotation))
        if optional:
            choices = [("", "—"), *choices]
        field = forms.ChoiceField(choices=choices, **options)
    elif origin is list and get_origin(get_args(annotation)[0]) is Literal:
        field = forms.MultipleChoiceField(
            choices=_choices(name, get_args(get_args(annotation)[0])),
            widget=forms.CheckboxSelectMultiple, **options)
    elif annotation is int:
        field = forms.IntegerField(validators=validators, **options)
    elif annotation is float:
        field = forms.FloatField(validators=validators,
                                 widget=forms.NumberInput(attrs={"step": "any"}), **options)
    else:
        max_length = getattr(lengths.get(MaxLen), "max_length", None)
        field = forms.CharField(max_length=max_length, **{**options, "required": False})
    field.hide_optional = hide_optional  # type: ignore[union-attr,attr-defined]
    return field


def params_initial(model: type[Params], params: Mapping[str, Any]) -> dict[str, Any]:
    """The values to show for ``params``: the stored ones, else the model's defaults."""
    values = {}
    for name, info in model.model_fields.items():
        value = params.get(name, None if info.is_required() else info.default)
        if isinstance(value, float) and value == int(value):
            value = int(value)
        values[name] = value
    return values


def params_from(model: type[Params], cleaned: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Turn cleaned form values back into params; a value equal to the default is left out,
    so that an untouched step stays as it was stored."""
    params: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        value = cleaned.get(f"{prefix}{name}")
        if value == "":
            value = None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not info.is_required() and (value is None or value == info.default):
            continue
        params[name] = value
    return params


# --- the step form -----------------------------------------------------------------------------

ROLE_CHOICES = [(value, capfirst(str(label))) for value, label in Role.choices
                if value in get_args(StepSpec.model_fields["role"].annotation)]


class StepForm(forms.Form):
    """One step: title, role, the trigger's thresholds, filters, actions, texts, cooldown.

    ``trigger`` is the step's trigger (fixed for a step). The actions shown come from
    ``step`` when unbound and from the posted ``then-*`` fields when bound, so an added
    action survives the next post. ``version`` is the number of the version the form was
    opened on, to notice a version saved in between.
    """

    title = forms.CharField(label=_("Title"), max_length=120)
    role = forms.ChoiceField(label=_("Responsible"), choices=ROLE_CHOICES)
    text_nl = forms.CharField(label=_("Text for parents and students (Dutch)"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    text_en = forms.CharField(label=_("Text for parents and students (English)"),
                              max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    cooldown_days = forms.IntegerField(
        label=_("Not again for the same student within (days)"), min_value=0, max_value=365,
        required=False, help_text=_("0: every time the step is reached again."))
    active = forms.BooleanField(label=_("Switched on"), required=False)
    note = forms.CharField(label=_("What changed?"), max_length=300, required=False,
                           help_text=_("Needed to save: a short note for the version history, "
                                       "e.g. “the mentor phones at 5 hours instead of 6”."))
    note.hide_optional = True  # type: ignore[attr-defined]  # required to save, not to preview
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, trigger: str, step: Mapping[str, Any] | None = None,
                 version: int, **kwargs: Any) -> None:
        step = step or {}
        self.trigger_id = trigger
        condition = CONDITIONS[trigger]
        self.trigger_label = str(condition.label)
        initial = {
            "title": step.get("title", ""), "role": step.get("role", "mentor"),
            "text_nl": (step.get("texts") or {}).get("nl", ""),
            "text_en": (step.get("texts") or {}).get("en", ""),
            "cooldown_days": step.get("cooldown_days", 0), "active": step.get("active", True),
            "version": version,
        }
        when = {part["type"]: part.get("params") or {} for part in step.get("when", [])}
        super().__init__(data, initial=initial, **kwargs)

        # 1. The trigger's thresholds.
        self.trigger_names = []
        for name, value in params_initial(condition.params, when.get(trigger, {})).items():
            key = f"when-{name}"
            self.fields[key] = field_for(name, condition.params.model_fields[name])
            self.initial[key] = value
            self.trigger_names.append(key)

        # 2. Filters: each condition that does not trigger, used or not.
        self.filter_names: list[tuple[str, str, str, list[str]]] = []
        for filter_id, filter_ in CONDITIONS.items():
            if filter_.trigger:
                continue
            use = f"filter-{filter_id}"
            self.fields[use] = forms.BooleanField(label=str(filter_.label), required=False)
            self.initial[use] = filter_id in when
            names = []
            for name, value in params_initial(filter_.params, when.get(filter_id, {})).items():
                key = f"filter-{filter_id}-{name}"
                # Required only when the filter is used (see clean).
                self.fields[key] = field_for(name, filter_.params.model_fields[name],
                                             optional=True)
                self.initial[key] = value
                names.append(key)
            self.filter_names.append((filter_id, str(filter_.label), use, names))

        # 3. Actions, in order.
        stored: list[tuple[int, Mapping[str, Any]]]
        if data is not None:
            stored = [(index, {"type": kind, "params": {}})
                      for index, kind in self._posted_actions(data)]
        else:
            stored = list(enumerate(p for p in step.get("then", []) if p.get("type") in ACTIONS))
        self.action_rows: list[tuple[int, str, str, str, list[str]]] = []
        self.fields["then-count"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        self.initial["then-count"] = len(stored)
        for index, part in stored:
            action = ACTIONS[part["type"]]
            kind = f"then-{index}-type"
            self.fields[kind] = forms.CharField(widget=forms.HiddenInput)
            self.initial[kind] = action.id
            remove = f"then-{index}-remove"
            self.fields[remove] = forms.BooleanField(label=_("Remove"), required=False)
            names = []
            for name, value in params_initial(action.params, part.get("params") or {}).items():
                key = f"then-{index}-{name}"
                self.fields[key] = field_for(name, action.params.model_fields[name])
                self.initial[key] = value
                names.append(key)
            self.action_rows.append((index, str(action.label), kind, remove, names))
        self.fields["then-add"] = add = forms.ChoiceField(
            label=_("Add an action"), required=False,
            choices=[("", "—"), *[(a.id, str(a.label)) for a in ACTIONS.values()]])
        add.hide_optional = True  # type: ignore[attr-defined]

    @staticmethod
    def _posted_actions(data: Any) -> list[tuple[int, str]]:
        """The (index, type) of the posted action rows; unknown types are left out."""
        return [(index, kind) for index in range(posted_count(data))
                if (kind := str(data.get(f"then-{index}-type", ""))) in ACTIONS]

    def add_action_field(self) -> forms.BoundField:
        return self["then-add"]

    def quiet(self) -> None:
        """Show the posted values without checking them (after adding an action row)."""
        self._errors = ErrorDict()
        self.cleaned_data = {}

    # The template walks these groups of bound fields.

    def trigger_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.trigger_names]

    def filter_groups(self) -> list[dict[str, Any]]:
        return [{"id": fid, "label": label, "use": self[use],
                 "fields": [self[name] for name in names]}
                for fid, label, use, names in self.filter_names]

    def action_groups(self) -> list[dict[str, Any]]:
        return [{"index": index, "label": label, "type": self[kind], "remove": self[remove],
                 "fields": [self[name] for name in names]}
                for index, label, kind, remove, names in self.action_rows]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for filter_id, _label, use, names in self.filter_names:
            if not cleaned.get(use):
                continue
            model = CONDITIONS[filter_id].params
            for key in names:
                name = key.removeprefix(f"filter-{filter_id}-")
                if model.model_fields[name].is_required() and cleaned.get(key) in (None, "", []):
                    self.add_error(key, forms.Field.default_error_messages["required"])
        if all(cleaned.get(remove) for _i, _label, _kind, remove, _names in self.action_rows):
            self.add_error(None, _("Add at least one action: what happens when the step is "
                                   "reached?"))
        return cleaned

    def step_raw(self, key: str) -> dict[str, Any]:
        """The step as the vocabulary reads it, from the cleaned data (call after is_valid)."""
        data = self.cleaned_data
        condition = CONDITIONS[self.trigger_id]
        when = [{"type": self.trigger_id, "params": params_from(condition.params, data, "when-")}]
        for filter_id, _label, use, _names in self.filter_names:
            if data.get(use):
                when.append({"type": filter_id, "params": params_from(
                    CONDITIONS[filter_id].params, data, f"filter-{filter_id}-")})
        then = []
        for index, _label, kind, remove, _names in self.action_rows:
            if data.get(remove):
                continue
            action = ACTIONS[data[kind]] if data.get(kind) in ACTIONS else None
            if action is None:
                continue
            then.append({"type": action.id,
                         "params": params_from(action.params, data, f"then-{index}-")})
        texts = {"nl": data["text_nl"].strip()}
        if (data.get("text_en") or "").strip():
            texts["en"] = data["text_en"].strip()
        return {"key": key, "title": data["title"].strip(), "role": data["role"], "when": when,
                "then": then, "texts": texts, "cooldown_days": data.get("cooldown_days") or 0,
                "active": bool(data.get("active"))}


def posted_count(data: Any) -> int:
    """The number of posted action rows (at most ``MAX_ACTIONS``)."""
    try:
        return max(0, min(int(data.get("then-count") or 0), MAX_ACTIONS))
    except (TypeError, ValueError):
        return 0


MAX_ACTIONS = 20


def with_added_action(data: QueryDict, action_id: str) -> QueryDict:
    """Return the posted step form with one more action row of type ``action_id``, filled
    with the action's defaults (a required choice: its first value), to be completed."""
    action = ACTIONS[action_id]
    copy = data.copy()
    index = posted_count(data)
    copy["then-count"] = str(index + 1)
    copy[f"then-{index}-type"] = action_id
    copy["then-add"] = ""
    for name, value in params_initial(action.params, {}).items():
        info = action.params.model_fields[name]
        annotation, _optional = _unwrap(info.annotation)
        if value is None and info.is_required() and get_origin(annotation) is Literal:
            value = get_args(annotation)[0]
        key = f"then-{index}-{name}"
        if isinstance(value, bool):
            if value:
                copy[key] = "on"
        elif isinstance(value, list):
            copy.setlist(key, [str(v) for v in value])
        elif value is not None:
            copy[key] = str(value)
    return copy


class NoteForm(forms.Form):
    """The note of a change made from the list (move, switch on or off, remove)."""

    note = forms.CharField(label=_("What changed?"), max_length=300,
                           error_messages={"required": _("Say in a few words what changed.")})
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionPickForm(forms.Form):
    """Which version was in force on a date."""

    datum = forms.DateField(label=_("In force on"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))


# --- changing a list of steps (pure) -----------------------------------------------------------

def index_of(steps: Sequence[Mapping[str, Any]], key: str) -> int | None:
    return next((i for i, step in enumerate(steps) if step.get("key") == key), None)


def replace_step(steps: Sequence[Mapping[str, Any]], key: str,
                 new: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(new) if step.get("key") == key else dict(step) for step in steps]


def insert_step(steps: Sequence[Mapping[str, Any]], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Insert ``new`` after the last step with the same trigger (its ladder), else at the end."""
    trigger = new["when"][0]["type"]
    result = [dict(step) for step in steps]
    last = max((i for i, step in enumerate(steps)
                if any(p.get("type") == trigger for p in step.get("when", []))), default=None)
    result.insert(len(result) if last is None else last + 1, dict(new))
    return result


def move_step(steps: Sequence[Mapping[str, Any]], key: str, delta: int) -> list[dict[str, Any]]:
    result = [dict(step) for step in steps]
    index = index_of(result, key)
    if index is None or not 0 <= index + delta < len(result):
        return result
    result[index], result[index + delta] = result[index + delta], result[index]
    return result


def set_active(steps: Sequence[Mapping[str, Any]], key: str,
               active: bool) -> list[dict[str, Any]]:
    return [{**step, "active": active} if step.get("key") == key else dict(step)
            for step in steps]


def remove_step(steps: Sequence[Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    return [dict(step) for step in steps if step.get("key") != key]


def new_key(steps: Sequence[Mapping[str, Any]], title: str, trigger: str) -> str:
    """A key for a new step from its title, unique within ``steps`` and fit for the vocabulary
    (lower case letters, digits and hyphens, at most 40)."""
    base = re.sub(r"-+", "-", slugify(title)).strip("-")[:32] or slugify(trigger)[:32]
    base = base if re.match(r"^[a-z0-9]", base) else f"s-{base}"[:32]
    taken = {step.get("key") for step in steps} | {"nieuw"}  # "nieuw" is the URL of a new step
    key, number = base, 2
    while key in taken:
        key = f"{base}-{number}"
        number += 1
    return key
