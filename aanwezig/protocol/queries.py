"""Read queries of the protocol pages: the protocol as a document, its versions and what
changed between them, the preview of one step, and where a student stands.

Nothing here decides who may see what: the views get the school and the student
through :mod:`aanwezig.access` first and pass them in. Every function works without
a request, so the parents' portal and the benchmarks can call them too.
Docs: docs/protocol-pages.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError as PydanticError

from aanwezig.protocol import engine
from aanwezig.protocol.facts import build_facts, school_context
from aanwezig.protocol.models import Firing, ProtocolVersion
from aanwezig.protocol.services import ensure_protocol, version_in_force
from aanwezig.protocol.vocabulary import (
    ACTIONS,
    CONDITIONS,
    StepError,
    StepSpec,
    StudentFacts,
    parse_step,
)
from aanwezig.roster.models import Membership, Student, active_membership_q
from aanwezig.schools.models import Role, School

# --- ladders ---------------------------------------------------------------------------------------

#: The sections of the protocol document, in order: (id, title, introduction).
LADDERS: list[tuple[str, Any, Any]] = [
    ("late", gettext_lazy("Late for lessons"),
     gettext_lazy("Starting on time helps to follow the lesson well. These steps count how "
                  "often a student comes in late.")),
    ("hours", gettext_lazy("Absence without a valid reason"),
     gettext_lazy("Hours missed without a valid reason, counted in school weeks (weeks with "
                  "lessons; holidays do not count).")),
    ("law", gettext_lazy("What the law asks: DUO, RMC, luxury and long absence"),
     gettext_lazy("The Leerplichtwet asks the school to report some absence. The "
                  "leerplichtambtenaar or the RMC then gets in touch to help. Sickness is "
                  "never passed on to them.")),
    ("sickness", gettext_lazy("Often or long sick (MAZL)"),
     gettext_lazy("Sickness is an excused absence. When a student is sick often or for a long "
                  "time, we get in touch to hear how things are and whether something is "
                  "needed, sometimes with the youth doctor.")),
    ("chronic", gettext_lazy("Attendance over a longer time"),
     gettext_lazy("Every lesson counts, whatever the reason. When a student is often away over "
                  "a longer time, we talk together about what helps.")),
    ("other", gettext_lazy("Other steps"), ""),
]

#: What a ladder on the "where do we stand" page is called, by trigger.
STANDING_TITLES: dict[str, Any] = {
    "times_late": gettext_lazy("Late for lessons"),
    "unexcused_hours": gettext_lazy("Absence without a valid reason"),
    "sick_reports": gettext_lazy("Sick reports"),
    "consecutive_sick_days": gettext_lazy("Sick for days in a row"),
    "attendance_below": gettext_lazy("Attendance over a longer time"),
}

#: Actions that pass absence on outside the school: a step with one belongs to "the law".
LAW_ACTIONS = {"propose_duo", "inform_partner"}


def ladder_of(step: StepSpec) -> str:
    """Return the section of the document a step belongs to (an id of ``LADDERS``)."""
    condition, params = step.trigger()
    if condition.id == "times_late":
        return "late"
    if condition.id in ("sick_reports", "consecutive_sick_days"):
        return "sickness"
    if condition.id == "attendance_below":
        return "chronic"
    if condition.id in ("luxury_absence", "long_absence"):
        return "law"
    if condition.id == "unexcused_hours":
        if getattr(params, "legal", False) or any(p.type in LAW_ACTIONS for p in step.then):
            return "law"
        return "hours"
    return "other"


def role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


# --- the protocol as a document -------------------------------------------------------------------

@dataclass(frozen=True)
class StepView:
    """One step in plain language: when, for whom, what happens, who, and the parents' text."""

    key: str
    title: str
    trigger: str
    when: str
    for_whom: list[str]
    actions: list[str]
    role: str
    text: str
    cooldown_days: int
    active: bool
    ladder: str


