"""The protocol pages: the protocol as a document, editing steps into new versions, the
version history and the preview of one step.

Calendar help: TODAY is Wed 18 Nov 2026; Mon 16 and Tue 17 Nov are school days. Group 1A
(Sam Jansen, Noor Bakker) of Het Testcollege (vo) gets four lessons on a registered day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
import time_machine
from django import forms
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from aanwezig.protocol import queries, services
from aanwezig.protocol.defaults import default_steps
from aanwezig.protocol.forms_pages import StepForm, field_for, with_added_action
from aanwezig.protocol.models import ProtocolVersion
from aanwezig.protocol.tests.test_duo_reports_command import register_day
from aanwezig.protocol.vocabulary import ACTIONS, CONDITIONS, parse_step
from aanwezig.testing import factories as f
from conftest import TODAY

D = dt.date
UNEXCUSED = ("absent", "ongeoorloofd", None)


@pytest.fixture(autouse=True)
def _on_today():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False):
        yield


def hours(world: Any, student_hours: Mapping[int, tuple[int, int]]) -> None:
    """Unexcused lessons on Mon 16 and Tue 17 Nov per student: (monday, tuesday)."""
    for offset, day in enumerate((D(2026, 11, 16), D(2026, 11, 17))):
        register_day(world, day, {
            pk: [UNEXCUSED if i < counts[offset] else None for i in range(4)]
            for pk, counts in student_hours.items()})


def step_of(version: ProtocolVersion, key: str) -> dict[str, Any]:
    return next(step for step in version.steps if step["key"] == key)


def form_data(form: StepForm, **changes: Any) -> dict[str, Any]:
    """The POST data a browser sends for an unbound ``form`` as shown, with ``changes``."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(field, forms.MultipleChoiceField):
            if value:
                data[name] = list(value)
        elif value is not None:
            data[name] = value
    for name, value in changes.items():
        name = name.replace("__", "-")
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def edit_data(world: Any, key: str, **changes: Any) -> dict[str, Any]:
    version = services.version_in_force(world.school_a)
    stored = step_of(version, key)
    trigger = next(p["type"] for p in stored["when"] if CONDITIONS[p["type"]].trigger)
    return form_data(StepForm(trigger=trigger, step=stored, version=version.number), **changes)


def dutch(msgid: str, **params: Any) -> str:
    """``msgid`` as the Dutch interface shows it (HTML-escaped)."""
    with translation.override("nl"):
        text = gettext(msgid)
    return escape(text % params if params else text)


# --- the document ---------------------------------------------------------------------------------


