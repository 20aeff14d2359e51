"""Students, guardians, groups, memberships, the weekly timetable and concrete lessons."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aanwezig.lib.dates import age_on, is_adult_on
from aanwezig.lib.phone import validate_phone
from aanwezig.schools.models import Board, Period, School, SchoolYear, Sector


class GroupKind(models.TextChoices):
    CLASS = "class", _("class (klas)")
    STAMGROEP = "stamgroep", _("base group (stamgroep)")
    COURSE_GROUP = "course_group", _("course group (cluster)")
    COHORT = "cohort", _("cohort (mbo)")


class Group(models.Model):
    """A class, stamgroep, course group or mbo cohort in one school year."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="groups")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    year_level = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=40, blank=True)
    programme = models.CharField(_("programme (opleiding)"), max_length=200, blank=True)
    external_key = models.CharField(_("external key"), max_length=100, blank=True)
    mentors: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupMentor", related_name="mentor_groups"
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year", "name"], name="group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class GroupMentor(models.Model):
    """A mentor (or SLB'er, coach) of a group; a group may have several."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="mentorships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="groupmentor_unique")
        ]
        indexes = [models.Index(fields=["school", "user"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.group}"

    def clean(self) -> None:
        if self.group_id and self.school_id and self.group.school_id != self.school_id:
            raise ValidationError(_("The group belongs to another school."))


class Student(models.Model):
    """A pupil (po, vo) or student (mbo) enrolled at one school.

    BSN and onderwijsnummer are restricted: only the gatekeeper's
    ``may_see_identifiers`` roles see them, and they never appear in lists.
    """

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
    )
    first_names = models.CharField(_("first names (voornamen)"), max_length=200)
    given_name = models.CharField(_("name used (roepnaam)"), max_length=100)
    prefix = models.CharField(_("prefix (voorvoegsel)"), max_length=20, blank=True)
    last_name = models.CharField(_("last name"), max_length=200)
    birth_date = models.DateField(_("date of birth"))
    sector = models.CharField(_("sector"), max_length=3, choices=Sector.choices)
    enrolment_start = models.DateField(_("enrolled from"))
    enrolment_end = models.DateField(_("enrolled until"), null=True, blank=True)
    has_startkwalificatie = models.BooleanField(_("has a startkwalificatie"), default=False)
    eckid = models.CharField(_("ECK iD"), max_length=200, blank=True)
    school_key = models.CharField(_("student number"), max_length=40)
    bsn = models.CharField(_("BSN"), max_length=9, blank=True)
    onderwijsnummer = models.CharField(_("onderwijsnummer"), max_length=9, blank=True)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["last_name", "given_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_key"], name="student_unique_key")
        ]
        indexes = [models.Index(fields=["school", "last_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        parts = [self.given_name, self.prefix, self.last_name]
        return " ".join(p for p in parts if p)

    @property
    def sort_name(self) -> str:
        prefix = f", {self.prefix}" if self.prefix else ""
        return f"{self.last_name}{prefix}, {self.given_name}"

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)

    def is_adult_on(self, day: dt.date) -> bool:
        return is_adult_on(self.birth_date, day)

    def is_enrolled_on(self, day: dt.date) -> bool:
        return self.enrolment_start <= day and (self.enrolment_end is None or day <= self.enrolment_end)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        today = timezone.localdate()
        if self.birth_date and self.birth_date > today:
            errors.setdefault("birth_date", []).append(
                str(_("The date of birth cannot be in the future."))
            )
        if self.enrolment_start and self.enrolment_end and self.enrolment_end < self.enrolment_start:
            errors.setdefault("enrolment_end", []).append(
                str(_("The enrolment cannot end before it starts."))
            )
        for field in ("bsn", "onderwijsnummer"):
            value = getattr(self, field)
            if value and not (value.isdigit() and len(value) == 9):
                errors.setdefault(field, []).append(str(_("Enter nine digits.")))
        if self.bsn and self.bsn.isdigit() and len(self.bsn) == 9 and not bsn_is_valid(self.bsn):
            errors.setdefault("bsn", []).append(str(_("This BSN does not pass the eleven test.")))
        if errors:
            raise ValidationError(errors)


def bsn_is_valid(bsn: str) -> bool:
    """Apply the eleven test (elfproef) to a nine-digit BSN."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    return sum(int(d) * w for d, w in zip(bsn, weights, strict=True)) % 11 == 0


