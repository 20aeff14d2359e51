"""Tenancy: the board, its schools, their calendars, period grids and staff roles."""

from __future__ import annotations

import datetime as dt
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from aanwezig.lib.phone import validate_phone


class Sector(models.TextChoices):
    PO = "po", _("primary education (po)")
    VO = "vo", _("secondary education (vo)")
    MBO = "mbo", _("vocational education (mbo)")


class HolidayRegion(models.TextChoices):
    NOORD = "noord", _("north")
    MIDDEN = "midden", _("central")
    ZUID = "zuid", _("south")


class HourUnit(models.TextChoices):
    LESUUR = "lesuur", _("lesson hours (lesuren)")
    KLOKUUR = "klokuur", _("clock hours (klokuren)")


brin_validator = RegexValidator(
    r"^[0-9]{2}[A-Z0-9]{2}$",
    _("A BRIN code is two digits followed by two letters or digits, for example 12AB."),
    code="invalid_brin",
)
vestiging_validator = RegexValidator(
    r"^[0-9]{2}$",
    _("A vestiging number is two digits, for example 00 or 01."),
    code="invalid_vestiging",
)


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


class Board(models.Model):
    """A school board (schoolbestuur): the top tenant."""

    name = models.CharField(_("name"), max_length=200)
    bestuursnummer = models.CharField(_("board number"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("school board")
        verbose_name_plural = _("school boards")

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school location (BRIN plus vestiging) and its attendance settings."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(_("name"), max_length=200)
    brin = models.CharField(_("BRIN"), max_length=4, validators=[brin_validator])
    vestiging = models.CharField(
        _("vestiging"), max_length=2, default="00", validators=[vestiging_validator]
    )
    sector = models.CharField(_("sector"), max_length=3, choices=Sector.choices)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_timezone]
    )
    holiday_region = models.CharField(
        _("holiday region"), max_length=6, choices=HolidayRegion.choices
    )
    hour_unit = models.CharField(
        _("hours counted in"), max_length=7, choices=HourUnit.choices, default=HourUnit.LESUUR
    )
    default_lesson_minutes = models.PositiveSmallIntegerField(
        _("default lesson length (minutes)"), default=50
    )
    late_absent_after_minutes = models.PositiveSmallIntegerField(
        _("late by more than this many minutes counts as an unexcused absent lesson"), default=20
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            models.UniqueConstraint(fields=["brin", "vestiging"], name="school_brin_vestiging_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def brin_vestiging(self) -> str:
        return f"{self.brin}{self.vestiging}"

    def clean(self) -> None:
        if self.brin:
            self.brin = self.brin.strip().upper()
        if self.phone:
            from aanwezig.lib.phone import to_e164

            self.phone = to_e164(self.phone)


class SchoolYear(models.Model):
    """A school year of one school, 1 August through 31 July by default."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="school_years")
    name = models.CharField(_("name"), max_length=20)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["school", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "start_date"], name="schoolyear_unique_start"),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="schoolyear_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError(_("The last day must come after the first day."))


class Term(models.Model):
    """A term (periode) of a school year, for "present this term" figures."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("name"), max_length=40)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["school", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "start_date"], name="term_unique_start")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(_("The last day must not come before the first day."))


class DayOffKind(models.TextChoices):
    HOLIDAY = "holiday", _("school holiday")
    PUBLIC_HOLIDAY = "public_holiday", _("public holiday")
    CLOSURE = "closure", _("closure day")
    STUDY_DAY = "study_day", _("study day")


class DayOff(models.Model):
    """A day or range of days without lessons: a holiday, public holiday, closure or study day."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="days_off")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="days_off")
    kind = models.CharField(_("kind"), max_length=16, choices=DayOffKind.choices)
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("through"))

    class Meta:
        verbose_name = _("day without lessons")
        verbose_name_plural = _("days without lessons")
        ordering = ["start_date"]
        indexes = [models.Index(fields=["school", "start_date"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date:%d-%m-%Y} – {self.end_date:%d-%m-%Y})"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(_("The end date must not come before the start date."))
        if self.school_year_id and self.start_date and self.end_date:
            year = self.school_year
            if not (year.contains(self.start_date) and year.contains(self.end_date)):
                raise ValidationError(_("These days fall outside the school year."))


class Period(models.Model):
    """One slot of the period grid (lesuur) on one weekday; grids may differ per day."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
                 (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))],
    )
    number = models.PositiveSmallIntegerField(_("period"))
    label = models.CharField(_("label"), max_length=40, blank=True)
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("period grid")
        ordering = ["school", "weekday", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "weekday", "number"], name="period_unique"),
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="period_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.number}e uur"

    @property
    def minutes(self) -> int:
        start = dt.datetime.combine(dt.date.min, self.start_time)
        end = dt.datetime.combine(dt.date.min, self.end_time)
        return int((end - start).total_seconds() // 60)

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError(_("A period must end after it starts."))


class Role(models.TextChoices):
    TEACHER = "teacher", _("teacher")
    MENTOR = "mentor", _("mentor")
    ATTENDANCE_OFFICER = "attendance_officer", _("attendance officer")
    CARE_COORDINATOR = "care_coordinator", _("care coordinator")
    SCHOOL_LEADER = "school_leader", _("school leader")
    ADMINISTRATOR = "administrator", _("administrator")


#: Roles that see every student of their school.
SCHOOL_WIDE_ROLES = frozenset(
    {Role.ATTENDANCE_OFFICER, Role.CARE_COORDINATOR, Role.SCHOOL_LEADER, Role.ADMINISTRATOR}
)


class StaffRole(models.Model):
    """A staff member's role at one school."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff_roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["school", "user", "role"], name="staffrole_unique")
        ]
        indexes = [models.Index(fields=["user", "school"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.school})"


class PartnerKind(models.TextChoices):
    LEERPLICHT = "leerplicht", _("compulsory-education officer (leerplichtambtenaar)")
    RMC = "rmc", _("RMC officer")
    YOUTH_DOCTOR = "youth_doctor", _("youth doctor (jeugdarts)")


class ExternalPartner(models.Model):
    """Someone outside the school who works with it: leerplicht, RMC, jeugdarts.

    Partners belong to the board and are linked to the schools they serve. They
    see only cases shared with them, never a school's full student list.
    """

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="partners")
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner",
    )
    schools = models.ManyToManyField(School, related_name="partners", verbose_name=_("schools"))

    class Meta:
        verbose_name = _("external partner")
        verbose_name_plural = _("external partners")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
