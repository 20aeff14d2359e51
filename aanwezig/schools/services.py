"""Writes for schools: the school itself, its calendar, period grid and staff roles.

Every service validates completely before it saves, runs in one transaction,
takes a keyword-only ``actor`` (``None`` means the system: management commands
and the seed) and writes an audit row. Invalid input raises ``ValidationError``
with a translatable message; a missing right raises ``PermissionDenied``.

The small helpers at the top (:func:`check_change`, :func:`validate`,
:func:`apply_changes`, :func:`audit_update`) are shared with the other apps'
services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from aanwezig import access
from aanwezig.audit.services import diff, record_change
from aanwezig.schools import calendar
from aanwezig.schools.models import (
    Board,
    DayOff,
    ExternalPartner,
    Period,
    Role,
    School,
    SchoolYear,
    StaffRole,
)

M = TypeVar("M", bound=models.Model)

#: Fields that are never written into the audit trail as values.
RESTRICTED_FIELDS = frozenset({"bsn", "onderwijsnummer"})


# --- shared helpers ----------------------------------------------------------------------------

def deny() -> PermissionDenied:
    return PermissionDenied(_("You are not allowed to make this change."))


def check_change(actor: Any, obj: models.Model) -> None:
    """Raise PermissionDenied unless the gatekeeper lets ``actor`` change ``obj``.

    ``actor=None`` is the system (management commands, the seed) and is always allowed.
    """
    if actor is not None and not access.may_change(actor, obj):
        raise deny()


def check_administer(actor: Any, school: School | None) -> None:
    """Raise PermissionDenied unless ``actor`` administers ``school`` (or is the system)."""
    if actor is None:
        return
    if school is None or school.pk is None:
        allowed = bool(getattr(actor, "is_superuser", False))
    else:
        allowed = access.may_administer(actor, school)
    if not allowed:
        raise deny()


def add_error(errors: dict[str, list[ValidationError]], field: str | None, message: str,
              code: str, params: dict[str, Any] | None = None) -> None:
    errors.setdefault(field or NON_FIELD_ERRORS, []).append(
        ValidationError(message, code=code, params=params)
    )


def validate(
    obj: models.Model,
    errors: dict[str, list[ValidationError]] | None = None,
    *,
    exclude: Iterable[str] | None = None,
    validate_constraints: bool = True,
    run_clean: bool = True,
) -> None:
    """Run the model's validation (as ``full_clean`` does) and raise its errors together with
    the cross-object ``errors``. ``run_clean=False`` skips ``Model.clean`` when the service
    has already checked the same rules with a more precise message."""
    collected: dict[str, list[Any]] = {}
    skip = set(exclude or ())
    try:
        obj.clean_fields(exclude=skip)
    except ValidationError as exc:
        collected = exc.update_error_dict(collected)
        skip |= set(exc.error_dict)  # as full_clean does: no further checks on bad fields
    steps: list[Any] = [obj.clean] if run_clean else []
    steps.append(lambda: obj.validate_unique(exclude=skip))
    if validate_constraints:
        steps.append(lambda: obj.validate_constraints(exclude=skip))
    for step in steps:
        try:
            step()
        except ValidationError as exc:
            collected = exc.update_error_dict(collected)
    for field, items in (errors or {}).items():
        collected.setdefault(field, []).extend(items)
    if collected:
        raise ValidationError({field: _unique(items) for field, items in collected.items()})


def _unique(items: list[Any]) -> list[Any]:
    """Drop repeated messages (a field validator and ``clean`` may report the same problem)."""
    seen: set[str] = set()
    out = []
    for item in items:
        text = " ".join(ValidationError(item).messages)
        if text not in seen:
            seen.add(text)
            out.append(item)
    return out


def field_names(model: type[models.Model]) -> list[str]:
    """The attribute names of a model's concrete fields, without the primary key."""
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def apply_changes(obj: models.Model, changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Set ``changes`` on ``obj``; a field outside ``allowed`` is a programming error."""
    allowed = set(allowed)
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"{type(obj).__name__} cannot change {', '.join(sorted(unknown))} here")
    for name, value in changes.items():
        setattr(obj, name, value)


def reload(obj: M) -> M:
    """Fetch the stored state of ``obj`` (the 'before' of an update)."""
    return type(obj)._default_manager.get(pk=obj.pk)


def _masked(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: ("changed" if k in RESTRICTED_FIELDS else v) for k, v in changes.items()}


def audit_create(actor: Any, obj: models.Model, *, student: Any = None) -> None:
    fields = field_names(type(obj))
    changes = {k: v[1] for k, v in diff(None, obj, fields).items()}
    record_change(actor=actor, action="create", obj=obj, student=student, changes=_masked(changes))


def audit_update(actor: Any, before: models.Model, obj: models.Model, *, student: Any = None,
                 action: str = "update") -> dict[str, Any]:
    """Write an audit row with the changed fields; returns the diff (empty: nothing written)."""
    changes = diff(before, obj, field_names(type(obj)))
    if changes:
        record_change(actor=actor, action=action, obj=obj, student=student,
                      changes=_masked(changes))
    return changes


def audit_delete(actor: Any, obj: models.Model, *, student: Any = None) -> None:
    fields = field_names(type(obj))
    snapshot = {k: v[1] for k, v in diff(None, obj, fields).items()}
    record_change(actor=actor, action="delete", obj=obj, student=student, changes=_masked(snapshot))


def save_generic(obj: models.Model, *, actor: Any, school: School | None) -> models.Model:
    """Validate, save and audit a set-up row that has no dedicated service (board, partner,
    absence reason). Only administrators of ``school`` (superusers when ``school`` is None)."""
    check_administer(actor, school)
    with transaction.atomic():
        before = reload(obj) if obj.pk else None
        validate(obj)
        obj.save()
        if before is None:
            audit_create(actor, obj)
        else:
            audit_update(actor, before, obj)
    return obj


# --- schools -----------------------------------------------------------------------------------

SCHOOL_SETTINGS = (
    "name", "sector", "hour_unit", "default_lesson_minutes", "late_absent_after_minutes",
    "holiday_region", "timezone", "phone", "email", "address",
)


def _check_lesson_minutes(school: School, errors: dict[str, list[ValidationError]]) -> None:
    minutes = school.default_lesson_minutes
    if minutes is not None and not 10 <= minutes <= 240:
        add_error(errors, "default_lesson_minutes",
                  _("A lesson lasts between 10 and 240 minutes."), "invalid_lesson_minutes")
    late = school.late_absent_after_minutes
    if late is not None and not 0 <= late <= 240:
        add_error(errors, "late_absent_after_minutes",
                  _("Give a number of minutes between 0 and %(max)s.") % {"max": 240},
                  "invalid_minutes")


@transaction.atomic
def create_school(
    *, board: Board, name: str, brin: str, sector: str, holiday_region: str, actor: Any,
    vestiging: str = "00", **settings: Any,
) -> School:
    """Create a school with the default absence reasons. The BRIN is upper-cased and must look
    like ``12AB``."""
    from aanwezig.attendance.defaults import create_default_absence_reasons

    school = School(
        board=board, name=name, brin=(brin or "").strip().upper(), vestiging=vestiging,
        sector=sector, holiday_region=holiday_region,
    )
    apply_changes(school, settings, SCHOOL_SETTINGS)
    check_administer(actor, None)
    errors: dict[str, list[ValidationError]] = {}
    _check_lesson_minutes(school, errors)
    validate(school, errors)
    school.save()
    audit_create(actor, school)
    create_default_absence_reasons(school)
    return school


@transaction.atomic
def update_school_settings(school: School, *, actor: Any, **changes: Any) -> School:
    """Change a school's settings: hour unit, lesson length, holiday region, time zone, contact."""
    check_administer(actor, school)
    before = reload(school)
    apply_changes(school, changes, SCHOOL_SETTINGS)
    errors: dict[str, list[ValidationError]] = {}
    _check_lesson_minutes(school, errors)
    validate(school, errors)
    school.save()
    audit_update(actor, before, school)
    return school


# --- school years ------------------------------------------------------------------------------

@transaction.atomic
def add_school_year(school: School, start_year: int, *, actor: Any) -> SchoolYear:
    """Create the school year starting 1 August ``start_year`` with the default holidays."""
    check_administer(actor, school)
    return calendar.create_school_year(school, start_year, actor=actor)


@transaction.atomic
def update_school_year(year: SchoolYear, *, actor: Any, **changes: Any) -> SchoolYear:
    """Rename a school year or move its bounds; its days off and groups' lessons must stay inside."""
    check_administer(actor, year.school)
    before = reload(year)
    apply_changes(year, changes, ("name", "start_date", "end_date"))
    errors: dict[str, list[ValidationError]] = {}
    if year.start_date and year.end_date:
        outside = year.days_off.exclude(
            start_date__gte=year.start_date, end_date__lte=year.end_date
        ).first()
        if outside is not None:
            add_error(errors, None,
                      _("%(day_off)s would fall outside the school year. Move or remove it first."),
                      "day_off_outside_year", {"day_off": str(outside)})
        overlapping = SchoolYear.objects.filter(
            school=year.school, start_date__lte=year.end_date, end_date__gte=year.start_date
        ).exclude(pk=year.pk).first()
        if overlapping is not None:
            add_error(errors, None, _("The school year would overlap school year %(name)s."),
                      "school_year_overlap", {"name": overlapping.name})
    validate(year, errors)
    year.save()
    audit_update(actor, before, year)
    return year


# --- days off ----------------------------------------------------------------------------------

DAY_OFF_FIELDS = ("kind", "name", "start_date", "end_date")


def _validate_day_off(day_off: DayOff) -> None:
    errors: dict[str, list[ValidationError]] = {}
    year = day_off.school_year
    if day_off.start_date and day_off.end_date:
        if day_off.end_date < day_off.start_date:
            add_error(errors, "end_date", _("The end date must not come before the start date."),
                      "end_before_start")
        elif not (year.contains(day_off.start_date) and year.contains(day_off.end_date)):
            add_error(
                errors, None,
                _("These days fall outside school year %(year)s (%(start)s to %(end)s)."),
                "outside_school_year",
                {"year": year.name, "start": f"{year.start_date:%d-%m-%Y}",
                 "end": f"{year.end_date:%d-%m-%Y}"},
            )
        clash = (
            DayOff.objects.filter(
                school_id=day_off.school_id, kind=day_off.kind,
                start_date__lte=day_off.end_date, end_date__gte=day_off.start_date,
            )
            .exclude(pk=day_off.pk)
            .first()
        )
        if clash is not None:
            add_error(errors, None,
                      _("These days overlap %(other)s, which is already a %(kind)s."),
                      "day_off_overlap",
                      {"other": str(clash), "kind": clash.get_kind_display()})
    # DayOff.clean checks the same two rules with a shorter message; ours replace it.
    validate(day_off, errors, run_clean=False)


@transaction.atomic
def add_day_off(
    school_year: SchoolYear, *, kind: str, name: str, start_date: dt.date,
    end_date: dt.date | None = None, actor: Any,
) -> DayOff:
    """Add a holiday, public holiday, closure day or study day (or a range of them)."""
    day_off = DayOff(
        school=school_year.school, school_year=school_year, kind=kind, name=name,
        start_date=start_date, end_date=end_date or start_date,
    )
    check_administer(actor, school_year.school)
    _validate_day_off(day_off)
    day_off.save()
    audit_create(actor, day_off)
    return day_off


@transaction.atomic
def update_day_off(day_off: DayOff, *, actor: Any, **changes: Any) -> DayOff:
    check_administer(actor, day_off.school)
    before = reload(day_off)
    apply_changes(day_off, changes, DAY_OFF_FIELDS)
    _validate_day_off(day_off)
    day_off.save()
    audit_update(actor, before, day_off)
    return day_off


@transaction.atomic
def remove_day_off(day_off: DayOff, *, actor: Any) -> None:
    check_administer(actor, day_off.school)
    audit_delete(actor, day_off)
    day_off.delete()


# --- period grid -------------------------------------------------------------------------------

class PeriodSpec(NamedTuple):
    number: int
    start_time: dt.time
    end_time: dt.time
    label: str = ""


WEEKDAY_NAMES = dict(Period._meta.get_field("weekday").choices or [])


def _fmt(t: dt.time) -> str:
    return f"{t:%H:%M}"


@transaction.atomic
def set_period_grid(
    school: School, grid: Mapping[int, Iterable[PeriodSpec | tuple[Any, ...]]], *, actor: Any
) -> list[Period]:
    """Replace the periods of the weekdays in ``grid`` (weekday 0 is Monday).

    Periods are matched by number, so that timetable entries and lessons that
    refer to a period keep it. A weekday given with an empty list loses its
    periods. Periods on one day must not overlap; a period still used by the
    timetable or by lessons cannot be removed.

    1. Validate every weekday completely (numbers unique, end after start, no overlap).
    2. Update periods that keep their number, create new ones, delete the rest.
    3. Write one audit row per changed weekday.
    """
    check_administer(actor, school)
    errors: dict[str, list[ValidationError]] = {}
    wanted: dict[int, list[PeriodSpec]] = {}
    for weekday, specs in grid.items():
        day = str(WEEKDAY_NAMES.get(weekday, weekday))
        if weekday not in WEEKDAY_NAMES:
            add_error(errors, None, _("Unknown weekday %(weekday)s."), "invalid_weekday",
                      {"weekday": weekday})
            continue
        periods = sorted((PeriodSpec(*spec) for spec in specs), key=lambda p: p.start_time)
        wanted[weekday] = periods
        numbers = [p.number for p in periods]
        for number in sorted({n for n in numbers if numbers.count(n) > 1}):
            add_error(errors, None, _("Period %(number)s appears twice on %(day)s."),
                      "duplicate_period", {"number": number, "day": day})
        for p in periods:
            if p.end_time <= p.start_time:
                add_error(errors, None,
                          _("Period %(number)s on %(day)s must end after it starts."),
                          "period_end_before_start", {"number": p.number, "day": day})
        for earlier, later in zip(periods, periods[1:], strict=False):
            if later.start_time < earlier.end_time:
                add_error(
                    errors, None,
                    _("On %(day)s period %(first)s (%(first_start)s–%(first_end)s) overlaps "
                      "period %(second)s (%(second_start)s–%(second_end)s)."),
                    "period_overlap",
                    {"day": day, "first": earlier.number, "first_start": _fmt(earlier.start_time),
                     "first_end": _fmt(earlier.end_time), "second": later.number,
                     "second_start": _fmt(later.start_time), "second_end": _fmt(later.end_time)},
                )
    if errors:
        raise ValidationError(errors)

    from aanwezig.roster.models import Lesson, TimetableEntry

    result: list[Period] = []
    for weekday, periods in wanted.items():
        existing = {p.number: p for p in Period.objects.filter(school=school, weekday=weekday)}
        before = {n: [_fmt(p.start_time), _fmt(p.end_time)] for n, p in existing.items()}
        keep = {p.number for p in periods}
        for number, period in existing.items():
            if number in keep:
                continue
            in_use = (
                TimetableEntry.objects.filter(period=period).exists()
                or Lesson.objects.filter(period=period).exists()
            )
            if in_use:
                raise ValidationError(
                    _("Period %(number)s on %(day)s is still used by the timetable or by "
                      "lessons and cannot be removed."),
                    code="period_in_use",
                    params={"number": number, "day": str(WEEKDAY_NAMES[weekday])},
                )
            period.delete()
        for spec in periods:
            period = existing.get(spec.number) or Period(school=school, weekday=weekday,
                                                         number=spec.number)
            period.start_time, period.end_time, period.label = (
                spec.start_time, spec.end_time, spec.label)
            # Uniqueness is guaranteed by step 1 and by updating in place.
            validate(period, validate_constraints=False)
            period.save()
            result.append(period)
        after = {p.number: [_fmt(p.start_time), _fmt(p.end_time)] for p in periods}
        if before != after:
            record_change(
                actor=actor, action="set_period_grid", obj=school,
                changes={"weekday": weekday, "before": before, "after": after},
            )
    return result


# --- staff roles -------------------------------------------------------------------------------

def _forget_roles(user: Any) -> None:
    # The gatekeeper caches roles on the user object for one request.
    if hasattr(user, "_roles_cache"):
        del user._roles_cache


@transaction.atomic
def grant_role(school: School, user: Any, role: str, *, actor: Any) -> StaffRole:
    """Give ``user`` a staff role at ``school``; granting a role they have is an error."""
    check_administer(actor, school)
    staff_role = StaffRole(school=school, user=user, role=role)
    errors: dict[str, list[ValidationError]] = {}
    if StaffRole.objects.filter(school=school, user=user, role=role).exists():
        add_error(errors, None, _("%(user)s already is %(role)s at %(school)s."), "role_exists",
                  {"user": str(user), "role": staff_role.get_role_display(),
                   "school": school.name})
    validate(staff_role, errors, validate_constraints=False)
    staff_role.save()
    audit_create(actor, staff_role)
    _forget_roles(user)
    return staff_role


@transaction.atomic
def revoke_role(school: School, user: Any, role: str, *, actor: Any) -> None:
    """Take a staff role away. The last administrator of a school cannot be removed by
    someone who would lose access with it; a superuser can always."""
    check_administer(actor, school)
    staff_role = StaffRole.objects.filter(school=school, user=user, role=role).first()
    if staff_role is None:
        raise ValidationError(
            _("%(user)s is not %(role)s at %(school)s."), code="role_missing",
            params={"user": str(user), "role": str(Role(role).label), "school": school.name},
        )
    if (
        role == Role.ADMINISTRATOR
        and not getattr(actor, "is_superuser", False)
        and actor is not None
        and not StaffRole.objects.filter(school=school, role=Role.ADMINISTRATOR)
        .exclude(pk=staff_role.pk).exists()
    ):
        raise ValidationError(
            _("%(school)s needs at least one administrator."), code="last_administrator",
            params={"school": school.name},
        )
    audit_delete(actor, staff_role)
    staff_role.delete()
    _forget_roles(user)


# --- external partners -------------------------------------------------------------------------

@transaction.atomic
def set_partner_schools(partner: ExternalPartner, schools: Iterable[School], *, actor: Any) -> None:
    """Link a partner to the schools it serves; all must belong to the partner's board."""
    schools = list(schools)
    current = set(partner.schools.all())
    for school in current.symmetric_difference(schools):
        check_administer(actor, school)
    for school in schools:
        if school.board_id != partner.board_id:
            raise ValidationError(
                _("%(school)s belongs to another school board than %(partner)s."),
                code="other_board", params={"school": school.name, "partner": str(partner)},
            )
    before = sorted(partner.schools.values_list("pk", flat=True))
    partner.schools.set(schools)
    after = sorted(s.pk for s in schools)
    if before != after:
        record_change(actor=actor, action="update", obj=partner,
                      changes={"schools": [before, after]})