def describe_step(step: StepSpec, language: str | None = None) -> StepView:
    """Describe ``step`` for people: the trigger's and every action's ``describe``."""
    condition, params = step.trigger()
    return StepView(
        key=step.key, title=step.title, trigger=condition.id, when=condition.describe(params),
        for_whom=[f.describe(p) for f, p in step.filters()],
        actions=[action.describe(p, step.role) for action, p in step.actions()],
        role=role_label(step.role), text=step.text(language or translation.get_language() or "nl"),
        cooldown_days=step.cooldown_days, active=step.active, ladder=ladder_of(step),
    )


@dataclass(frozen=True)
class Ladder:
    id: str
    title: str
    intro: str
    steps: list[StepView]


@dataclass(frozen=True)
class Document:
    """A version of the protocol as a readable document, grouped by ladder."""

    version: ProtocolVersion
    ladders: list[Ladder]
    switched_off: list[StepView]
    problems: list[str] = field(default_factory=list)


def parse_version(version: ProtocolVersion) -> tuple[list[StepSpec], list[str]]:
    """Parse a stored version step by step; a step that no longer fits the vocabulary is left
    out and named in the problems (versions were valid when they were saved)."""
    steps, problems = [], []
    for raw in version.steps:
        try:
            steps.append(parse_step(raw))
        except StepError as error:
            problems.extend(error.messages)
    return steps, problems


def protocol_document(version: ProtocolVersion, language: str | None = None) -> Document:
    """Return ``version`` as a document: active steps per ladder, in protocol order."""
    steps, problems = parse_version(version)
    views = [describe_step(step, language) for step in steps]
    ladders = [
        Ladder(ladder_id, str(title), str(intro),
               [v for v in views if v.ladder == ladder_id and v.active])
        for ladder_id, title, intro in LADDERS
    ]
    return Document(version, [ladder for ladder in ladders if ladder.steps],
                    [v for v in views if not v.active], problems)


def in_force(school: School, moment: dt.datetime | None = None) -> ProtocolVersion:
    """The version in force at ``moment`` (default now); the protocol is made on first use."""
    return version_in_force(school, moment)


def current_version(school: School) -> ProtocolVersion:
    """The version in force now."""
    return in_force(school)


def version_on(school: School, day: dt.date) -> ProtocolVersion:
    """The version that was in force at the end of ``day`` in the school's time zone."""
    return in_force(school, timezone.make_aware(dt.datetime.combine(day, dt.time.max)))


def version_by_number(school: School, number: int) -> ProtocolVersion | None:
    protocol = ensure_protocol(school)
    return ProtocolVersion.objects.filter(protocol=protocol, number=number) \
        .select_related("created_by").first()


def version_after(version: ProtocolVersion) -> ProtocolVersion | None:
    """The version that replaced ``version`` (None: it is still in force)."""
    return ProtocolVersion.objects.filter(protocol_id=version.protocol_id,
                                          number__gt=version.number).order_by("number").first()


# --- versions and what changed --------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """What happened to one step between two versions: added, removed, changed or moved."""

    kind: str
    title: str
    details: list[str]


@dataclass(frozen=True)
class VersionEntry:
    version: ProtocolVersion
    author: str
    changes: list[Change]


def _normalised(part: Mapping[str, Any], registry: Mapping[str, Any]) -> dict[str, Any]:
    """The params of a part with their defaults filled in, so ``6`` equals ``6.0``."""
    params = dict(part.get("params") or {})
    kind = registry.get(part.get("type", ""))
    if kind is not None:
        try:
            return kind.params(**params).model_dump()
        except PydanticError:
            pass
    return params


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}".replace(".", ",")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _describe_part(part: Mapping[str, Any], role: str, *, action: bool) -> str:
    registry: Mapping[str, Any] = ACTIONS if action else CONDITIONS
    kind = registry.get(part.get("type", ""))
    if kind is None:
        return str(part.get("type", "?"))
    try:
        params = kind.params(**(part.get("params") or {}))
        return str(kind.describe(params, role) if action else kind.describe(params))
    except (PydanticError, ValueError, KeyError):
        return str(kind.label)


