"""Benchmark the roster import on the 40k demo board.

Figures (milliseconds):

* ``roster_import_40k`` — a generated OneRoster 1.2 CSV set (40,000 students in 1,334 homeroom
  classes, 1,334 teachers, 80,000 parents and carers linked through ``agentSourcedIds`` — half
  named by the student, half naming the student) for the board's largest school:
  ``oneroster.parse`` plus ``sync.sync_roster``. One run; target 60,000 ms.
* ``roster_reimport_40k`` — the same set again: parse plus sync, which must change nothing
  (asserted). One run; target 30,000 ms.

Runs on a copy of the database that ``bench/seed_demo_40k.py`` leaves at
var/bench/demo-40k.sqlite3 (``make bench`` runs the seed first); the copy and the generated
set are removed afterwards, so the bench leaves no trace.

Usage: .venv/bin/python bench/roster.py
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = Path(os.environ.get("BENCH_DB") or ROOT / "var" / "bench" / "demo-40k.sqlite3")
STUDENTS = 40_000
CLASS_SIZE = 30
GIVEN = ["Emma", "Noah", "Julia", "Daan", "Sara", "Sem", "Fatima", "Mohammed", "Lotte", "Levi",
         "Anna", "Finn", "Yara", "Luuk", "Mila", "Adam", "Zoë", "Bram", "Nora", "Milan"]
FAMILY = [("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("", "Bakker"), ("", "Visser"),
          ("", "Smit"), ("", "El Amrani"), ("de", "Jong"), ("van", "Dijk"), ("", "Yilmaz"),
          ("", "Mulder"), ("", "Bos"), ("van der", "Meer"), ("", "Kowalski"), ("", "Hendriks")]


def write_csv(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with open(folder / name, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def generate(folder: Path, *, brin: str, year_name: str, start: dt.date, end: dt.date) -> None:
    """A OneRoster 1.2 bulk set for one school."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder, "manifest.csv", ["propertyName", "value"], [
        ["manifest.version", "1.0"], ["oneroster.version", "1.2"],
        *[[f"file.{n}", "bulk"] for n in ("academicSessions", "classes", "courses",
                                           "demographics", "enrollments", "orgs", "roles",
                                           "users")],
        ["source.systemName", "bench"],
    ])
    write_csv(folder, "orgs.csv",
              ["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
               "parentSourcedId"],
              [["org-school", "", "", "Bench school", "school", brin, ""]])
    write_csv(folder, "academicSessions.csv",
              ["sourcedId", "status", "dateLastModified", "title", "type", "startDate",
               "endDate", "parentSourcedId", "schoolYear"],
              [["sy", "", "", f"Schooljaar {year_name}", "schoolYear", start.isoformat(),
                end.isoformat(), "", str(end.year)]])
    write_csv(folder, "courses.csv",
              ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
               "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"],
              [["crs-mentor", "", "", "sy", "Mentoruur", "MEN", "", "org-school", "", ""]])
    n_classes = -(-STUDENTS // CLASS_SIZE)
    classes, users, roles, demographics, enrollments = [], [], [], [], []
    for c in range(n_classes):
        code = f"R{c // 100 + 1}{chr(65 + c % 26)}{c % 100:02d}"
        classes.append([f"cls-{c}", "", "", f"Klas {code}", "", "crs-mentor", code, "homeroom",
                        "", "org-school", "sy", "", "", ""])
        teacher = f"t-{c}"
        users.append([teacher, "", "", "true", teacher, "", GIVEN[c % 20], FAMILY[c % 15][1],
                      FAMILY[c % 15][0], f"D{c}", f"docent{c}@bench.example", "", "", "", "",
                      "", "", "", "", "", "", "org-school", ""])
        roles.append([f"r-{teacher}", "", "", teacher, "primary", "teacher", "", "",
                      "org-school", ""])
        enrollments.append([f"e-{teacher}", "", "", f"cls-{c}", "org-school", teacher,
                            "teacher", "true", "", ""])
    for i in range(STUDENTS):
        sid, p1, p2 = f"s-{i}", f"p-{i}-1", f"p-{i}-2"
        prefix, family = FAMILY[i % 15]
        # half the students name their parents; the other half are named by them
        student_agents = f"{p1},{p2}" if i % 2 == 0 else ""
        users.append([sid, "", "", "true", f"OR{i}", "", GIVEN[i % 20], family, prefix,
                      f"OR{i:06d}", "", "", "", student_agents, "", "", "", "", "", "", "",
                      "org-school", ""])
        roles.append([f"r-{sid}", "", "", sid, "primary", "student", start.isoformat(), "",
                      "org-school", ""])
        born = dt.date(end.year - 13 - i % 6, 1 + i % 12, 1 + i % 28)
        demographics.append([sid, "", "", born.isoformat()])
        enrollments.append([f"e-{sid}", "", "", f"cls-{i // CLASS_SIZE}", "org-school", sid,
                            "student", "false", start.isoformat(), ""])
        for n, (pid, role) in enumerate(((p1, "parent"), (p2, "guardian"))):
            parent_agents = sid if i % 2 == 1 else ""
            users.append([pid, "", "", "true", "", "", GIVEN[(i + n + 3) % 20], family, prefix,
                          "", f"ouder{i}-{n}@bench.example", "", f"06{(10_000_000 + 2 * i + n):08d}",
                          parent_agents, "", "", "", "", "", "", "", "org-school", ""])
            roles.append([f"r-{pid}", "", "", pid, "primary", role, "", "", "org-school", ""])
    write_csv(folder, "classes.csv",
              ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
               "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
               "subjects", "subjectCodes", "periods"], classes)
    write_csv(folder, "users.csv",
              ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
               "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
               "agentSourcedIds", "grades", "password", "userMasterIdentifier",
               "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
               "preferredFamilyName", "primaryOrgSourcedId", "pronouns"], users)
    write_csv(folder, "roles.csv",
              ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
               "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"], roles)
    write_csv(folder, "demographics.csv",
              ["sourcedId", "status", "dateLastModified", "birthDate"], demographics)
    write_csv(folder, "enrollments.csv",
              ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
               "userSourcedId", "role", "primary", "beginDate", "endDate"], enrollments)


