"""Pages of the protocol itself: the protocol as a document (any version), editing its steps
with a preview, the version history, and where one student stands.

Thin views: the school and the student come through :mod:`aanwezig.access`, reads
through :mod:`aanwezig.protocol.queries`, every change through
``services.save_protocol_version`` (a new version each time, with a note). Editing is
for administrators; everyone else gets the usual 404 on the editing pages. A form with
errors is shown again with the errors, status 400; a save redirects with a message.
Docs: docs/protocol-pages.md.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aanwezig import access
from aanwezig.protocol import queries, services
from aanwezig.protocol.forms_pages import (
    NoteForm,
    StepForm,
    VersionPickForm,
    index_of,
    insert_step,
    move_step,
    new_key,
    remove_step,
    replace_step,
    set_active,
    with_added_action,
)
from aanwezig.protocol.models import ProtocolVersion
from aanwezig.protocol.vocabulary import ACTIONS, CONDITIONS, StepError
from aanwezig.schools.models import School
from aanwezig.web.views import _school_context, school_page


def may_edit_protocol(user: Any, school: School) -> bool:
    """Editing the protocol is for administrators and school leaders
    (``services.save_protocol_version`` checks the same right)."""
    return access.may_edit_protocol(user, school)


def _require_edit(request: HttpRequest, school: School) -> None:
    if not may_edit_protocol(request.user, school):
        raise Http404(access.NOT_FOUND)


def _crumbs(school: School, *extra: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    return [(_("Absence protocol"), reverse("protocol", args=[school.pk])), *extra]


def _saved(request: HttpRequest, version: ProtocolVersion) -> None:
    messages.success(request, _("Saved as version %(number)s; it is in force from now.")
                     % {"number": version.number})


def _changed_meanwhile(version: ProtocolVersion) -> str:
    return _("Someone saved version %(number)s of the protocol in the meantime, so nothing was "
             "saved. Check the form and save again to apply your change to that version.") % {
        "number": version.number}


def _with_version(data: QueryDict, number: int) -> QueryDict:
    """The posted data with the form's version number brought up to date."""
    copy = data.copy()
    copy["version"] = str(number)
    return copy


# --- the protocol as a document ------------------------------------------------------------------

@school_page
def protocol(request: HttpRequest, school: School) -> HttpResponse:
    """The protocol in plain language, for all staff; ``?datum=`` shows the version in force
    on that day, ``?versie=`` one version by number."""
    form = VersionPickForm(request.GET or None)
    current = queries.current_version(school)
    version, picked_day = current, None
    number = request.GET.get("versie", "")
    if number.isdigit():
        found = queries.version_by_number(school, int(number))
        if found is None:
            raise Http404(access.NOT_FOUND)
        version = found
    elif form.is_valid() and form.cleaned_data.get("datum"):
        picked_day = form.cleaned_data["datum"]
        version = queries.version_on(school, picked_day)
    context = _school_context(
        request, school, crumbs=[(_("Absence protocol"), None)], form=form, current=current,
        version=version, document=queries.protocol_document(version),
        until=queries.version_after(version) if version.pk != current.pk else None,
        before_first=bool(picked_day and version.created_at.date() > picked_day),
        may_edit=may_edit_protocol(request.user, school),
    )
    return render(request, "protocol/pages/document.html", context)


@school_page
def protocol_history(request: HttpRequest, school: School) -> HttpResponse:
    """Every version: when, by whom, the note, and what changed against the one before."""
    page, entries = queries.version_history(school, request.GET.get("page"))
    context = _school_context(request, school, crumbs=_crumbs(school, (_("Versions"), None)),
                              page=page, entries=entries,
                              may_edit=may_edit_protocol(request.user, school))
    return render(request, "protocol/pages/history.html", context)


# --- editing ---------------------------------------------------------------------------------------

@school_page
def protocol_steps(request: HttpRequest, school: School) -> HttpResponse:
    """The steps of the version in force, with links to change each of them."""
    _require_edit(request, school)
    version = queries.current_version(school)
    steps, problems = queries.parse_version(version)
    context = _school_context(
        request, school, crumbs=_crumbs(school, (_("Edit"), None)), version=version,
        steps=[queries.describe_step(step) for step in steps], problems=problems,
        triggers=[(c.id, c.label) for c in CONDITIONS.values() if c.trigger],
    )
    return render(request, "protocol/pages/steps.html", context)


