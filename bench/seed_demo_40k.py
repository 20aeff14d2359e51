"""Benchmark: ``seed_demo --students 40000 --seed 1`` into a fresh SQLite database.

Writes the figure ``seed_demo_40k`` ({"median_ms", "target_ms"}) to var/bench.json,
merged with the figures already there (``_common.record``). One run is the figure (the seed takes
minutes); the database is kept as var/bench/demo-40k.sqlite3 for other benchmarks.

Usage: .venv/bin/python bench/seed_demo_40k.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from _common import record

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DB = VAR / "bench" / "demo-40k.sqlite3"
FIGURE = "seed_demo_40k"
TARGET_MS = 600_000


def main() -> int:
    DB.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "SQLITE_PATH": str(DB)}
    env.pop("DATABASE_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    started = time.perf_counter()
    subprocess.run([*manage, "seed_demo", "--students", "40000", "--seed", "1"],
                   check=True, env=env, cwd=ROOT)
    elapsed_ms = (time.perf_counter() - started) * 1000
    record(FIGURE, median_ms=elapsed_ms, target_ms=TARGET_MS)
    print(f"Database kept at {DB.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