def main() -> int:
    if not DB.exists():
        print(f"{DB} is missing: run bench/seed_demo_40k.py first.")
        return 1
    work = Path(tempfile.mkdtemp(prefix="roster-bench-", dir=DB.parent))
    try:
        copy = work / "db.sqlite3"
        shutil.copyfile(DB, copy)
        os.environ["SQLITE_PATH"] = str(copy)
        os.environ.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True,
                       cwd=ROOT, env=os.environ)
        return run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path) -> int:
    from _common import record, setup_django, timer

    setup_django()
    from django.db.models import Count, Max

    from aanwezig.attendance.models import Registration
    from aanwezig.roster.importing import oneroster
    from aanwezig.schools.models import Role, School, SchoolYear, StaffRole

    try:
        from aanwezig.roster.importing.sync import sync_roster
    except ImportError:
        print("roster_import_40k: sync.sync_roster is not there yet; the bench could not run.")
        return 1

    last = Registration.objects.aggregate(d=Max("lesson__date"))["d"]
    today = (last + dt.timedelta(days=1)) if last else dt.date.today()
    school = School.objects.annotate(n=Count("students")).order_by("-n", "pk").first()
    assert school is not None, "the database has no schools"
    year = next(y for y in SchoolYear.objects.filter(school=school) if y.contains(today))
    admin = next((r.user for r in StaffRole.objects.filter(school=school, role=Role.ADMINISTRATOR)
                  .select_related("user")), None)
    print(f"today {today}; school {school.name} ({school.brin}), year {year.name}; "
          f"{school.students.count()} students before")  # type: ignore[attr-defined]

    folder = work / "oneroster"
    generate(folder, brin=school.brin, year_name=year.name, start=year.start_date,
             end=year.end_date)

    with timer() as t:
        roster = oneroster.parse(folder)
        report = sync_roster(school, roster, actor=admin, today=today)
    totals = report.totals()
    print(f"roster_import_40k: {len(roster.students)} students, {len(roster.guardians)} "
          f"guardians, {len(roster.groups)} groups; created {totals.created}, updated "
          f"{totals.updated}, ended {totals.ended}")
    assert report.counts["student"].created == STUDENTS, report.counts
    assert report.counts["guardian"].created == 2 * STUDENTS, report.counts
    record("roster_import_40k", median_ms=t[0], target_ms=60_000)

    with timer() as t:
        roster = oneroster.parse(folder)
        again = sync_roster(school, roster, actor=admin, today=today)
    assert not again.changed, f"the re-import changed things: {again.changes[:10]}"
    print(f"roster_reimport_40k: unchanged {again.totals().unchanged}")
    record("roster_reimport_40k", median_ms=t[0], target_ms=30_000)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
