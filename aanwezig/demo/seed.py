"""Build a realistic, deterministic demo board: schools, people, timetables and a year of attendance.

:func:`seed_demo` is the entry point (the ``seed_demo`` command calls it). The
same ``students``, ``seed`` and ``today`` always give the same data: every
random choice comes from :class:`random.Random` instances seeded from those
values, and rows are created in a fixed order.

Steps:

1. The board, its external partners and the schools (sizes per sector), each
   with two school years, study days, a period grid and absence reasons.
2. Student "slots" per school (year level, group track, birth date, enrolment).
3. Families: slots are grouped into households with matching names and home
   languages; guardians, separated parents, adult consent.
4. Per school: groups for both years, staff, a clash-free weekly timetable,
   dated memberships, lessons through :func:`generate_lessons`, a few
   cancelled and changed lessons, registers and marks.
5. The demo logins.

Attendance is drawn per student per school day (not per lesson) and expanded
to the day's lessons; only exceptions become :class:`Mark` rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import time
import unicodedata
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from aanwezig.accounts.models import User
from aanwezig.attendance.defaults import (  # noqa: F401 - default_absence_reasons is re-exported
    create_default_absence_reasons,
    default_absence_reasons,
)
from aanwezig.attendance.models import AbsenceReason, AbsenceReport, Mark, MarkStatus, Registration
from aanwezig.demo import names as N
from aanwezig.demo import protocol_students as P
from aanwezig.protocol.services import ensure_protocol
from aanwezig.roster.lessons import generate_lessons
from aanwezig.roster.models import (
    Channel,
    Group,
    GroupKind,
    GroupMentor,
    Guardian,
    Lesson,
    LessonStatus,
    Membership,
    Student,
    StudentGuardian,
    TimetableEntry,
    bsn_is_valid,
)
from aanwezig.schools.calendar import Calendar, create_school_year
from aanwezig.schools.models import (
    Board,
    DayOff,
    DayOffKind,
    ExternalPartner,
    HolidayRegion,
    PartnerKind,
    Period,
    Role,
    School,
    SchoolYear,
    Sector,
    StaffRole,
)

PASSWORD = "aanwezig-demo"
LOGIN_DOMAIN = "demo.aanwezig.nl"
BOARD_NAME = "Stichting Samen Leren"
DEFAULT_STUDENTS = 600
HISTORY_DAYS = 190
LESSONS_AHEAD_DAYS = 28
FIRST_YEAR = 2025
LAST_YEAR = 2026
BATCH = 5000

#: The demo logins: (key, username, role description). Documented in docs/demo-data.md.
DEMO_LOGINS = [
    ("teacher", f"docent@{LOGIN_DOMAIN}", "Docent (teacher)"),
    ("mentor", f"mentor@{LOGIN_DOMAIN}", "Mentor"),
    ("attendance_officer", f"verzuim@{LOGIN_DOMAIN}", "Verzuimcoördinator (attendance officer)"),
    ("care_coordinator", f"zorg@{LOGIN_DOMAIN}", "Zorgcoördinator (care coordinator)"),
    ("school_leader", f"directie@{LOGIN_DOMAIN}", "Schoolleider (school leader)"),
    ("administrator", f"beheer@{LOGIN_DOMAIN}", "Beheerder (administrator, Django admin)"),
    ("parent", f"ouder@{LOGIN_DOMAIN}", "Ouder (parent of three, one an adult mbo student)"),
    ("student", f"student@{LOGIN_DOMAIN}", "Mbo-student, 19 (adult student)"),
]


# --- helpers -----------------------------------------------------------------------------------

def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def weighted(rng: random.Random, pairs: list[tuple[Any, float]]) -> Any:
    r = rng.random() * sum(w for _, w in pairs)
    for value, w in pairs:
        r -= w
        if r < 0:
            return value
    return pairs[-1][0]


def make_bsn(rng: random.Random) -> str:
    """Return a random nine-digit number that passes the eleven test."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        total = sum(d * w for d, w in zip(digits, [9, 8, 7, 6, 5, 4, 3, 2], strict=True))
        last = total % 11
        if last <= 9:
            bsn = "".join(map(str, digits)) + str(last)
            if bsn_is_valid(bsn):
                return bsn


def make_mobile(rng: random.Random) -> str:
    return f"+316{rng.randint(1, 5)}{rng.randint(0, 9_999_999):07d}"


def current_start_year(today: dt.date) -> int:
    return today.year if today.month >= 8 else today.year - 1