class Language(models.TextChoices):
    NL = "nl", "Nederlands"
    EN = "en", "English"
    TR = "tr", "Türkçe"
    AR = "ar", "العربية"
    PL = "pl", "Polski"
    UK = "uk", "Українська"


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message")
    PHONE = "phone", _("phone call")
    PORTAL = "portal", _("parent portal")
    LETTER = "letter", _("letter")


class Guardian(models.Model):
    """A parent or carer. Belongs to the board, so children at several schools share one record."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="guardians")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardian",
    )
    given_name = models.CharField(_("first name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix (voorvoegsel)"), max_length=20, blank=True)
    last_name = models.CharField(_("last name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    address = models.TextField(
        _("postal address"), blank=True,
        help_text=_("Street and number, postcode and city, each on its own line. Used for letters."),
    )
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.NL
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    external_key = models.CharField(_("external key"), max_length=100, blank=True)
    monthly_overview = models.BooleanField(
        _("receives the monthly attendance overview"), default=True,
        help_text=_("On for everyone unless the parent turns it off."),
    )

    class Meta:
        verbose_name = _("parent or carer")
        verbose_name_plural = _("parents and carers")
        ordering = ["last_name", "given_name"]
        indexes = [models.Index(fields=["board", "email"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.given_name, self.prefix, self.last_name] if p)

    def clean(self) -> None:
        from aanwezig.lib.phone import to_e164

        if self.phone:
            try:
                self.phone = to_e164(self.phone)
            except ValidationError as exc:
                raise ValidationError({"phone": exc.messages}) from exc


class Relation(models.TextChoices):
    MOTHER = "mother", _("mother")
    FATHER = "father", _("father")
    PARENT = "parent", _("parent")
    CARER = "carer", _("carer (verzorger)")
    FOSTER = "foster", _("foster parent")
    GUARDIAN = "guardian", _("legal guardian (voogd)")
    OTHER = "other", _("other")


class ConsentVia(models.TextChoices):
    """How an adult student's consent was last changed."""

    PORTAL = "portal", _("by the student in the portal")
    SCHOOL = "school", _("recorded by the school")


class StudentGuardian(models.Model):
    """The link between a student and a guardian, with authority and contact settings.

    For a student of 18 or older the guardian may see attendance only with
    ``adult_consent_view`` and may be contacted only with ``adult_consent_contact``;
    both are given and withdrawn by the student. When and how that last changed is kept
    in ``consent_changed_at``/``_by``/``_via``; ``consent_asked_at`` is when the student was
    asked (``portal.consent``, docs/portal-student.md).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="student_links")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    has_authority = models.BooleanField(_("has parental authority (gezag)"), default=True)
    lives_with_student = models.BooleanField(_("lives with the student"), default=True)
    receives_messages = models.BooleanField(_("receives messages"), default=True)
    adult_consent_view = models.BooleanField(_("adult student allows viewing"), default=False)
    adult_consent_contact = models.BooleanField(_("adult student allows contact"), default=False)
    consent_changed_at = models.DateTimeField(_("consent changed"), null=True, blank=True)
    consent_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("consent changed by"),
    )
    consent_changed_via = models.CharField(
        _("consent changed through"), max_length=8, choices=ConsentVia.choices, blank=True,
    )
    consent_asked_at = models.DateTimeField(
        _("student asked about consent"), null=True, blank=True,
        help_text=_("When the adult student was asked whether this parent may see attendance "
                    "and be contacted (on the 18th birthday, or later when never asked)."),
    )

    class Meta:
        verbose_name = _("student's parent or carer")
        verbose_name_plural = _("students' parents and carers")
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian"], name="studentguardian_unique")
        ]
        indexes = [models.Index(fields=["school", "guardian"])]

    def __str__(self) -> str:
        return f"{self.guardian} – {self.student} ({self.get_relation_display()})"

    def may_view_on(self, day: dt.date) -> bool:
        """Whether this guardian may see the student's attendance on ``day``."""
        return not self.student.is_adult_on(day) or self.adult_consent_view

    def may_contact_on(self, day: dt.date) -> bool:
        """Whether the school may contact this guardian about the student on ``day``."""
        if not self.receives_messages:
            return False
        return not self.student.is_adult_on(day) or self.adult_consent_contact