def _part_changes(before: list[Mapping[str, Any]], after: list[Mapping[str, Any]], role: str,
                  *, action: bool) -> list[str]:
    """Describe added, removed and changed parts (matched by type, in order)."""
    from aanwezig.protocol.forms_pages import param_label

    registry: Mapping[str, Any] = ACTIONS if action else CONDITIONS
    details = []
    left = list(before)
    for part in after:
        match = next((p for p in left if p.get("type") == part.get("type")), None)
        if match is None:
            details.append(_("added: %(what)s") % {"what": _describe_part(part, role,
                                                                           action=action)})
            continue
        left.remove(match)
        old, new = _normalised(match, registry), _normalised(part, registry)
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                details.append(_("%(field)s: %(old)s → %(new)s") % {
                    "field": param_label(name), "old": _value(old.get(name)),
                    "new": _value(new.get(name))})
    for part in left:
        details.append(_("removed: %(what)s") % {"what": _describe_part(part, role,
                                                                         action=action)})
    return details


def _moved(before: list[str], after: list[str]) -> set[str]:
    """The keys that moved: those outside a longest run kept in the same relative order."""
    common = [key for key in after if key in before]
    old_index = {key: before.index(key) for key in common}
    sequence = [old_index[key] for key in common]
    # Longest increasing subsequence (quadratic; protocols have a few dozen steps).
    best: list[list[int]] = []
    for i, value in enumerate(sequence):
        longest: list[int] = []
        for j in range(i):
            if sequence[j] < value and len(best[j]) > len(longest):
                longest = best[j]
        best.append([*longest, value])
    keep: set[int] = set()
    for run in best:
        if len(run) > len(keep):
            keep = set(run)
    return {key for key in common if old_index[key] not in keep}


def version_diff(before: Sequence[Mapping[str, Any]],
                 after: Sequence[Mapping[str, Any]]) -> list[Change]:
    """Return what changed from the steps ``before`` to the steps ``after`` (raw JSON), step by
    step in the new order, removed steps last: keys, titles, roles, thresholds (params),
    filters, actions, texts, cooldown, switched on or off, and the order."""
    old = {s["key"]: s for s in before}
    new_keys = [s["key"] for s in after]
    moved = _moved([s["key"] for s in before], new_keys)
    changes: list[Change] = []
    for step in after:
        key = step["key"]
        if key not in old:
            changes.append(Change("added", step.get("title", key), []))
            continue
        prev = old[key]
        details = []
        if prev.get("title") != step.get("title"):
            details.append(_("title: “%(old)s” → “%(new)s”") % {"old": prev.get("title"),
                                                               "new": step.get("title")})
        if prev.get("role") != step.get("role"):
            details.append(_("responsible: %(old)s → %(new)s") % {
                "old": role_label(prev.get("role", "")), "new": role_label(step.get("role", ""))})
        if prev.get("active", True) != step.get("active", True):
            details.append(_("switched on") if step.get("active", True) else _("switched off"))
        details += _part_changes(prev.get("when", []), step.get("when", []),
                                 step.get("role", ""), action=False)
        details += _part_changes(prev.get("then", []), step.get("then", []),
                                 step.get("role", ""), action=True)
        old_texts, new_texts = prev.get("texts", {}), step.get("texts", {})
        for language in sorted(set(old_texts) | set(new_texts)):
            if (old_texts.get(language) or "") != (new_texts.get(language) or ""):
                details.append(_("text for parents (%(language)s) changed") % {
                    "language": language})
        if prev.get("cooldown_days", 0) != step.get("cooldown_days", 0):
            details.append(_("not again within: %(old)s → %(new)s days") % {
                "old": prev.get("cooldown_days", 0), "new": step.get("cooldown_days", 0)})
        if key in moved:
            details.append(_("moved to place %(place)s of %(count)s") % {
                "place": new_keys.index(key) + 1, "count": len(new_keys)})
        if details:
            changes.append(Change("changed", step.get("title", key), details))
    changes += [Change("removed", s.get("title", s["key"]), []) for s in before
                if s["key"] not in set(new_keys)]
    return changes