def _trigger_of(step: dict[str, Any]) -> str:
    for part in step.get("when", []):
        condition = CONDITIONS.get(part.get("type", ""))
        if condition is not None and condition.trigger:
            return condition.id
    raise Http404(access.NOT_FOUND)


@school_page
@require_http_methods(["GET", "POST"])
def protocol_step(request: HttpRequest, school: School, key: str) -> HttpResponse:
    """Edit one step of the version in force; preview it; save it as a new version."""
    _require_edit(request, school)
    version = queries.current_version(school)
    index = index_of(version.steps, key)
    if index is None:
        raise Http404(access.NOT_FOUND)
    stored = version.steps[index]
    return _step_page(request, school, version, stored, trigger=_trigger_of(stored), key=key)


@school_page
@require_http_methods(["GET", "POST"])
def protocol_step_new(request: HttpRequest, school: School) -> HttpResponse:
    """Add a step: first choose what triggers it (``?voorwaarde=``), then fill it in."""
    _require_edit(request, school)
    trigger = request.GET.get("voorwaarde", "")
    condition = CONDITIONS.get(trigger)
    if condition is None or not condition.trigger:
        context = _school_context(
            request, school,
            crumbs=_crumbs(school, (_("Edit"), reverse("protocol_steps", args=[school.pk])),
                           (_("New step"), None)),
            triggers=[(c.id, c.label) for c in CONDITIONS.values() if c.trigger])
        return render(request, "protocol/pages/new_step.html", context)
    version = queries.current_version(school)
    blank = {"role": "mentor", "when": [{"type": trigger, "params": {}}], "then": [],
             "texts": {}, "cooldown_days": 0, "active": True}
    return _step_page(request, school, version, blank, trigger=trigger, key=None)


def _step_page(request: HttpRequest, school: School, version: ProtocolVersion,
               stored: dict[str, Any], *, trigger: str, key: str | None) -> HttpResponse:
    """The step form; its buttons: add an action, preview, save (``actie``).

    1. Add an action: the form comes back with the new action's fields, nothing saved.
    2. Preview: which students the unsaved step would hit today, and why.
    3. Save: the version in force with this step changed (or added) becomes a new version;
       the service's refusals are shown on the form, nothing is saved.
    """
    form = StepForm(request.POST if request.method == "POST" else None, trigger=trigger,
                    step=stored, version=version.number)
    preview, problems = None, []
    action = request.POST.get("actie", "") if request.method == "POST" else ""
    if action == "toevoegen":
        added = request.POST.get("then-add", "")
        data = with_added_action(request.POST, added) if added in ACTIONS else request.POST
        form = StepForm(data, trigger=trigger, step=stored, version=version.number)
        form.quiet()
    elif request.method == "POST" and form.is_valid():
        step_key = key or new_key(version.steps, form.cleaned_data["title"], trigger)
        raw = form.step_raw(step_key)
        if action == "voorbeeld":
            access.require_school_wide(request.user, school)
            try:
                preview = queries.preview_step(school, raw, timezone.localdate())
            except StepError as error:
                problems = error.messages
        else:
            note = (form.cleaned_data.get("note") or "").strip()
            if form.cleaned_data["version"] != version.number:
                form = StepForm(_with_version(request.POST, version.number), trigger=trigger,
                                step=stored, version=version.number)
                form.is_valid()
                form.add_error(None, _changed_meanwhile(version))
            elif not note:
                form.add_error("note", _("Say in a few words what changed."))
            else:
                steps = (replace_step(version.steps, key, raw) if key
                         else insert_step(version.steps, raw))
                try:
                    saved = services.save_protocol_version(school, steps, actor=request.user,
                                                           note=note)
                except PermissionDenied:
                    raise Http404(access.NOT_FOUND) from None
                except ValidationError as error:
                    problems = list(error.messages)
                else:
                    _saved(request, saved)
                    return redirect("protocol_steps", school.pk)
    title = stored.get("title") or _("New step")
    context = _school_context(
        request, school,
        crumbs=_crumbs(school, (_("Edit"), reverse("protocol_steps", args=[school.pk])),
                       (title, None)),
        form=form, version=version, step_title=title, is_new=key is None,
        trigger_label=CONDITIONS[trigger].label, preview=preview, problems=problems,
        preview_limit=PREVIEW_LIMIT,
    )
    failed = action != "toevoegen" and request.method == "POST" and (
        bool(form.errors) or bool(problems))
    return render(request, "protocol/pages/step.html", context, status=400 if failed else 200)


