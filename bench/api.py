"""Benchmark the REST API on the 40k demo board (server time, full requests).

Figure (median of 18 requests after 2 warm-up requests, through Django's test client, with a
read token):

* ``api_list_page`` — a page of 100 registrations with their marks (``GET /api/registrations
  ?limit=100``) of the largest school, counting all its registrations; target 100 ms.

Needs the database that ``bench/seed_demo_40k.py`` leaves at var/bench/demo-40k.sqlite3. The
token made for the run is removed afterwards.

Usage: .venv/bin/python bench/api.py
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
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True,
                   cwd=ROOT)

    from _common import median_ms, record, setup_django, timer

    setup_django()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from aanwezig.api.services import create_token
    from aanwezig.attendance.models import Registration
    from aanwezig.schools.models import School

    school = max(School.objects.annotate(n=Count("students")),
                 key=lambda s: s.n)  # type: ignore[attr-defined]
    token, raw = create_token(school, name="bench", scopes="read", actor=None)
    try:
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        url = "/api/registrations?limit=100"
        samples = []
        for run in range(RUNS):
            with CaptureQueriesContext(connection) as queries, timer() as t:
                response = client.get(url)
            assert response.status_code == 200, response.content[:300]
            if run >= 2:
                samples.append(t[0])
        body = response.json()
        assert len(body["items"]) == 100
        print(f"school {school.name}: {Registration.objects.filter(school=school).count()} "
              f"registrations, {len(queries)} queries per page")
        record("api_list_page", median_ms=median_ms(samples), target_ms=100)
    finally:
        user = token.actor
        token.delete()
        user.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