HISTORY_PAGE_SIZE = 20


def version_history(school: School, page_number: Any = None) -> tuple[Page, list[VersionEntry]]:
    """Return one page of the school's versions, newest first, each with who saved it and
    what changed against the version before. Two queries (count and page) plus one for the
    version just before the page."""
    protocol = ensure_protocol(school)
    versions = ProtocolVersion.objects.filter(protocol=protocol).select_related("created_by") \
        .order_by("-number")
    page = Paginator(versions, HISTORY_PAGE_SIZE).get_page(page_number)
    shown: list[ProtocolVersion] = list(page.object_list)
    previous: dict[int, ProtocolVersion] = {v.number: v for v in shown}
    if shown and shown[-1].number > 1:
        before = ProtocolVersion.objects.filter(protocol=protocol, number__lt=shown[-1].number) \
            .order_by("-number").first()
        if before is not None:
            previous[shown[-1].number - 1] = before
    entries = []
    for version in shown:
        prior = previous.get(version.number - 1)
        author = version.created_by.display_name() if version.created_by else "aanwezig"
        changes = version_diff(prior.steps, version.steps) if prior else []
        entries.append(VersionEntry(version, author, changes))
    return page, entries


# --- preview of one step -------------------------------------------------------------------------

#: Figures of a signal worth showing, with their label.
FIGURE_LABELS: dict[str, Any] = {
    "hours": gettext_lazy("hours"),
    "times": gettext_lazy("times late"),
    "reports": gettext_lazy("sick reports"),
    "days": gettext_lazy("school days"),
    "percent": gettext_lazy("present"),
    "lessons": gettext_lazy("lessons"),
}


@dataclass(frozen=True)
class PreviewRow:
    student_id: int
    name: str
    last_name: str
    group: str
    window_start: dt.date
    reached_on: dt.date
    explanation: str
    figures: list[tuple[str, str]]
    already: bool


@dataclass(frozen=True)
class Preview:
    """Which students a step would hit today, and why."""

    step: StepSpec
    today: dt.date
    rows: list[PreviewRow]
    checked: int
    has_school_year: bool = True

    @property
    def count(self) -> int:
        return len(self.rows)