def test_the_document_shows_every_default_step_with_its_text(world, client):
    client.force_login(world.teacher_a)
    response = client.get(reverse("protocol", args=[world.school_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for step in default_steps("vo"):
        assert escape(step["title"]) in body
        assert escape(step["texts"]["nl"]) in body
    # When, what happens and who, in plain language.
    hours_6 = parse_step(next(s for s in default_steps("vo") if s["key"] == "hours-6"))
    condition, params = hours_6.trigger()
    assert escape(condition.describe(params)[:1].upper() + condition.describe(params)[1:]) in body
    for action, action_params in hours_6.actions():
        described = action.describe(action_params, hours_6.role)
        assert escape(described[:1].upper() + described[1:]) in body


def test_the_document_shows_the_parents_text_in_the_active_language(world, client):
    client.force_login(world.teacher_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("protocol", args=[world.school_a.pk])).content.decode()
    hours_6 = next(s for s in default_steps("vo") if s["key"] == "hours-6")
    assert escape(hours_6["texts"]["en"]) in body
    assert escape(hours_6["texts"]["nl"]) not in body


def test_the_document_groups_the_steps_in_ladders(world):
    document = queries.protocol_document(services.version_in_force(world.school_a))
    ladders = {ladder.id: [step.key for step in ladder.steps] for ladder in document.ladders}
    assert ladders == {
        "late": ["late-3", "late-6", "late-9", "late-12"],
        "hours": ["hours-6", "hours-9"],
        "law": ["duo-16", "luxury", "long-absence"],
        "sickness": ["mazl-reports", "mazl-days"],
        "chronic": ["chronic"],
    }


def test_a_switched_off_step_is_left_out_of_the_document(world, client):
    steps = [dict(s, active=s["key"] != "late-3") for s in default_steps("vo")]
    services.save_protocol_version(world.school_a, steps, actor=world.admin_a, note="late-3 uit")
    client.force_login(world.teacher_a)
    body = client.get(reverse("protocol", args=[world.school_a.pk])).content.decode()
    assert "3 keer te laat" not in body
    assert "6 keer te laat" in body


# --- versions -------------------------------------------------------------------------------------


def save_later(world: Any, steps: list[dict[str, Any]], note: str,
               when: dt.datetime) -> ProtocolVersion:
    return services.save_protocol_version(world.school_a, steps, actor=world.admin_a, note=note,
                                          now=when)


def renamed(key: str, title: str) -> list[dict[str, Any]]:
    return [dict(s, title=title) if s["key"] == key else s for s in default_steps("vo")]


def test_the_version_picker_shows_the_version_in_force_on_a_date(world, client):
    services.ensure_protocol(world.school_a, now=timezone.make_aware(dt.datetime(2026, 9, 1)))
    save_later(world, renamed("hours-6", "Zes uur: de mentor belt"), "Nieuwe titel",
               timezone.make_aware(dt.datetime(2026, 11, 2, 9)))
    client.force_login(world.teacher_a)
    url = reverse("protocol", args=[world.school_a.pk])

    now = client.get(url).content.decode()
    assert "Zes uur: de mentor belt" in now

    before = client.get(url, {"datum": "2026-11-01"}).content.decode()
    assert "6 uur ongeoorloofd in 4 weken" in before
    assert "Zes uur: de mentor belt" not in before

    on_the_day = client.get(url, {"datum": "2026-11-02"}).content.decode()
    assert "Zes uur: de mentor belt" in on_the_day

    by_number = client.get(url, {"versie": "1"}).content.decode()
    assert "6 uur ongeoorloofd in 4 weken" in by_number
    assert client.get(url, {"versie": "9"}).status_code == 404


def test_the_history_shows_who_changed_what_and_when(world, client):
    services.ensure_protocol(world.school_a, now=timezone.make_aware(dt.datetime(2026, 9, 1)))
    steps = default_steps("vo")
    for step in steps:
        if step["key"] == "hours-6":
            step["when"][0]["params"]["hours"] = 5
    save_later(world, steps, "De mentor belt al bij 5 uur",
               timezone.make_aware(dt.datetime(2026, 11, 2, 9)))
    client.force_login(world.mentor_a)
    response = client.get(reverse("protocol_history", args=[world.school_a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "De mentor belt al bij 5 uur" in body
    assert "Bert Beheer" in body
    assert escape("6 → 5") in body
    assert "6 uur ongeoorloofd in 4 weken" in body  # the step that changed is named


def test_version_diff_names_added_removed_changed_and_moved_steps():
    before = default_steps("vo")
    after = [dict(s) for s in before if s["key"] != "luxury"]
    late_3, late_6 = after[0], after[1]
    after[0], after[1] = late_6, late_3  # late-6 moves before late-3
    after[2] = dict(after[2], title="Negen keer te laat", role="care_coordinator")
    after.append({**before[0], "key": "late-15", "title": "15 keer te laat"})
    changes = {change.title: change for change in queries.version_diff(before, after)}
    assert changes["15 keer te laat"].kind == "added"
    assert changes["Vermoeden van luxeverzuim"].kind == "removed"
    assert changes["Negen keer te laat"].kind == "changed"
    assert len(changes["Negen keer te laat"].details) == 2
    moved = [c for c in changes.values() if any("place" in d or "plek" in d for d in c.details)]
    assert len(moved) == 1
    assert queries.version_diff(before, default_steps("vo")) == []


# --- editing --------------------------------------------------------------------------------------


def test_editing_a_threshold_saves_a_new_version_and_keeps_the_old_one(world, client):
    services.ensure_protocol(world.school_a, now=timezone.make_aware(dt.datetime(2026, 9, 1)))
    client.force_login(world.admin_a)
    url = reverse("protocol_step", args=[world.school_a.pk, "hours-6"])
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(world, "hours-6", when__hours="5", actie="opslaan",
                                          note="De mentor belt al bij 5 uur"))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("protocol_steps", args=[world.school_a.pk])

    current = services.version_in_force(world.school_a)
    assert current.number == 2
    assert current.note == "De mentor belt al bij 5 uur"
    assert current.created_by == world.admin_a
    assert step_of(current, "hours-6")["when"][0]["params"] == {"hours": 5, "weeks": 4}
    # Everything else stayed as it was.
    assert [s for s in current.steps if s["key"] != "hours-6"] == [
        parse_step(s).model_dump(mode="json") for s in default_steps("vo")
        if s["key"] != "hours-6"]
    old = services.version_in_force(world.school_a,
                                    timezone.make_aware(dt.datetime(2026, 11, 1)))
    assert old.number == 1
    assert step_of(old, "hours-6")["when"][0]["params"]["hours"] == 6


def test_a_threshold_of_zero_is_refused_and_nothing_is_saved(world, client):
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    url = reverse("protocol_step", args=[world.school_a.pk, "hours-6"])
    response = client.post(url, edit_data(world, "hours-6", when__hours="0", actie="opslaan",
                                          note="nul"))
    assert response.status_code == 400
    body = response.content.decode()
    assert dutch("Choose a number above %(limit_value)s.", limit_value=0) in body
    assert dutch("Nothing was saved.") in body
    assert ProtocolVersion.objects.filter(school=world.school_a).count() == 1


def test_zero_weeks_is_refused_in_dutch(world, client):
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    url = reverse("protocol_step", args=[world.school_a.pk, "hours-6"])
    with translation.override("nl"):
        response = client.post(url, edit_data(world, "hours-6", when__weeks="0",
                                              actie="opslaan", note="nul weken"))
    assert response.status_code == 400
    assert "Zorg ervoor dat deze waarde minstens 1 is." in response.content.decode()
    assert ProtocolVersion.objects.filter(school=world.school_a).count() == 1


def test_the_vocabulary_refuses_what_the_form_cannot_see(world, client):
    """Sickness may never be passed on to leerplicht: the service refuses, nothing is saved."""
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    url = reverse("protocol_step", args=[world.school_a.pk, "mazl-reports"])
    data = edit_data(world, "mazl-reports", actie="opslaan", note="leerplicht erbij")
    index = int(data["then-count"])
    data.update({"then-count": str(index + 1), f"then-{index}-type": "inform_partner",
                 f"then-{index}-partner": "leerplicht"})
    response = client.post(url, data)
    assert response.status_code == 400
    assert dutch("%(step)s: sickness is never passed on to leerplicht, RMC or DUO; use the "
                 "youth doctor route instead.", step="mazl-reports") in response.content.decode()
    assert ProtocolVersion.objects.filter(school=world.school_a).count() == 1


def test_a_note_is_required_to_save(world, client):
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    url = reverse("protocol_step", args=[world.school_a.pk, "hours-6"])
    response = client.post(url, edit_data(world, "hours-6", when__hours="5", actie="opslaan"))
    assert response.status_code == 400
    assert dutch("Say in a few words what changed.") in response.content.decode()
    assert ProtocolVersion.objects.filter(school=world.school_a).count() == 1


def test_a_version_saved_in_the_meantime_is_not_overwritten(world, client):
    services.ensure_protocol(world.school_a)
    data = edit_data(world, "hours-6", when__hours="5", actie="opslaan", note="vijf")
    services.save_protocol_version(world.school_a, renamed("late-3", "Drie keer te laat"),
                                   actor=world.admin_a, note="ander")
    client.force_login(world.admin_a)
    url = reverse("protocol_step", args=[world.school_a.pk, "hours-6"])
    response = client.post(url, data)
    assert response.status_code == 400
    assert ProtocolVersion.objects.filter(school=world.school_a).count() == 2
    # Saving again applies the change on top of version 2, keeping its change.
    response = client.post(url, {**data, "version": "2"})
    assert response.status_code == 302
    current = services.version_in_force(world.school_a)
    assert current.number == 3
    assert step_of(current, "late-3")["title"] == "Drie keer te laat"
    assert step_of(current, "hours-6")["when"][0]["params"]["hours"] == 5


@pytest.mark.parametrize("persona", ["teacher_a", "mentor_a", "officer_a"])
def test_only_administrators_edit(world, client, persona):
    services.ensure_protocol(world.school_a)
    client.force_login(getattr(world, persona))
    school = world.school_a.pk
    assert client.get(reverse("protocol_steps", args=[school])).status_code == 404
    url = reverse("protocol_step", args=[school, "hours-6"])
    response = client.post(url, edit_data(world, "hours-6", when__hours="5", actie="opslaan",
                                          note="vijf"))
    assert response.status_code == 404
    change = reverse("protocol_step_change", args=[school, "late-3", "uit"])
    assert client.post(change, {"note": "uit", "version": "1"}).status_code == 404
    assert ProtocolVersion.objects.filter(school=world.school_a).count() == 1
    body = client.get(reverse("protocol", args=[school])).content.decode()
    assert reverse("protocol_steps", args=[school]) not in body


def test_adding_an_action_shows_its_fields_and_saves_nothing(world, client):
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    url = reverse("protocol_step", args=[world.school_a.pk, "late-3"])
    response = client.post(url, edit_data(world, "late-3", actie="toevoegen",
                                           then__add="notify_staff"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="then-1-type" value="notify_staff"' in body
    assert 'name="then-1-role"' in body
    assert ProtocolVersion.objects.filter(school=world.school_a).count() == 1


def test_a_step_with_an_added_action_and_a_filter_is_saved(world, client):
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    url = reverse("protocol_step", args=[world.school_a.pk, "late-3"])
    query = QueryDict(mutable=True)
    for name, value in edit_data(world, "late-3").items():
        query[name] = value
    added = with_added_action(query, "notify_staff")
    for name, value in {"then-1-role": "care_coordinator", "filter-age": "on",
                        "filter-age-group": "under_18", "actie": "opslaan",
                        "note": "Coördinator op de hoogte"}.items():
        added[name] = value
    response = client.post(url, added)
    assert response.status_code == 302
    step = step_of(services.version_in_force(world.school_a), "late-3")
    assert step["then"][-1] == {"type": "notify_staff", "params": {"role": "care_coordinator"}}
    assert {"type": "age", "params": {"group": "under_18"}} in step["when"]


def test_a_new_step_is_added_to_its_ladder(world, client):
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    url = reverse("protocol_step_new", args=[world.school_a.pk]) + "?voorwaarde=times_late"
    form = StepForm(trigger="times_late", step={"when": [{"type": "times_late", "params": {}}]},
                    version=1)
    data = form_data(form, title="15 keer te laat", role="attendance_officer", when__times="15",
                     text_nl="Na 15 keer te laat praten we opnieuw met u.", then__count="1",
                     then__0__type="open_case", then__0__escalate="on", actie="opslaan",
                     note="Een stap na 12 keer te laat")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    keys = [s["key"] for s in services.version_in_force(world.school_a).steps]
    assert keys[:5] == ["late-3", "late-6", "late-9", "late-12", "15-keer-te-laat"]


@pytest.mark.parametrize(("change", "check"), [
    ("omhoog", lambda steps: [s["key"] for s in steps][:2] == ["late-6", "late-3"]),
    ("uit", lambda steps: steps[1]["active"] is False),
    ("verwijderen", lambda steps: "late-6" not in [s["key"] for s in steps]),
])
def test_changes_from_the_list_save_a_version_with_the_note(world, client, change, check):
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    url = reverse("protocol_step_change", args=[world.school_a.pk, "late-6", change])
    page = client.get(url)
    assert page.status_code == 200
    assert "6 keer te laat" in page.content.decode()  # the suggested note names the step
    response = client.post(url, {"note": "Zo is het beter", "version": "1"})
    assert response.status_code == 302
    current = services.version_in_force(world.school_a)
    assert current.number == 2 and current.note == "Zo is het beter"
    assert check(current.steps)


def test_a_change_without_a_note_is_refused(world, client):
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    url = reverse("protocol_step_change", args=[world.school_a.pk, "late-6", "uit"])
    response = client.post(url, {"note": "", "version": "1"})
    assert response.status_code == 400
    assert ProtocolVersion.objects.filter(school=world.school_a).count() == 1


def test_unknown_steps_and_changes_are_not_found(world, client):
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    school = world.school_a.pk
    assert client.get(reverse("protocol_step", args=[school, "nope"])).status_code == 404
    assert client.get(reverse("protocol_step_change",
                              args=[school, "late-6", "weg"])).status_code == 404


# --- the generic step form ---------------------------------------------------------------------


def test_params_become_number_checkbox_select_and_checkbox_lists():
    fields = CONDITIONS["unexcused_hours"].params.model_fields
    assert field_for("hours", fields["hours"]).widget.input_type == "number"
    assert field_for("weeks", fields["weeks"]).widget.input_type == "number"
    assert field_for("legal", fields["legal"]).widget.input_type == "checkbox"
    template = ACTIONS["message_guardians"].params.model_fields["template"]
    assert field_for("template", template).widget.__class__.__name__ == "Select"
    sectors = CONDITIONS["sector"].params.model_fields["sectors"]
    assert field_for("sectors", sectors).widget.__class__.__name__ == "CheckboxSelectMultiple"
    optional = ACTIONS["task"].params.model_fields["role"]
    assert field_for("role", optional).required is False


@pytest.mark.parametrize("sector", ["po", "vo", "mbo"])
def test_every_default_step_survives_the_form_unchanged(sector):
    """Shown and posted back untouched, every step of every default protocol comes out as it
    went in: the form is built from the vocabulary alone."""
    with translation.override("nl"):
        for stored in default_steps(sector):
            trigger = next(p["type"] for p in stored["when"] if CONDITIONS[p["type"]].trigger)
            shown = StepForm(trigger=trigger, step=stored, version=1)
            posted = StepForm(form_data(shown), trigger=trigger, step=stored, version=1)
            assert posted.is_valid(), (stored["key"], posted.errors)
            assert normal(posted.step_raw(stored["key"])) == normal(stored)


def normal(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A step with every part's params filled in with their defaults (``6`` equals ``6.0``)."""
    step = parse_step(raw).model_dump()
    for part in step["when"]:
        part["params"] = CONDITIONS[part["type"]].params(**part["params"]).model_dump()
    for part in step["then"]:
        part["params"] = ACTIONS[part["type"]].params(**part["params"]).model_dump()
    return step


def test_every_condition_and_action_gets_fields():
    step = {"when": [], "then": [{"type": a, "params": {}} for a in ACTIONS]}
    for condition in CONDITIONS.values():
        if not condition.trigger:
            continue
        form = StepForm(trigger=condition.id, step=step, version=1)
        for name in condition.params.model_fields:
            assert f"when-{name}" in form.fields
    for index, action in enumerate(ACTIONS.values()):
        for name in action.params.model_fields:
            assert f"then-{index}-{name}" in form.fields


# --- the preview ----------------------------------------------------------------------------------


def test_the_preview_lists_a_student_with_6_unexcused_hours_and_not_one_with_5(world):
    hours(world, {world.child_a.pk: (4, 2), world.classmate_a.pk: (4, 1)})
    step = next(s for s in default_steps("vo") if s["key"] == "hours-6")
    preview = queries.preview_step(world.school_a, step, TODAY)
    assert preview.count == 1
    row = preview.rows[0]
    assert (row.name, row.group, row.reached_on) == ("Sam Jansen", "1A", D(2026, 11, 17))
    assert (str(queries.FIGURE_LABELS["hours"]), "6") in row.figures
    assert "6" in row.explanation
    assert preview.checked == 2


def test_the_preview_follows_the_unsaved_threshold(world, client):
    hours(world, {world.child_a.pk: (4, 2), world.classmate_a.pk: (4, 1)})
    services.ensure_protocol(world.school_a)
    client.force_login(world.admin_a)
    url = reverse("protocol_step", args=[world.school_a.pk, "hours-6"])

    six = client.post(url, edit_data(world, "hours-6", actie="voorbeeld")).content.decode()
    assert "Sam Jansen" in six and "Noor Bakker" not in six

    five = client.post(url, edit_data(world, "hours-6", when__hours="5", actie="voorbeeld"))
    assert five.status_code == 200
    body = five.content.decode()
    assert "Sam Jansen" in body and "Noor Bakker" in body
    assert ProtocolVersion.objects.filter(school=world.school_a).count() == 1


def test_the_preview_of_a_switched_off_step_still_counts(world):
    hours(world, {world.child_a.pk: (4, 2)})
    step = dict(next(s for s in default_steps("vo") if s["key"] == "hours-6"), active=False)
    assert queries.preview_step(world.school_a, step, TODAY).count == 1


def test_the_preview_keeps_its_queries_flat(world, django_assert_max_num_queries):
    hours(world, {world.child_a.pk: (4, 2), world.classmate_a.pk: (4, 1)})
    extra = [f.make_student(world.school_a, world.a1, given_name=f"Extra{n}") for n in range(5)]
    register_day(world, D(2026, 11, 13), {student.pk: [UNEXCUSED] * 4 for student in extra})
    step = next(s for s in default_steps("vo") if s["key"] == "hours-6")
    services.ensure_protocol(world.school_a)
    with django_assert_max_num_queries(13):
        preview = queries.preview_step(world.school_a, step, TODAY)
    assert preview.count == 1