#: The preview lists at most this many students (the count is always complete).
PREVIEW_LIMIT = 200

#: Changes made from the list: the function, and the note suggested for the history.
CHANGES: dict[str, Any] = {
    "omhoog": (lambda steps, key: move_step(steps, key, -1),
               lambda title: _("Step “%(title)s” moved up.") % {"title": title}),
    "omlaag": (lambda steps, key: move_step(steps, key, 1),
               lambda title: _("Step “%(title)s” moved down.") % {"title": title}),
    "aan": (lambda steps, key: set_active(steps, key, True),
            lambda title: _("Step “%(title)s” switched on.") % {"title": title}),
    "uit": (lambda steps, key: set_active(steps, key, False),
            lambda title: _("Step “%(title)s” switched off.") % {"title": title}),
    "verwijderen": (remove_step,
                    lambda title: _("Step “%(title)s” removed.") % {"title": title}),
}


@school_page
@require_http_methods(["GET", "POST"])
def protocol_step_change(request: HttpRequest, school: School, key: str,
                         change: str) -> HttpResponse:
    """Move a step up or down, switch it on or off, or remove it: a page that shows the
    change and asks for the note (a suggestion is filled in), then saves a new version."""
    _require_edit(request, school)
    if change not in CHANGES:
        raise Http404(access.NOT_FOUND)
    version = queries.current_version(school)
    index = index_of(version.steps, key)
    if index is None:
        raise Http404(access.NOT_FOUND)
    apply, suggest = CHANGES[change]
    step = version.steps[index]
    steps = apply(version.steps, key)
    if steps == version.steps:
        messages.info(request, _("Nothing to change."))
        return redirect("protocol_steps", school.pk)
    form = NoteForm(request.POST if request.method == "POST" else None,
                    initial={"note": suggest(step["title"]), "version": version.number})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["version"] != version.number:
            form = NoteForm(_with_version(request.POST, version.number))
            form.is_valid()
            form.add_error(None, _changed_meanwhile(version))
        else:
            try:
                saved = services.save_protocol_version(school, steps, actor=request.user,
                                                       note=form.cleaned_data["note"].strip())
            except PermissionDenied:
                raise Http404(access.NOT_FOUND) from None
            except ValidationError as error:
                problems = list(error.messages)
            else:
                _saved(request, saved)
                return redirect("protocol_steps", school.pk)
    new_index = index_of(steps, key)
    neighbour = None
    if change in ("omhoog", "omlaag") and new_index is not None:
        neighbour = steps[new_index + 1 if change == "omhoog" else new_index - 1]["title"]
    context = _school_context(
        request, school,
        crumbs=_crumbs(school, (_("Edit"), reverse("protocol_steps", args=[school.pk])),
                       (step["title"], None)),
        form=form, change=change, step_title=step["title"], neighbour=neighbour,
        position=(new_index + 1) if new_index is not None else None, count=len(steps),
        problems=problems, version=version,
    )
    failed = request.method == "POST" and (bool(form.errors) or bool(problems))
    return render(request, "protocol/pages/change.html", context, status=400 if failed else 200)


# --- where do we stand ---------------------------------------------------------------------------

@school_page
def student_standing(request: HttpRequest, school: School, pk: int) -> HttpResponse:
    """Where a student stands in the protocol: presence, per ladder the figure, the steps
    reached this school year and the next step (audited as a read of the student's file)."""
    student = access.get_student_for_user(request.user, school, pk, what="protocol_standing")
    standing = queries.student_standing(student, timezone.localdate())
    context = _school_context(
        request, school,
        crumbs=[(student.full_name, reverse("student", args=[school.pk, student.pk])),
                (_("Where do we stand"), None)],
        student=student, standing=standing,
    )
    return render(request, "protocol/pages/standing.html", context)