def _figures(figures: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The figures worth showing as (label, value): ``6 uren``, ``85% aanwezig``."""
    return [(str(label), _value(figures[name]) + ("%" if name == "percent" else ""))
            for name, label in FIGURE_LABELS.items() if name in figures]


def group_names(school: School, student_ids: Iterable[int], day: dt.date) -> dict[int, str]:
    """Per student, the names of their groups on ``day`` (one query)."""
    names: dict[int, list[str]] = {}
    rows = Membership.objects.filter(active_membership_q(day), school=school,
                                     student_id__in=list(student_ids)) \
        .values_list("student_id", "group__name").order_by("group__name")
    for student_id, name in rows:
        names.setdefault(student_id, []).append(name)
    return {pk: ", ".join(groups) for pk, groups in names.items()}


def preview_step(school: School, step_raw: Mapping[str, Any], today: dt.date,
                 facts: Mapping[int, StudentFacts] | None = None) -> Preview:
    """Return the students ``step_raw`` (an unsaved step) would hit on ``today`` and why.

    1. Validate the step (``StepError`` with the problems when it does not fit).
    2. Build the facts of every student of the school with any absence once (five
       queries), unless ``facts`` are passed in.
    3. Run the engine on the step alone (as if switched on): the signals due today.
    4. Load names and groups of the students it hits (two queries), and whether the step
       already fired for them for that window (one query).
    """
    step = parse_step(step_raw).model_copy(update={"active": True})
    context = school_context(school, today)
    if context is None:
        return Preview(step, today, [], 0, has_school_year=False)
    if facts is None:
        facts = build_facts(context, None, only_with_absence=True)
    signals = [signal for student_facts in facts.values()
               for signal in engine.evaluate([step], student_facts, today)]
    ids = sorted({signal.student_id for signal in signals})
    students = {s.pk: s for s in Student.objects.filter(school=school, pk__in=ids)
                .only("pk", "given_name", "prefix", "last_name")}
    groups = group_names(school, ids, today)
    fired = set(Firing.objects.filter(school=school, step_key=step.key, student_id__in=ids)
                .values_list("student_id", "window_start"))
    rows = [
        PreviewRow(
            student_id=signal.student_id, name=students[signal.student_id].full_name,
            last_name=students[signal.student_id].last_name,
            group=groups.get(signal.student_id, ""), window_start=signal.window_start,
            reached_on=signal.reached_on, explanation=signal.explanation,
            figures=_figures(signal.figures),
            already=(signal.student_id, signal.window_start) in fired,
        )
        for signal in signals if signal.student_id in students
    ]
    rows.sort(key=lambda row: (row.group, row.last_name, row.name, row.reached_on))
    return Preview(step, today, rows, len(facts))


# --- where do we stand ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Reached:
    """A step reached this school year: fired (with its date and why), or due today."""

    title: str
    day: dt.date
    explanation: str
    fired: bool


@dataclass(frozen=True)
class LadderStanding:
    trigger: str
    title: str
    measure: str
    value: float
    threshold: float
    reached: list[Reached]
    next_step: StepView | None


@dataclass(frozen=True)
class Standing:
    """Where one student stands in the protocol: presence first, then per ladder."""

    student: Student
    today: dt.date
    has_school_year: bool
    lessons: int = 0
    present: int = 0
    ladders: list[LadderStanding] = field(default_factory=list)
    earlier: list[Reached] = field(default_factory=list)
    version: ProtocolVersion | None = None

    @property
    def percent(self) -> float | None:
        if not self.lessons:
            return None
        return round(self.present * 100 / self.lessons, 1)


def student_standing(student: Student, today: dt.date,
                     language: str | None = None) -> Standing:
    """Return where ``student`` (already authorised) stands in the protocol in force today.

    1. The school year's calendar and the protocol in force (a handful of queries).
    2. The student's facts (five queries) give presence this school year and, through
       ``engine.positions``, per ladder the current figure and the next step.
    3. The student's firings of this school year (one query) are the steps reached, with
       their date and explanation; a step due today that has not fired yet is shown too.
    """
    school = student.school
    context = school_context(school, today)
    if context is None:
        return Standing(student, today, has_school_year=False)
    version = version_on(school, today)
    steps, _problems = parse_version(version)
    facts = build_facts(context, [student.pk]).get(student.pk)
    firings = list(Firing.objects.filter(school=school, student=student,
                                         window_end__gte=context.year_start,
                                         window_end__lte=today)
                   .order_by("window_end", "fired_at"))
    if facts is None:
        return Standing(student, today, True, version=version)
    lessons = sum(facts.lessons.values())
    present = sum(facts.present.values())
    fired_keys = {firing.step_key for firing in firings}
    due = {signal.step_key: signal for signal in engine.evaluate(steps, facts, today)}
    used: set[int] = set()
    ladders = []
    for position in engine.positions(steps, facts, today, fired=fired_keys):
        reached = []
        for step in position.reached:
            own = [f for f in firings if f.step_key == step.key]
            used.update(f.pk for f in own)
            reached += [Reached(f.step_title, f.window_end, f.explanation, True) for f in own]
            if not own and step.key in due:
                signal = due[step.key]
                reached.append(Reached(step.title, signal.reached_on, signal.explanation,
                                       False))
        condition = CONDITIONS[position.trigger]
        ladders.append(LadderStanding(
            trigger=position.trigger,
            title=str(STANDING_TITLES.get(position.trigger, condition.label)),
            measure=position.measure.text, value=position.measure.value,
            threshold=position.measure.threshold,
            reached=sorted(reached, key=lambda r: r.day),
            next_step=describe_step(position.next_step, language) if position.next_step
            else None,
        ))
    earlier = [Reached(f.step_title, f.window_end, f.explanation, True) for f in firings
               if f.pk not in used]
    return Standing(student, today, True, lessons, present, ladders, earlier, version)

