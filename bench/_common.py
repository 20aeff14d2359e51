"""Helpers shared by the benchmark scripts in this folder.

A benchmark script measures one or more figures and records each with
``record(name, median_ms=..., target_ms=...)``. ``make bench`` runs every
``bench/*.py`` that does not start with ``_``; together they write
``var/bench.json``::

    {"figure_name": {"median_ms": 812.4, "target_ms": 2000}}

Scripts run as ``python bench/name.py`` from the repository root, so they
import this module as ``from _common import ...``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_FILE = ROOT / "var" / "bench.json"


def setup_django() -> None:
    """Make the project importable and call ``django.setup()`` with its settings."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aanwezig.settings")
    import django

    django.setup()


def median_ms(samples: Iterable[float]) -> float:
    """Return the median of ``samples`` (milliseconds), rounded to 0.1 ms."""
    values = list(samples)
    if not values:
        raise ValueError("median_ms() needs at least one sample")
    return round(statistics.median(values), 1)


@contextmanager
def timer() -> Iterator[list[float]]:
    """Measure the wall-clock time of a ``with`` block in milliseconds.

    ``with timer() as t: ...`` leaves the duration in ``t[0]``.
    """
    result: list[float] = []
    start = time.perf_counter()
    try:
        yield result
    finally:
        result.append((time.perf_counter() - start) * 1000)


def record(name: str, *, median_ms: float, target_ms: float, path: Path = BENCH_FILE) -> None:
    """Merge one figure into ``var/bench.json``, keeping the figures already there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figures: dict[str, dict[str, float]] = {}
    if path.exists():
        try:
            figures = json.loads(path.read_text())
        except json.JSONDecodeError:
            figures = {}
    figures[name] = {"median_ms": round(float(median_ms), 1), "target_ms": float(target_ms)}
    # Write a sibling file and rename it, so the file is never half-written.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".bench-", suffix=".json")
    with os.fdopen(fd, "w") as out:
        json.dump(figures, out, indent=2, sort_keys=True)
        out.write("\n")
    os.replace(tmp, path)
    status = "ok" if median_ms <= target_ms else "OVER TARGET"
    print(f"{name}: median {median_ms:.1f} ms (target {target_ms:g} ms) {status}")