class Membership(models.Model):
    """A student's dated membership of a group."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="memberships")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        indexes = [
            models.Index(fields=["school", "group", "start_date"]),
            models.Index(fields=["student", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.group}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(_("The membership cannot end before it starts."))

    def active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


def active_membership_q(day: dt.date, prefix: str = "") -> models.Q:
    """Q for memberships active on ``day``; ``prefix`` reaches them through a relation."""
    return models.Q(**{f"{prefix}start_date__lte": day}) & (
        models.Q(**{f"{prefix}end_date__isnull": True}) | models.Q(**{f"{prefix}end_date__gte": day})
    )


class TimetableEntry(models.Model):
    """One weekly slot of the timetable: a group, a period on a weekday, a teacher and subject."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="timetable")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="timetable")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="timetable_entries"
    )
    subject = models.CharField(_("subject"), max_length=60)
    room = models.CharField(_("room"), max_length=30, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("timetable entry")
        verbose_name_plural = _("timetable")
        indexes = [
            models.Index(fields=["school", "group"]),
            models.Index(fields=["school", "teacher"]),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.period.get_weekday_display()} {self.period} {self.subject}"

    @property
    def weekday(self) -> int:
        return self.period.weekday


class LessonStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    CANCELLED = "cancelled", _("cancelled")


class Lesson(models.Model):
    """A concrete lesson on a date, produced from the timetable or added by hand.

    ``is_changed`` marks a lesson edited after generation (another teacher or
    room); regenerating the timetable leaves such lessons alone.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="lessons")
    date = models.DateField(_("date"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="lessons")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lessons"
    )
    subject = models.CharField(_("subject"), max_length=60)
    room = models.CharField(_("room"), max_length=30, blank=True)
    entry = models.ForeignKey(
        TimetableEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LessonStatus.choices, default=LessonStatus.SCHEDULED
    )
    is_changed = models.BooleanField(_("changed from the timetable"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["date", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["group", "date", "start_time"], name="lesson_unique_slot"),
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")), name="lesson_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "date"]),
            models.Index(fields=["teacher", "date"]),
            models.Index(fields=["group", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.start_time:%H:%M} {self.group} {self.subject}"

    @property
    def minutes(self) -> int:
        start = dt.datetime.combine(self.date, self.start_time)
        end = dt.datetime.combine(self.date, self.end_time)
        return int((end - start).total_seconds() // 60)

    @property
    def is_cancelled(self) -> bool:
        return self.status == LessonStatus.CANCELLED


class ImportFormat(models.TextChoices):
    EDEXML = "edexml", _("EDEXML 2.1 (.xml)")
    ONEROSTER = "oneroster", _("OneRoster 1.1 or 1.2 CSV (.zip)")
    CSV = "csv", _("parents and carers (.csv)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    REFUSED = "refused", _("refused")
    FAILED = "failed", _("failed")


class RosterImport(models.Model):
    """One roster file uploaded in the set-up admin and imported by the task worker
    (``aanwezig.roster.importing.jobs``). ``report`` and ``problems`` are JSON made for the
    report page: counts per kind, changes and warnings; or every located problem."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="roster_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    file_name = models.CharField(_("file"), max_length=200)
    #: Relative to settings.ROSTER_IMPORT_DIR.
    path = models.CharField(max_length=300)
    dry_run = models.BooleanField(_("dry run"), default=True)
    #: The dry run this import repeats for real, if any.
    repeats = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    report = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED}
