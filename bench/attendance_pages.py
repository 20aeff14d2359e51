"""Benchmark the daily attendance pages on the 40k demo board (server time, full requests).

Figures (medians of 18 requests after 2 warm-up requests, through Django's test client, logged in):

* ``register_save_30`` — a teacher saves a 30-student lesson register (htmx POST), target 30 ms;
* ``day_overview_2000`` — the attendance desk's day overview of a 2,000-student school, 200 ms;
* ``student_page`` — a student's attendance page, 100 ms.

Needs the database that ``bench/seed_demo_40k.py`` leaves at var/bench/demo-40k.sqlite3
(``make bench`` runs the seed first). Each figure's query count is printed too.

Usage: .venv/bin/python bench/attendance_pages.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "var" / "bench" / "demo-40k.sqlite3"
RUNS = 20


def main() -> int:
    if not DB.exists():
        print(f"{DB.relative_to(ROOT)} is missing: run bench/seed_demo_40k.py first.")
        return 1
    os.environ["SQLITE_PATH"] = str(DB)
    os.environ.pop("DATABASE_URL", None)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Production settings (DEBUG off): migrations applied and static files collected.
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, str(ROOT / "manage.py"), *command], check=True, cwd=ROOT)

    from _common import median_ms, record, setup_django, timer

    setup_django()
    from django.db import connection
    from django.db.models import Count, Max
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from aanwezig.attendance.models import Registration
    from aanwezig.roster.models import Lesson, Membership, Student, active_membership_q
    from aanwezig.schools.models import Role, School, StaffRole

    # 1. The school closest to 2,000 students, its attendance officer and its last registered day.
    school = min(
        School.objects.annotate(n=Count("students")),
        key=lambda s: abs(s.n - 2000),  # type: ignore[attr-defined]
    )
    officer = StaffRole.objects.filter(school=school, role=Role.ATTENDANCE_OFFICER).first()
    assert officer is not None, "the school has no attendance officer"
    day = Registration.objects.filter(school=school).aggregate(d=Max("lesson__date"))["d"]
    print(f"school {school.name}: {Student.objects.filter(school=school).count()} students, "
          f"day {day}")

    # 2. A lesson of that day whose group has the most members (30 in the demo's largest classes).
    lessons = list(Lesson.objects.filter(school=school, date=day).select_related("group__school_year"))
    sizes = dict(
        Membership.objects.filter(active_membership_q(day), group__in={x.group_id for x in lessons})
        .values("group_id").annotate(n=Count("id")).values_list("group_id", "n")
    )
    lesson = max(lessons, key=lambda x: sizes.get(x.group_id, 0))
    members = Membership.objects.filter(active_membership_q(day), group_id=lesson.group_id)
    # The demo's largest classes have 28 students: top this one up to 30 in the bench database.
    short = 30 - members.count()
    if short > 0:
        extra = Student.objects.filter(school=school).exclude(
            memberships__group_id=lesson.group_id)[:short]
        Membership.objects.bulk_create(
            Membership(school=school, group_id=lesson.group_id, student=s,
                       start_date=lesson.group.school_year.start_date) for s in extra
        )
    students = list(members.values_list("student_id", flat=True))
    print(f"register: {lesson} with {len(students)} students")

    def timed(client: Client, method: str, url: str, data: dict | None = None,
              headers: dict | None = None) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as queries, timer() as t:
            response = getattr(client, method)(url, data or {}, headers=headers or {})
        assert response.status_code == 200, (url, response.status_code)
        return t[0], len(queries)

    # 3. register_save_30: each save changes a few marks, so every run writes.
    teacher = Client()
    teacher.force_login(lesson.teacher)
    url = reverse("lesson", args=[school.pk, lesson.pk])
    samples, counts = [], []
    for run in range(RUNS):
        data = {f"s-{pk}": "present" for pk in students}
        data[f"s-{students[run % len(students)]}"] = "absent"
        data[f"s-{students[(run + 7) % len(students)]}"] = "late"
        data[f"m-{students[(run + 7) % len(students)]}"] = "5"
        ms, n = timed(teacher, "post", url, data, {"HX-Request": "true"})
        samples.append(ms)
        counts.append(n)
    print(f"register_save_30: {max(counts)} queries")
    record("register_save_30", median_ms=median_ms(samples[2:]), target_ms=30)

    # 4. day_overview_2000 and student_page, as the attendance officer.
    desk = Client()
    desk.force_login(officer.user)
    url = reverse("desk", args=[school.pk]) + f"?dag={day.isoformat()}"
    runs = [timed(desk, "get", url) for _ in range(RUNS)]
    print(f"day_overview_2000: {max(n for _, n in runs)} queries")
    record("day_overview_2000", median_ms=median_ms(ms for ms, _ in runs[2:]), target_ms=200)

    student = Student.objects.filter(school=school, marks__date=day).first()
    assert student is not None
    url = reverse("student", args=[school.pk, student.pk])
    runs = [timed(desk, "get", url) for _ in range(RUNS)]
    print(f"student_page: {max(n for _, n in runs)} queries")
    record("student_page", median_ms=median_ms(ms for ms, _ in runs[2:]), target_ms=100)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