def shift_date(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- period grids ------------------------------------------------------------------------------

def _t(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def period_grid(sector: str) -> list[tuple[int, int, str, dt.time, dt.time]]:
    """Return (weekday, number, label, start, end) rows of the sector's period grid."""
    rows: list[tuple[int, int, str, dt.time, dt.time]] = []
    if sector == Sector.PO:
        for wd in range(5):
            if wd == 2:
                rows.append((wd, 1, "Ochtend", dt.time(8, 30), dt.time(12, 15)))
            else:
                rows.append((wd, 1, "Ochtend", dt.time(8, 30), dt.time(12, 0)))
                rows.append((wd, 2, "Middag", dt.time(13, 0), dt.time(15, 0)))
    elif sector == Sector.VO:
        for wd in range(5):
            # Friday has 45-minute periods (shortened timetable for the team meeting).
            length = 45 if wd == 4 else 50
            breaks = {2: 20, 4: 30, 6: 15}
            start = 8 * 60 + 30
            for number in range(1, 9):
                rows.append((wd, number, f"{number}e uur", _t(start), _t(start + length)))
                start += length + breaks.get(number, 0)
    else:
        blocks = [(8 * 60 + 30, 75), (10 * 60, 75), (11 * 60 + 30, 75), (13 * 60 + 15, 75),
                  (14 * 60 + 45, 75), (16 * 60 + 15, 75)]
        for wd in range(5):
            last = 5 if wd == 4 else 6  # no sixth block on Friday
            for number, (start, length) in enumerate(blocks[:last], start=1):
                rows.append((wd, number, f"Blok {number}", _t(start), _t(start + length)))
    return rows


# --- curricula ---------------------------------------------------------------------------------

VO_STREAMS = [("B", "vmbo-b", 4, 0.08), ("K", "vmbo-k", 4, 0.12), ("T", "vmbo-t", 4, 0.20),
              ("H", "havo", 5, 0.33), ("V", "vwo", 6, 0.27)]


def vo_subjects(stream: str, year: int) -> list[tuple[str, int]]:
    vmbo = stream in "BKT"
    if year <= 2:
        subjects = [("Nederlands", 4), ("Engels", 3), ("Wiskunde", 4), ("Geschiedenis", 2),
                    ("Aardrijkskunde", 2), ("Biologie", 2), ("Lichamelijke opvoeding", 3),
                    ("Beeldende vorming", 2), ("Muziek", 1), ("Mentoruur", 1)]
        subjects += [("Nask", 2)] if vmbo else [("Frans", 2)]
        if year == 2 and not vmbo:
            subjects.append(("Duits", 2))
        return subjects
    subjects = [("Nederlands", 3), ("Engels", 3), ("Wiskunde", 3), ("Lichamelijke opvoeding", 2),
                ("Mentoruur", 1), ("Maatschappijleer", 2), ("Economie", 2)]
    if vmbo:
        subjects += [("Profielvak Zorg en welzijn", 6), ("Nask", 3), ("Biologie", 2)]
    else:
        subjects += [("Geschiedenis", 2), ("Aardrijkskunde", 2), ("Biologie", 2),
                     ("Natuurkunde", 2), ("Scheikunde", 2), ("Duits", 2), ("CKV", 1)]
        if stream == "V":
            subjects.append(("Frans", 2))
    return subjects


#: mbo programmes: (code, name, niveau, years, vocational subjects)
MBO_PROGRAMMES = [
    ("VIG", "Verzorgende-IG", 3, 3, ["Zorgverlening", "Verpleegtechnisch handelen", "Anatomie en fysiologie"]),
    ("MBOV", "Mbo-Verpleegkundige", 4, 4, ["Verpleegkunde", "Klinisch redeneren", "Anatomie en fysiologie"]),
    ("PMK", "Pedagogisch medewerker kinderopvang", 3, 3, ["Pedagogiek", "Spel en ontwikkeling", "Groepsdynamica"]),
    ("SD", "Software developer", 4, 3, ["Programmeren", "Databases", "Projectwerk software"]),
    ("ICT", "Medewerker ICT support", 2, 2, ["Netwerken", "Hardware en systemen", "Servicedesk"]),
    ("ELT", "Eerste monteur elektrotechnische installaties", 3, 3, ["Elektrotechniek", "Installatietechniek", "Werkplaats"]),
    ("LOG", "Logistiek medewerker", 2, 2, ["Logistiek", "Magazijnpraktijk", "Veiligheid (VCA)"]),
    ("COM", "Commercieel medewerker", 2, 2, ["Verkoop", "Retailpraktijk", "Klantcontact"]),
    ("ZWK", "Zelfstandig werkend kok", 3, 3, ["Keukenpraktijk", "Voedingsleer", "Hygiëne (HACCP)"]),
    ("OA", "Onderwijsassistent", 4, 3, ["Didactiek", "Pedagogiek", "Praktijkleren"]),
    ("ENT", "Entree Assistent dienstverlening", 1, 1, ["Praktijkvakken", "Werknemersvaardigheden", "Oriëntatie op werk"]),
]


def mbo_subjects(programme: tuple[Any, ...], year: int) -> list[tuple[str, int]]:
    _code, _name, niveau, _years, vocational = programme
    subjects = [(vocational[0], 4), (vocational[1], 3), (vocational[2], 2),
                ("Nederlands", 2), ("Rekenen", 1), ("Loopbaan en burgerschap", 1), ("SLB", 1)]
    if niveau >= 3:
        subjects.append(("Engels", 1))
    if year >= 2:  # more time in the workplace (BPV), fewer lessons
        subjects = [(s, max(1, h - 1)) for s, h in subjects]
    return subjects


PO_SUBJECTS = {
    "kleuter": ["Kring en spel", "Spelen en werken", "Taal en rekenactiviteiten", "Muziek en dans",
                "Buitenspel", "Knutselen", "Speellokaal", "Verhaal en drama", "Kring en spel"],
    "groep": ["Taal en rekenen", "Wereldoriëntatie", "Rekenen en lezen", "Gym en bewegen",
              "Taal, rekenen en lezen", "Rekenen en spelling", "Creatieve vakken",
              "Begrijpend lezen en rekenen", "Gym en topondernemen"],
}


# --- plans -------------------------------------------------------------------------------------

@dataclass
class SchoolPlan:
    sector: str
    size: int
    name: str
    brin: str
    region: str
    town: str


@dataclass
class Slot:
    """A student to be: where they are and how old, before families give them names."""

    index: int
    school_idx: int
    sector: str
    level: int  # year level in the current school year (po: groep 1..8)
    stream: str  # vo stream letter or mbo programme code; "" for po
    track: str  # group letter or number within the level
    birth_date: dt.date
    enrolment_start: dt.date
    programme: tuple[Any, ...] | None = None
    sex: str = "m"
    lang: str = "nl"
    # filled in later
    student: Student | None = None


@dataclass
class Summary:
    schools: dict[str, int] = field(default_factory=dict)
    students: int = 0
    guardians: int = 0
    staff: int = 0
    groups: int = 0
    timetable_entries: int = 0
    lessons: int = 0
    registrations: int = 0
    marks: int = 0
    absence_reports: int = 0
    protocol_students: int = 0
    #: (school id, step key, student id) of the students scripted to show a protocol step.
    protocol_demo: list[tuple[int, str, int]] = field(default_factory=list)
    seconds: float = 0.0
    skipped: bool = False


def plan_schools(total: int, rng: random.Random) -> list[SchoolPlan]:
    """Split ``total`` students over po, vo and mbo schools of realistic sizes.

    Shares: 30% po, 40% vo, 30% mbo. With 10,000 students or more the first vo
    school has exactly 2,000 students, the benchmark's "2,000-student school".
    """
    plans: list[SchoolPlan] = []
    po_total = round(total * 0.30)
    mbo_total = round(total * 0.30)
    vo_total = total - po_total - mbo_total
    fixed_vo = [2000] if total >= 10_000 else []
    targets = {Sector.PO: 300, Sector.VO: 1600, Sector.MBO: 2250}
    sizes: dict[str, list[int]] = {}
    for sector, amount, fixed in ((Sector.PO, po_total, []), (Sector.VO, vo_total, fixed_vo),
                                  (Sector.MBO, mbo_total, [])):
        rest = amount - sum(fixed)
        count = max(1, round(rest / targets[sector])) if rest > 0 else 0
        base = [rest // count + (1 if i < rest % count else 0) for i in range(count)] if count else []
        # Vary sizes a little without changing the total.
        for i in range(0, len(base) - 1, 2):
            delta = int(base[i] * rng.uniform(0, 0.05))
            base[i] += delta
            base[i + 1] -= delta
        sizes[sector] = fixed + base
    regions = [HolidayRegion.MIDDEN, HolidayRegion.NOORD, HolidayRegion.ZUID]
    counter = 0
    for sector, pool in ((Sector.PO, N.PO_NAMES), (Sector.VO, N.VO_NAMES), (Sector.MBO, N.MBO_NAMES)):
        for i, size in enumerate(sizes[sector]):
            town = N.TOWNS[(counter * 7 + i) % len(N.TOWNS)]
            if sector == Sector.PO:
                base_name = f"{N.PO_KINDS[i % len(N.PO_KINDS)]} {pool[i % len(pool)]}"
            else:
                base_name = pool[i % len(pool)]
            name = base_name if i < len(pool) else f"{base_name} {town}"
            plans.append(SchoolPlan(sector, size, name, "", regions[counter % 3], town))
            counter += 1
    return plans


def assign_brins(plans: list[SchoolPlan]) -> None:
    """Give every planned school a free BRIN: two digits, a letter, and P, V or M for the sector."""
    taken = set(School.objects.values_list("brin", flat=True))
    suffix: dict[str, str] = {Sector.PO: "P", Sector.VO: "V", Sector.MBO: "M"}
    n: dict[str, int] = {Sector.PO: 0, Sector.VO: 0, Sector.MBO: 0}
    for plan in plans:
        while True:
            i = n[plan.sector]
            n[plan.sector] += 1
            brin = f"{10 + i % 90:02d}{chr(65 + (i // 90) % 26)}{suffix[plan.sector]}"
            if brin not in taken:
                taken.add(brin)
                plan.brin = brin
                break


# --- the seeder --------------------------------------------------------------------------------

class Seeder:
    def __init__(self, students: int, seed: int, today: dt.date,
                 log: Callable[[str], None]) -> None:
        self.total = students
        self.seed = seed
        self.today = today
        self.log = log
        self.summary = Summary()
        self.cy = current_start_year(today)
        self.years_wanted = [y for y in (FIRST_YEAR, LAST_YEAR) if y <= self.cy]
        self.tz = zoneinfo.ZoneInfo("Europe/Amsterdam")
        self.password_hash = make_password(PASSWORD)
        self.user_seq = 0
        self.demo_users: dict[str, User] = {}
        self.office: dict[int, User] = {}

    def rng(self, *parts: Any) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    # 1. board, schools ------------------------------------------------------------------------
    def run(self) -> Summary:
        started = time.monotonic()
        rng = self.rng("board")
        self.board = Board.objects.create(name=BOARD_NAME, bestuursnummer=f"{40000 + self.seed % 10000}")
        self.plans = plan_schools(self.total, rng)
        assign_brins(self.plans)
        self.create_demo_users()
        self.schools: list[School] = []
        self.years: dict[int, list[SchoolYear]] = {}
        self.periods: dict[int, dict[tuple[int, int], Period]] = {}
        self.reasons: dict[int, dict[str, AbsenceReason]] = {}
        for idx, plan in enumerate(self.plans):
            self.create_school(idx, plan)
        self.summary.schools = {
            str(s): sum(1 for p in self.plans if p.sector == s) for s in (Sector.PO, Sector.VO, Sector.MBO)
        }
        self.create_partners()
        counts = ", ".join(f"{n} {sector}" for sector, n in self.summary.schools.items())
        self.log(f"{len(self.schools)} schools created ({counts}).")

        # 2-3. students and families
        self.slots: list[Slot] = []
        for idx, plan in enumerate(self.plans):
            self.plan_students(idx, plan)
        self.make_families()
        self.log(f"{self.summary.students} students and {self.summary.guardians} parents and carers created.")

        # 4. per school
        for idx, school in enumerate(self.schools):
            self.build_school(idx, school)
            self.log(
                f"  {school.name} ({school.sector}, {self.plans[idx].size} students): "
                f"{self.summary.lessons} lessons, {self.summary.marks} marks so far "
                f"[{time.monotonic() - started:.0f} s]"
            )
        self.finish_demo_users()
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def new_username(self, first: str, last: str) -> str:
        self.user_seq += 1
        return f"{slug(first)}.{slug(last)}.{self.user_seq}@example.org"

    def create_demo_users(self) -> None:
        people = {
            "teacher": ("Dirk", "Docent"), "mentor": ("Mira", "Mentor"),
            "attendance_officer": ("Vera", "Verzuim"), "care_coordinator": ("Zoë", "Zorg"),
            "school_leader": ("Dave", "Directeur"), "administrator": ("Bert", "Beheer"),
            "parent": ("Petra", "Bakker"), "student": ("Jesse", "de Vries"),
        }
        for key, username, _label in DEMO_LOGINS:
            first, last = people[key]
            user = User(username=username, email=username, first_name=first, last_name=last,
                        password=self.password_hash, language="nl",
                        is_staff=key == "administrator")
            user.save()
            self.demo_users[key] = user

    def create_school(self, idx: int, plan: SchoolPlan) -> None:
        rng = self.rng("school", idx)
        school = School.objects.create(
            board=self.board, name=plan.name, brin=plan.brin, sector=plan.sector,
            holiday_region=plan.region,
            hour_unit="klokuur" if plan.sector == Sector.MBO else "lesuur",
            default_lesson_minutes={"po": 60, "vo": 50, "mbo": 75}[plan.sector],
            phone=f"+3133{rng.randint(2000000, 9999999)}",
            email=f"info@{slug(plan.name)}.example.org",
            address=f"{rng.choice(N.STREETS)} {rng.randint(1, 120)}, {plan.town}",
        )
        self.schools.append(school)
        years = [create_school_year(school, y) for y in self.years_wanted]
        self.years[idx] = years
        # One or two study days per school year, on school days outside the holidays.
        study_days = []
        for year in years:
            cal = Calendar(school, year.start_date, year.end_date)
            days = cal.school_days()
            picks = [days[rng.randint(40, 60)]]
            if rng.random() < 0.7:
                picks.append(days[rng.randint(110, 130)])
            if year.start_date <= self.today <= year.end_date and P.needs_recent_edge(days, self.today):
                # No holiday in the last two weeks: a study day there shows luxury absence.
                luxury_day = P.study_day_for_luxury(days, self.today)
                if luxury_day is not None:
                    picks = sorted({luxury_day, *picks[1:]})
            for n, day in enumerate(picks, start=1):
                study_days.append(DayOff(school=school, school_year=year, kind=DayOffKind.STUDY_DAY,
                                         name=f"Studiedag {n}", start_date=day, end_date=day))
        DayOff.objects.bulk_create(study_days)
        periods = Period.objects.bulk_create(
            [Period(school=school, weekday=wd, number=n, label=label, start_time=s, end_time=e)
             for wd, n, label, s, e in period_grid(plan.sector)]
        )
        self.periods[idx] = {(p.weekday, p.number): p for p in periods}
        self.reasons[idx] = create_default_absence_reasons(school)
        # The default absence protocol, in force from the start of the current school year.
        current = years[-1]
        ensure_protocol(school, now=dt.datetime.combine(current.start_date, dt.time(8), self.tz))

    def create_partners(self) -> None:
        rng = self.rng("partners")
        specs = [
            (PartnerKind.LEERPLICHT, "Leerplicht {town}", ("po", "vo", "mbo")),
            (PartnerKind.RMC, "RMC-regio {town}", ("vo", "mbo")),
            (PartnerKind.YOUTH_DOCTOR, "GGD regio {town}", ("po", "vo", "mbo")),
        ]
        per = 10  # schools served by one partner
        for kind, org, sectors in specs:
            served = [s for s in self.schools if s.sector in sectors]
            for i in range(0, len(served), per):
                chunk = served[i:i + per]
                town = self.plans[self.schools.index(chunk[0])].town
                first = rng.choice(N.FIRST_NAMES["nl"][rng.choice("mf")])
                prefix, last = rng.choice(N.LAST_NAMES["nl"])
                full = " ".join(p for p in (first, prefix, last) if p)
                partner = ExternalPartner.objects.create(
                    board=self.board, kind=kind, name=full, organisation=org.format(town=town),
                    email=f"{slug(first)}.{slug(last)}@{slug(org.format(town=town))}.example.org",
                    phone=f"+3130{rng.randint(2000000, 9999999)}",
                )
                partner.schools.set(chunk)

    # 2. students ------------------------------------------------------------------------------
    def plan_students(self, idx: int, plan: SchoolPlan) -> None:
        rng = self.rng("students", idx)
        cy = self.cy
        year_start = dt.date(cy, 8, 1)
        oct1 = dt.date(cy, 10, 1)

        def born(age_on_oct1: int) -> dt.date:
            # Someone who is ``age`` on 1 October of the current school year.
            latest = shift_date(oct1, -age_on_oct1)
            return latest - dt.timedelta(days=rng.randint(0, 364))

        def add(level: int, stream: str, track: str, birth: dt.date, start: dt.date,
                programme: tuple[Any, ...] | None = None) -> None:
            self.slots.append(Slot(len(self.slots), idx, plan.sector, level, stream, track, birth,
                                   start, programme, sex=rng.choice("mf")))

        if plan.sector == Sector.PO:
            per_level = [plan.size // 8 + (1 if i < plan.size % 8 else 0) for i in range(8)]
            kleuters = per_level[0] + per_level[1]
            k_groups = max(1, math.ceil(kleuters / 26))
            n = 0
            for level in (1, 2):
                for _ in range(per_level[level - 1]):
                    track = chr(65 + n % k_groups) if k_groups > 1 else ""
                    n += 1
                    if level == 1:
                        # Four-year-olds start on (the school day after) their birthday.
                        latest = self.today - dt.timedelta(days=14)
                        earliest = shift_date(oct1, -5) + dt.timedelta(days=1)
                        span = max(1, (shift_date(latest, -4) - earliest).days)
                        birth = earliest + dt.timedelta(days=rng.randint(0, span))
                        start = max(year_start - dt.timedelta(days=365), shift_date(birth, 4))
                    else:
                        birth = born(5)
                        start = shift_date(birth, 4)
                    add(level, "", track, birth, start)
            for level in range(3, 9):
                count = per_level[level - 1]
                groups = max(1, math.ceil(count / 28))
                for i in range(count):
                    track = chr(65 + i % groups) if groups > 1 else ""
                    birth = born(level + 3)
                    add(level, "", track, birth, shift_date(birth, 4))
        elif plan.sector == Sector.VO:
            for letter, _label, years, share in VO_STREAMS:
                stream_total = round(plan.size * share)
                for year in range(1, years + 1):
                    count = stream_total // years + (1 if year <= stream_total % years else 0)
                    groups = max(1, math.ceil(count / 28))
                    for i in range(count):
                        birth = born(11 + year)
                        add(year, letter, str(1 + i % groups), birth, dt.date(cy - year + 1, 8, 1))
        else:
            # Small schools offer fewer programmes, so that cohorts stay a realistic size.
            programmes = MBO_PROGRAMMES[: max(3, min(len(MBO_PROGRAMMES), plan.size // 200))]
            weights = [1.0 / (1 + 0.15 * i) for i in range(len(programmes))]
            total_w = sum(weights)
            for p, w in zip(programmes, weights, strict=True):
                p_total = round(plan.size * w / total_w)
                code, _name, niveau, years, _voc = p
                for year in range(1, years + 1):
                    count = p_total // years + (1 if year <= p_total % years else 0)
                    groups = max(1, math.ceil(count / 24))
                    for i in range(count):
                        extra = weighted(rng, [(0, 60), (1, 20), (2, 10), (rng.randint(4, 8), 10)])
                        age = min(24, 15 + year + extra)  # 25 at most during the year
                        birth = born(age)
                        add(year, code, chr(65 + i % groups), birth, dt.date(cy - year + 1, 8, 1), p)
        # Trim the rounding excess so the school has at most plan.size students.
        mine = [s for s in self.slots if s.school_idx == idx]
        while len(mine) > plan.size:
            victim = mine.pop()
            self.slots.remove(victim)
        for i, s in enumerate(self.slots):
            s.index = i

    # 3. families ------------------------------------------------------------------------------
    def make_families(self) -> None:
        rng = self.rng("families")
        slots = self.slots
        order = list(range(len(slots)))
        rng.shuffle(order)
        by_year: dict[int, list[int]] = defaultdict(list)
        for i in order:
            by_year[slots[i].birth_date.year].append(i)
        used: set[int] = set()
        families: list[list[int]] = []

        def take(year: int) -> int | None:
            bucket = by_year.get(year)
            while bucket:
                i = bucket.pop()
                if i not in used:
                    used.add(i)
                    return i
            return None

        # The demo family first: a child in groep 5 (po), one in havo 3 (vo), an adult in mbo.
        # (Very small boards may lack those exact years; then any student of the sector.)
        demo: list[int] = []
        for sector, level, stream in ((Sector.PO, 5, ""), (Sector.VO, 3, "H"), (Sector.MBO, 2, None)):
            in_sector = [s for s in slots if s.sector == sector]
            exact = [s for s in in_sector
                     if s.level == level and (stream is None or s.stream == stream)]
            s = (exact or in_sector)[0]
            if sector == Sector.MBO:
                s.birth_date = shift_date(self.today, -19) - dt.timedelta(days=40)
            demo.append(s.index)
            used.add(s.index)
        self.demo_family = demo
        families.append(demo)

        for i in order:
            if i in used:
                continue
            used.add(i)
            family = [i]
            size = weighted(rng, [(1, 45), (2, 38), (3, 13), (4, 4)])
            year = slots[i].birth_date.year
            for _k in range(1, size):
                j = take(year + weighted(rng, [(2, 4), (3, 3), (-2, 4), (-3, 3), (4, 1), (-4, 1)]))
                if j is not None:
                    family.append(j)
                    year = slots[j].birth_date.year
            families.append(family)
        self.create_people(families)

    def create_people(self, families: list[list[int]]) -> None:
        rng = self.rng("people")
        id_rng = self.rng("identifiers")
        slots = self.slots
        students: list[Student] = []
        guardians: list[Guardian] = []
        links: list[tuple[int, int, dict[str, Any]]] = []  # (slot index, guardian index, fields)
        key_seq: dict[int, int] = defaultdict(int)
        languages = N.LANGUAGE_SHARES
        demo_family = self.demo_family

        def person(lang: str, sex: str) -> str:
            return rng.choice(N.FIRST_NAMES[lang][sex])

        def surname(lang: str, sex: str) -> tuple[str, str]:
            prefix, last = rng.choice(N.LAST_NAMES[lang])
            if "|" in last:
                male, female = last.split("|")
                last = female if sex == "f" else male
            return prefix, last

        for family in families:
            is_demo = family is demo_family
            lang = "nl" if is_demo else weighted(rng, languages)
            fam_prefix, fam_last = ("de", "Vries") if is_demo else surname(lang, "m")
            # Guardians: two parents (together or separated), one parent, or none for
            # independent adult students.
            adult_only = all(
                slots[i].sector == Sector.MBO and (self.today - slots[i].birth_date).days > 21 * 365
                for i in family
            )
            shape = "two" if is_demo else weighted(
                rng, [("two", 70), ("separated", 14), ("single", 12), ("none", 4 if adult_only else 0)]
            )
            g_lang = lang if lang == "nl" or rng.random() < 0.65 else "nl"
            fam_guardians: list[tuple[int, str, bool, bool]] = []  # (index, relation, authority, lives)
            if shape != "none":
                mother_prefix, mother_last = ("", "Bakker") if is_demo else surname(lang, "f")
                parents = [("mother", "f", mother_prefix, mother_last),
                           ("father", "m", fam_prefix, fam_last)]
                if shape == "single":
                    parents = [parents[0] if rng.random() < 0.8 else parents[1]]
                for p_i, (relation, sex, prefix, last) in enumerate(parents):
                    given = "Petra" if is_demo and relation == "mother" else person(lang, sex)
                    if is_demo and relation == "father":
                        given = "Mark"
                    has_email = rng.random() < (0.93 if g_lang == "nl" else 0.8)
                    has_phone = rng.random() < 0.96
                    channel = weighted(rng, [(Channel.EMAIL, 50), (Channel.SMS, 22), (Channel.PHONE, 16),
                                             (Channel.PORTAL, 9), (Channel.LETTER, 3)] if g_lang == "nl"
                                       else [(Channel.PHONE, 40), (Channel.SMS, 30), (Channel.EMAIL, 20),
                                             (Channel.PORTAL, 5), (Channel.LETTER, 5)])
                    if channel == Channel.EMAIL and not has_email:
                        channel = Channel.SMS if has_phone else Channel.LETTER
                    if channel in (Channel.SMS, Channel.PHONE) and not has_phone:
                        channel = Channel.EMAIL if has_email else Channel.LETTER
                    g_index = len(guardians)
                    guardians.append(Guardian(
                        board=self.board, given_name=given, prefix=prefix, last_name=last,
                        email=f"{slug(given)}.{slug(prefix + last)}.{g_index + 1}@example.org" if has_email else "",
                        phone=make_mobile(rng) if has_phone else "",
                        language=g_lang,
                        preferred_channel=channel,
                        external_key=f"OUD{g_index + 1:07d}",
                    ))
                    authority, lives = True, True
                    if shape == "separated" and p_i == 1:
                        lives = False
                        authority = rng.random() < 0.6
                    fam_guardians.append((g_index, relation, authority, lives))
            for i in family:
                s = slots[i]
                s.lang = lang
                if is_demo:
                    given = {"po": "Sam", "vo": "Noor", "mbo": "Jesse"}[s.sector]
                    s.sex = "f" if given == "Noor" else "m"
                else:
                    given = person(lang, s.sex)
                first_names = given
                if lang == "nl" and rng.random() < 0.6:
                    first_names = f"{given} {rng.choice(N.MIDDLE_NAMES[s.sex])}"
                prefix, last = fam_prefix, fam_last
                if lang in ("pl",) and s.sex == "f":
                    last = last.replace("ski", "ska").replace("cki", "cka")
                key_seq[s.school_idx] += 1
                n = key_seq[s.school_idx]
                adult = (self.today - s.birth_date).days >= 18 * 365.25
                skq = s.sector == Sector.MBO and (
                    (s.programme is not None and s.programme[2] >= 3 and s.level >= 2 and rng.random() < 0.15)
                    or (adult and rng.random() < 0.25)
                )
                student = Student(
                    school=self.schools[s.school_idx],
                    first_names=first_names, given_name=given, prefix=prefix, last_name=last,
                    birth_date=s.birth_date, sector=s.sector, enrolment_start=s.enrolment_start,
                    has_startkwalificatie=bool(skq),
                    eckid=(f"https://ketenid.nl/201703/{id_rng.getrandbits(128):032x}"
                           if rng.random() < 0.7 else ""),
                    school_key=f"{s.school_idx + 1:03d}{n:05d}",
                    bsn=make_bsn(id_rng) if rng.random() < 0.6 else "",
                )
                s.student = student
                students.append(student)
                for g_index, relation, authority, lives in fam_guardians:
                    fields: dict[str, Any] = {"relation": relation, "has_authority": authority,
                                                  "lives_with_student": lives}
                    if adult:
                        consent = "none" if is_demo and s.sector == Sector.MBO else weighted(
                            rng, [("both", 55), ("view", 15), ("none", 30)])
                        fields["adult_consent_view"] = consent in ("both", "view")
                        fields["adult_consent_contact"] = consent == "both"
                        fields["consent_changed_at"] = dt.datetime(
                            s.birth_date.year + 18, s.birth_date.month, min(s.birth_date.day, 28), 10, 0,
                            tzinfo=dt.UTC) if consent != "none" else None
                    links.append((i, g_index, fields))
        Student.objects.bulk_create(students, batch_size=BATCH)
        Guardian.objects.bulk_create(guardians, batch_size=BATCH)
        self.guardians = guardians
        StudentGuardian.objects.bulk_create(
            [StudentGuardian(school=linked.school, student=linked, guardian=guardians[g], **fields)
             for i, g, fields in links if (linked := slots[i].student) is not None],
            batch_size=BATCH,
        )
        self.summary.students = len(students)
        self.summary.guardians = len(guardians)
        # The demo parent is the mother of the demo family (its first guardian).
        self.demo_guardian_index = next(g for i, g, _f in links if i == self.demo_family[0])

    # 4. per school ----------------------------------------------------------------------------
    def group_name(self, sector: str, level: int, stream: str, track: str,
                   programme: tuple[Any, ...] | None) -> str:
        if sector == Sector.PO:
            return f"Groep 1/2{track}" if level <= 2 else f"Groep {level}{track}"
        if sector == Sector.VO:
            return f"{level}{stream}{track}"
        assert programme is not None
        return f"{programme[0]}{programme[2]}-{level}{track}"

    def build_school(self, idx: int, school: School) -> None:
        rng = self.rng("build", idx)
        years = self.years[idx]
        slots = [s for s in self.slots if s.school_idx == idx]
        is_demo_school = {"po": 0, "vo": 1, "mbo": 2}[school.sector]
        demo_here = bool(slots) and self.demo_family[is_demo_school] in {s.index for s in slots}

        # 4a. Groups per school year, with each slot's membership per year.
        groups: dict[tuple[int, str], Group] = {}
        base_of: dict[tuple[int, str], str] = {}
        member_plan: list[tuple[Slot, int, str]] = []  # (slot, year index, group name)
        for s in slots:
            for y_i, year in enumerate(years):
                back = len(years) - 1 - y_i
                level = s.level - back
                if s.enrolment_start > year.end_date:
                    continue
                if level < 1 and school.sector != Sector.PO:
                    continue
                name = self.group_name(school.sector, level, s.stream, s.track, s.programme)
                key = (y_i, name)
                if key not in groups:
                    groups[key] = Group(
                        school=school, school_year=year, name=name,
                        kind={"po": GroupKind.STAMGROEP, "vo": GroupKind.CLASS,
                              "mbo": GroupKind.COHORT}[school.sector],
                        year_level=max(level, 1),
                        level=({v[0]: v[1] for v in VO_STREAMS}.get(s.stream, "")
                               if school.sector == Sector.VO
                               else f"niveau {s.programme[2]}" if s.programme else ""),
                        programme=(f"{s.programme[1]} niveau {s.programme[2]}" if s.programme else ""),
                        external_key=f"{year.name}/{name}",
                    )
                base_of[key] = self.group_name(school.sector, level, s.stream, "", s.programme)
                member_plan.append((s, y_i, name))
        ordered = sorted(groups.values(), key=lambda g: (g.school_year.start_date, g.name))
        Group.objects.bulk_create(ordered, batch_size=BATCH)
        self.summary.groups += len(ordered)

        # 4b. Staff and timetable (clash-free per school year).
        demo_group = None
        if demo_here and school.sector == Sector.VO:
            d = self.slots[self.demo_family[1]]
            demo_group = groups[(len(years) - 1, self.group_name(school.sector, d.level, d.stream,
                                                                  d.track, d.programme))]
        teachers, entries, mentors = self.build_timetable(idx, school, years, ordered, rng,
                                                          demo_here, demo_group)
        self.summary.timetable_entries += len(entries)

        # 4c. Memberships, with a few students changing group mid-year.
        memberships: list[Membership] = []
        by_base: dict[tuple[int, str], list[Group]] = defaultdict(list)
        for (y_i, name), g in groups.items():
            by_base[(y_i, base_of[(y_i, name)])].append(g)
        demo_ids = set(self.demo_family)
        for s, y_i, name in member_plan:
            year = years[y_i]
            group = groups[(y_i, name)]
            start = max(year.start_date, s.enrolment_start)
            end = year.end_date if y_i < len(years) - 1 else None
            assert s.student is not None
            siblings_groups = [g for g in by_base[(y_i, base_of[(y_i, name)])] if g is not group]
            if siblings_groups and s.index not in demo_ids and rng.random() < 0.01:
                switch = start + dt.timedelta(days=rng.randint(60, 200))
                if switch < (end or self.today) and switch < self.today:
                    memberships.append(Membership(school=school, group=group, student=s.student,
                                                  start_date=start, end_date=switch - dt.timedelta(days=1)))
                    group = rng.choice(siblings_groups)
                    start = switch
            memberships.append(Membership(school=school, group=group, student=s.student,
                                          start_date=start, end_date=end))
        Membership.objects.bulk_create(memberships, batch_size=BATCH)

        # 4d. Lessons from the timetable.
        first_day = years[0].start_date
        past = Calendar(school, first_day, self.today - dt.timedelta(days=1)).school_days()
        history = past[-HISTORY_DAYS:]
        hist_start = history[0] if history else self.today
        lessons_end = min(self.today + dt.timedelta(days=LESSONS_AHEAD_DAYS), years[-1].end_date)
        generate_lessons(school, hist_start, lessons_end)

        # 4e. A few cancelled and changed lessons.
        rows = list(
            Lesson.objects.filter(school=school)
            .order_by("date", "start_time", "group_id")
            .values_list("id", "group_id", "date", "start_time", "teacher_id", "end_time")
        )
        self.summary.lessons += len(rows)
        busy = {(t, d, st) for _id, _g, d, st, t, _end in rows}
        cancelled: set[int] = set()
        changes: list[Lesson] = []
        teacher_ids = [t.pk for t in teachers]
        for pk, _g, day, start_time, teacher_id, _end in rows:
            r = rng.random()
            if r < 0.003:
                cancelled.add(pk)
                changes.append(Lesson(pk=pk, status=LessonStatus.CANCELLED, is_changed=False,
                                      teacher_id=teacher_id,
                                      note=rng.choice(["Docent afwezig", "Studiemiddag sectie",
                                                       "Toetsweek", "Excursie andere klassen"])))
            elif r < 0.008 and len(teacher_ids) > 1:
                sub = rng.choice(teacher_ids)
                if sub != teacher_id and (sub, day, start_time) not in busy:
                    busy.add((sub, day, start_time))
                    changes.append(Lesson(pk=pk, status=LessonStatus.SCHEDULED, is_changed=True,
                                          teacher_id=sub, note="Invaller"))
        Lesson.objects.bulk_update(changes, ["status", "is_changed", "teacher", "note"], batch_size=1000)
        changed_teacher = {c.pk: c.teacher_id for c in changes}

        # 4f. Registers and marks.
        self.build_attendance(idx, school, rows, cancelled, changed_teacher, memberships, history,
                              groups, mentors)

    def new_staff(self, school: School, rng: random.Random, users: list[User]) -> User:
        lang = weighted(rng, [("nl", 85), ("tr", 5), ("ar", 5), ("pl", 2), ("en", 3)])
        sex = rng.choice("mf")
        first = rng.choice(N.FIRST_NAMES[lang][sex])
        prefix, last = rng.choice(N.LAST_NAMES[lang])
        last = last.split("|")[1 if sex == "f" else 0] if "|" in last else last
        full_last = f"{prefix} {last}".strip()
        username = self.new_username(first, full_last)
        user = User(username=username, email=username, first_name=first, last_name=full_last,
                    password="!" + username, language="nl")
        users.append(user)
        return user

    def build_timetable(self, idx: int, school: School, years: list[SchoolYear],
                        groups: list[Group], rng: random.Random, demo_here: bool,
                        demo_group: Group | None) -> tuple[list[User], list[TimetableEntry], dict[int, list[User]]]:
        """Create staff, mentors and a weekly timetable without teacher or room clashes."""
        periods = self.periods[idx]
        sector = school.sector
        users: list[User] = []
        roles: list[tuple[User, str]] = []
        by_subject: dict[str, list[User]] = defaultdict(list)
        load: dict[tuple[int, int], int] = defaultdict(int)  # (year idx, id(user)) -> lessons
        busy: set[tuple[int, int, int, int]] = set()  # (year idx, id(user), weekday, period)
        room_busy: set[tuple[int, str, int, int]] = set()
        entries: list[tuple[Group, Period, User, str, str]] = []
        mentors: dict[int, list[User]] = {}
        demo_teacher = self.demo_users["teacher"] if demo_here and sector == Sector.VO else None
        demo_mentor = self.demo_users["mentor"] if demo_here and sector == Sector.VO else None
        max_load = 26 if sector == Sector.VO else 22

        def teacher_for(y: int, subject: str, slots: list[tuple[int, int]]) -> User:
            pool = by_subject[subject]
            for user in sorted(pool, key=lambda u: load[(y, id(u))]):
                if load[(y, id(user))] + len(slots) > max_load:
                    continue
                if all((y, id(user), wd, p) not in busy for wd, p in slots):
                    return user
            user = self.new_staff(school, rng, users)
            roles.append((user, Role.TEACHER))
            pool.append(user)
            return user

        def room_for(y: int, pool_name: str, slots: list[tuple[int, int]]) -> str:
            n = 1
            while True:
                room = f"{pool_name} {n}"
                if all((y, room, wd, p) not in room_busy for wd, p in slots):
                    for wd, p in slots:
                        room_busy.add((y, room, wd, p))
                    return room
                n += 1

        if demo_teacher is not None and demo_mentor is not None:
            by_subject["Engels"].append(demo_teacher)
            roles.append((demo_teacher, Role.TEACHER))
            roles.append((demo_mentor, Role.TEACHER))

        per_year_index: dict[int, int] = defaultdict(int)
        po_teams: list[tuple[User, User | None]] = []
        for g_i, group in enumerate(groups):
            y = years.index(group.school_year)
            per_year_index[y] += 1
            book: list[tuple[str, list[tuple[int, int]]]] = []
            if sector == Sector.PO:
                kleuter = group.name.startswith("Groep 1/2")
                names = PO_SUBJECTS["kleuter" if kleuter else "groep"]
                day_slots = [(wd, p) for wd in range(5) for p in (1, 2) if (wd, p) in periods]
                # A group has one teacher, or a duo: one Monday to Wednesday, one Thursday and Friday.
                # The same teachers return every year, with a new group.
                k = per_year_index[y] - 1
                if k >= len(po_teams):
                    first = self.new_staff(school, rng, users)
                    duo = self.new_staff(school, rng, users) if rng.random() < 0.35 else None
                    po_teams.append((first, duo))
                first, duo = po_teams[k]
                for person in (first, duo):
                    if person is not None:
                        roles.append((person, Role.TEACHER))
                        roles.append((person, Role.MENTOR))
                mentors[g_i] = [first] + ([duo] if duo else [])
                po_room = f"Lokaal {per_year_index[y]}"
                for n_i, (wd, p) in enumerate(day_slots):
                    teacher = duo if duo is not None and wd >= 3 else first
                    entries.append((group, periods[(wd, p)], teacher, names[n_i % len(names)], po_room))
                continue
            if sector == Sector.VO:
                stream = group.name[1] if group.name[1].isalpha() else group.name[2]
                subjects = vo_subjects(stream, group.year_level or 1)
                hours = sum(h for _, h in subjects)
                per_day = [hours // 5 + (1 if d < hours % 5 else 0) for d in range(5)]
                start_p = [1] * 5
            else:
                programme = next(p for p in MBO_PROGRAMMES if group.name.startswith(f"{p[0]}{p[2]}-"))
                subjects = mbo_subjects(programme, group.year_level or 1)
                hours = sum(h for _, h in subjects)
                # Two or three days at school in later years: BPV on the other days.
                days = [0, 1, 2, 3, 4]
                if (group.year_level or 1) >= 2:
                    rng.shuffle(days)
                    days = sorted(days[:3])
                per_day = [0] * 5
                for h in range(hours):
                    per_day[days[h % len(days)]] += 1
                per_day = [min(c, 5 if d == 4 else 6) for d, c in enumerate(per_day)]
                start_p = [1 if c >= 4 else rng.randint(1, 2) for c in per_day]
            # Deal subjects over the days like cards, so a subject is spread over the week.
            capacity = per_day[:]
            day_subjects: list[list[str]] = [[] for _ in range(5)]
            d = rng.randrange(5)
            for subject, h in sorted(subjects, key=lambda x: -x[1]):
                for _ in range(h):
                    for _try in range(5):
                        if capacity[d] > 0 and subject not in day_subjects[d]:
                            break
                        d = (d + 1) % 5
                    else:
                        while capacity[d] == 0 and any(capacity):
                            d = (d + 1) % 5
                    if capacity[d] == 0:
                        break
                    day_subjects[d].append(subject)
                    capacity[d] -= 1
                    d = (d + 1) % 5
            placed: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for wd in range(5):
                todays = day_subjects[wd]
                rng.shuffle(todays)
                for k, subject in enumerate(todays):
                    p = start_p[wd] + k
                    if (wd, p) in periods:
                        placed[subject].append((wd, p))
            book = list(placed.items())
            home_room = f"{'ABC'[g_i % 3]}{1 + (g_i // 3) % 3}.{10 + g_i:02d}"
            for subject, slots in book:
                if group is demo_group and subject in ("Mentoruur", "Geschiedenis"):
                    assert demo_mentor is not None
                    teacher = demo_mentor
                else:
                    teacher = teacher_for(y, subject, slots)
                for wd, p in slots:
                    busy.add((y, id(teacher), wd, p))
                load[(y, id(teacher))] += len(slots)
                room: str | None
                if subject == "Lichamelijke opvoeding":
                    room = None
                    room_pool = "Gymzaal"
                elif subject in ("Biologie", "Natuurkunde", "Scheikunde", "Nask"):
                    room_pool = "Practicumlokaal"
                    room = None
                elif sector == Sector.MBO:
                    room_pool = "Lokaal B"
                    room = None
                else:
                    room_pool = ""
                    room = home_room
                if room is None:
                    # Book the room per slot; consecutive lessons may use different rooms.
                    for wd, p in slots:
                        entries.append((group, periods[(wd, p)], teacher, subject,
                                        room_for(y, room_pool, [(wd, p)])))
                else:
                    for wd, p in slots:
                        entries.append((group, periods[(wd, p)], teacher, subject, room))
            # The mentor: the mentor-hour teacher in vo, the SLB teacher in mbo.
            key = "Mentoruur" if sector == Sector.VO else "SLB"
            mentor = next((t for (g, _p, t, subj, _r) in reversed(entries)
                           if g is group and subj == key), None)
            if mentor is not None:
                mentors[g_i] = [mentor]
                roles.append((mentor, Role.MENTOR))

        # School-wide roles.
        wide = [Role.ATTENDANCE_OFFICER, Role.CARE_COORDINATOR, Role.SCHOOL_LEADER, Role.ADMINISTRATOR]
        demo_keys = {Role.ATTENDANCE_OFFICER: "attendance_officer", Role.CARE_COORDINATOR: "care_coordinator",
                     Role.SCHOOL_LEADER: "school_leader", Role.ADMINISTRATOR: "administrator"}
        for role in wide:
            if demo_here and sector == Sector.VO:
                user = self.demo_users[demo_keys[role]]
            else:
                user = self.new_staff(school, rng, users)
            roles.append((user, role))
            if role == Role.ATTENDANCE_OFFICER:
                self.office[idx] = user
        User.objects.bulk_create(users, batch_size=BATCH)
        self.summary.staff += len(users)
        seen: set[tuple[int, str]] = set()
        staff_roles = []
        for user, role_name in roles:
            if (user.pk, role_name) not in seen:
                seen.add((user.pk, role_name))
                staff_roles.append(StaffRole(school=school, user=user, role=role_name))
        StaffRole.objects.bulk_create(staff_roles, batch_size=BATCH)
        GroupMentor.objects.bulk_create(
            [GroupMentor(school=school, group=groups[g_i], user=u)
             for g_i, us in mentors.items() for u in us], batch_size=BATCH)
        rows = [
            TimetableEntry(school=school, school_year=group.school_year, group=group, period=period,
                           teacher=teacher, subject=subject, room=room,
                           valid_from=group.school_year.start_date, valid_until=group.school_year.end_date)
            for group, period, teacher, subject, room in entries
        ]
        TimetableEntry.objects.bulk_create(rows, batch_size=BATCH)
        self.mentor_users = mentors
        teachers = list({id(t): t for _g, _p, t, _s, _r in entries}.values())
        return teachers, rows, {groups[g].pk: us for g, us in mentors.items()}

    # attendance -------------------------------------------------------------------------------
    def build_attendance(self, idx: int, school: School, rows: list[tuple[Any, ...]],
                         cancelled: set[int], changed_teacher: dict[int, int],
                         memberships: list[Membership], history: list[dt.date],
                         groups: dict[tuple[int, str], Group], mentors: dict[int, list[User]]) -> None:
        rng = self.rng("attendance", idx)
        reasons = self.reasons[idx]
        office_id = self.office[idx].pk
        if not history:
            return
        hist_start, hist_end = history[0], history[-1]
        recent = set(history[-3:])
        offsets: dict[dt.date, dt.timedelta] = {}

        def utc(day: dt.date, at: dt.time, plus_minutes: int = 0) -> dt.datetime:
            off = offsets.get(day)
            if off is None:
                off = dt.datetime.combine(day, dt.time(12), self.tz).utcoffset() or dt.timedelta()
                offsets[day] = off
            return (dt.datetime.combine(day, at) - off + dt.timedelta(minutes=plus_minutes)).replace(tzinfo=dt.UTC)

        # Registers for past lessons; a few of the last days are still open.
        regs: list[Registration] = []
        by_group_day: dict[tuple[int, dt.date], list[tuple[int, dt.time, int]]] = defaultdict(list)
        for pk, group_id, day, start_time, teacher_id, _end in rows:
            if day < hist_start or day > hist_end or pk in cancelled:
                continue
            if day in recent and rng.random() < 0.06:
                continue
            teacher_id = changed_teacher.get(pk, teacher_id)
            taken = utc(day, start_time, rng.randint(2, 20))
            regs.append(Registration(school_id=school.pk, lesson_id=pk, taken_by_id=teacher_id,
                                     taken_at=taken, updated_at=taken))
            by_group_day[(group_id, day)].append((pk, start_time, teacher_id))
        Registration.objects.bulk_create(regs, batch_size=BATCH)
        self.summary.registrations += len(regs)

        # Holiday edges for luxury absence: the school days just before and after a holiday.
        edges: list[list[dt.date]] = []
        for i in range(2, len(history) - 1):
            if (history[i] - history[i - 1]).days > 4:
                edges.append([history[i - 1], history[i - 2]])  # leaving early
                edges.append([history[i], history[i + 1]])  # coming back late
        # Eid al-Fitr and Eid al-Adha (Suikerfeest, Offerfeest) on school days.
        religious_days = {dt.date(2026, 3, 20), dt.date(2026, 5, 27), dt.date(2027, 3, 10)}
        lang_by_student = {id(s.student): s.lang for s in self.slots if s.school_idx == idx}

        members_by_student: dict[int, list[Membership]] = defaultdict(list)
        for m in memberships:
            members_by_student[id(m.student)].append(m)

        # Students whose history makes each default protocol step fire (protocol_students).
        scripted = self.protocol_students(idx, school, rows, history, members_by_student,
                                          by_group_day, mentors)
        by_student = {id(item.student): item for item in scripted}

        marks: list[Mark] = []
        R = reasons
        season = {d: (1.5 if d.month in (12, 1, 2) else 1.0) for d in history}
        for ms in members_by_student.values():
            student = ms[0].student
            student_id = student.pk
            first_mark = len(marks)
            profile = weighted(rng, [("normal", 84), ("moderate", 12), ("chronic", 4)])
            p_sick, p_skip, p_late = {"normal": (0.011, 0.002, 0.012),
                                      "moderate": (0.022, 0.012, 0.03),
                                      "chronic": (0.035, 0.05, 0.05)}[profile]
            if school.sector == Sector.PO:
                p_skip /= 4
                p_late *= 0.6
            luxury: set[dt.date] = set()
            if edges and rng.random() < 0.006:
                edge = edges[rng.randrange(len(edges))]
                luxury = set(edge[: rng.randint(1, 2)])
            luxury_reason = R["vakantieverlof"] if rng.random() < 0.3 else R["ongeoorloofd"]
            religious = lang_by_student.get(id(student)) in ("tr", "ar") and rng.random() < 0.5
            sick_left = 0
            ms_sorted = sorted(ms, key=lambda m: m.start_date)
            start_day = max(hist_start, student.enrolment_start)
            for day in history[bisect.bisect_left(history, start_day):]:
                group_id = None
                for m in ms_sorted:
                    if m.start_date <= day and (m.end_date is None or day <= m.end_date):
                        group_id = m.group.pk
                if group_id is None:
                    continue
                lessons = by_group_day.get((group_id, day))
                if not lessons:
                    continue
                r = rng.random()
                whole_day = None
                if sick_left > 0:
                    sick_left -= 1
                    whole_day = R["ziek"]
                elif r < p_sick * season[day]:
                    sick_left = weighted(rng, [(1, 35), (2, 25), (3, 18), (4, 12), (5, 10)]) - 1
                    whole_day = R["ziek"]
                elif day in luxury:
                    whole_day = luxury_reason
                elif religious and day in religious_days:
                    whole_day = R["religieus"]
                if whole_day is not None:
                    by = office_id if whole_day.excused else None
                    for pk, st, t in lessons:
                        when = utc(day, st, 5)
                        marks.append(Mark(school_id=school.pk, lesson_id=pk, student_id=student_id,
                                          date=day, status=MarkStatus.ABSENT, reason=whole_day,
                                          created_by_id=by or t, created_at=when, updated_at=when))
                    continue
                r -= p_sick
                n = len(lessons)
                if r < p_late + 0.004:
                    pk, st, t = lessons[0]
                    when = utc(day, st, 10)
                    if r < p_late:
                        marks.append(Mark(school_id=school.pk, lesson_id=pk, student_id=student_id,
                                          date=day, status=MarkStatus.LATE, reason=R["te_laat"],
                                          minutes_late=weighted(rng, [(rng.randint(1, 5), 60), (rng.randint(6, 15), 30), (rng.randint(16, 40), 10)]),
                                          created_by_id=t, created_at=when, updated_at=when))
                    else:
                        # A medical appointment: one or two lessons, reported by a parent.
                        k = rng.randrange(n)
                        for pk, st, _t in lessons[k:k + rng.randint(1, 2)]:
                            when = utc(day, st, -60)
                            marks.append(Mark(school_id=school.pk, lesson_id=pk, student_id=student_id,
                                              date=day, status=MarkStatus.ABSENT, reason=R["medisch"],
                                              created_by_id=office_id, created_at=when, updated_at=when))
                    continue
                r -= p_late + 0.004
                if r < p_skip:
                    if rng.random() < 0.35:
                        chosen = lessons
                    else:
                        k = rng.randrange(n)
                        chosen = lessons[k:k + rng.randint(1, 3)]
                    reason = R["onbekend"] if day in recent else R["ongeoorloofd"]
                    for pk, st, t in chosen:
                        when = utc(day, st, 5)
                        marks.append(Mark(school_id=school.pk, lesson_id=pk, student_id=student_id,
                                          date=day, status=MarkStatus.ABSENT, reason=reason,
                                          created_by_id=t, created_at=when, updated_at=when))
                    continue
                r -= p_skip
                if school.sector != Sector.PO and r < 0.0015:
                    pk, st, t = lessons[rng.randrange(n)]
                    when = utc(day, st, 25)
                    marks.append(Mark(school_id=school.pk, lesson_id=pk, student_id=student_id,
                                      date=day, status=MarkStatus.REMOVED, reason=R["verwijderd"],
                                      created_by_id=t, created_at=when, updated_at=when))
                    continue
                r -= 0.0015
                if r < 0.0008:
                    reason = R["verlof"] if school.sector != Sector.VO or rng.random() < 0.8 else R["schorsing"]
                    for pk, st, _t in lessons:
                        when = utc(day, st, -600)
                        marks.append(Mark(school_id=school.pk, lesson_id=pk, student_id=student_id,
                                          date=day, status=MarkStatus.ABSENT, reason=reason,
                                          created_by_id=office_id, created_at=when, updated_at=when))
            script = by_student.get(id(student))
            if script is not None:
                # The random draws above still ran, so every other student keeps their history.
                del marks[first_mark:]
                marks.extend(script.marks)
            if len(marks) >= 50_000:
                Mark.objects.bulk_create(marks, batch_size=BATCH)
                self.summary.marks += len(marks)
                marks = []
        Mark.objects.bulk_create(marks, batch_size=BATCH)
        self.summary.marks += len(marks)

    def protocol_students(self, idx: int, school: School, rows: list[tuple[Any, ...]],
                          history: list[dt.date], members_by_student: dict[int, list[Membership]],
                          by_group_day: dict[tuple[int, dt.date], list[tuple[int, dt.time, int]]],
                          mentors: dict[int, list[User]]) -> list[P.Scripted]:
        """Script the students for whom each default protocol step fires (see
        ``protocol_students``) and save their sick reports; return the scripted students."""
        year = self.years[idx][-1]
        days = [d for d in history if d >= year.start_date]
        if not days:
            return []
        if school.hour_unit == "klokuur":
            hours = {pk: (dt.datetime.combine(day, end) - dt.datetime.combine(day, start)
                          ).total_seconds() / 3600
                     for pk, _g, day, start, _t, end in rows if day >= year.start_date}
            hours_of: Callable[[int], float] = hours.__getitem__
        else:
            def hours_of(_pk: int) -> float:
                return 1.0  # a lesson is one lesuur
        off = {day for start, end in DayOff.objects.filter(school=school, school_year=year)
               .values_list("start_date", "end_date")
               for day in (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
               if day.weekday() < 5}
        view = P.YearView(
            school=school, today=self.today,
            year_days=Calendar(school, year.start_date, year.end_date).school_days(),
            days=days, recent=set(history[-3:]), off=off, reasons=self.reasons[idx],
            office_id=self.office[idx].pk, hours_of=hours_of, tz=self.tz,
        )
        demo_students = {id(self.slots[i].student) for i in self.demo_family}

        def lessons(group_id: int) -> dict[dt.date, list[tuple[int, dt.time, int]]]:
            return {d: by_group_day[(group_id, d)] for d in days if (group_id, d) in by_group_day}

        candidates = []
        for ms in members_by_student.values():
            student = ms[0].student
            this_year = [m for m in ms if m.end_date is None or m.end_date >= year.start_date]
            if (id(student) in demo_students or len(this_year) != 1
                    or this_year[0].start_date > days[0] or student.enrolment_start > days[0]):
                continue
            candidates.append(P.Candidate(student, this_year[0].group.pk, lessons))
        demo_mentor = self.demo_users["mentor"].pk
        preferred = [gid for gid, users in mentors.items()
                     if any(u.pk == demo_mentor for u in users)]
        scripted = P.script_students(view, candidates, self.rng("protocol", idx),
                                     preferred_groups=preferred)
        reports = [report for item in scripted for report in item.reports]
        AbsenceReport.objects.bulk_create(reports, batch_size=BATCH)
        self.summary.absence_reports += len(reports)
        self.summary.protocol_students += len(scripted)
        self.summary.protocol_demo += [(school.pk, item.step, item.student.pk) for item in scripted]
        if idx == next(i for i, plan in enumerate(self.plans) if plan.sector == school.sector):
            names = {m.group.pk: m.group.name for ms in members_by_student.values() for m in ms}
            for item in scripted:
                self.log(f"    protocol demo {item.step}: {item.student.full_name} "
                         f"({names.get(item.group_id, '')})")
        return scripted

    # 5. demo logins ---------------------------------------------------------------------------
    def finish_demo_users(self) -> None:
        guardian = self.guardians[self.demo_guardian_index]
        guardian.user = self.demo_users["parent"]
        guardian.email = self.demo_users["parent"].email
        guardian.save(update_fields=["user", "email"])
        adult_slot = self.slots[self.demo_family[2]]
        assert adult_slot.student is not None
        adult_slot.student.user = self.demo_users["student"]
        adult_slot.student.save(update_fields=["user"])


def seed_demo(students: int = DEFAULT_STUDENTS, seed: int = 1, today: dt.date | None = None,
              *, if_empty: bool = False, log: Callable[[str], None] | None = None) -> Summary:
    """Create the demo board in one transaction and return a summary of what was made."""
    log = log or (lambda _msg: None)
    today = today or timezone.localdate()
    if if_empty and Board.objects.exists():
        return Summary(skipped=True)
    with transaction.atomic():
        return Seeder(students, seed, today, log).run()
