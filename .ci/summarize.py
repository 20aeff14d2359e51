"""Summarise a `make -k test` log: the steps that failed, then one pytest summary line.

Usage: python3 .ci/summarize.py LOG MAKE_EXIT_STATUS

The last line adds up the summary lines of every pytest run in the log (SQLite,
PostgreSQL, browser) in pytest's own format, e.g.
``======================= 3 failed, 250 passed in 95.20s =======================``.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

# pytest's order of outcomes in its summary line.
ORDER = ["failed", "passed", "skipped", "xfailed", "xpassed", "warnings", "errors"]
SINGULAR = {"warning": "warnings", "error": "errors"}
SUMMARY = re.compile(
    r"^(?:=+ )?(?P<body>(?:\d+ \w+|no tests ran)(?:, \d+ \w+)* in (?P<secs>[\d.]+)s\b.*?)(?: =+)?$"
)
MAKE_ERROR = re.compile(r"^make(?:\[\d+\])?: \*\*\* \[[^\]]*?:\s*([\w.-]+)\] Error (\d+)")


def main(log_path: str, status: str) -> int:
    lines = Path(log_path).read_text(errors="replace").splitlines()
    totals: dict[str, int] = {}
    seconds = 0.0
    runs = 0
    for line in lines:
        match = SUMMARY.match(line.strip())
        if not match:
            continue
        runs += 1
        seconds += float(match.group("secs"))
        for count, outcome in re.findall(r"(\d+) (\w+)", match.group("body").split(" in ")[0]):
            key = SINGULAR.get(outcome, outcome)
            if key == "deselected":  # each run deselects what another run selects
                continue
            totals[key] = totals.get(key, 0) + int(count)
    failed_steps = [
        f"{m.group(1)} (exit {m.group(2)})" for line in lines if (m := MAKE_ERROR.match(line))
    ]

    print()
    print(f"ci: {runs} pytest run(s); make exit status {status}")
    if failed_steps:
        print("ci: failed steps: " + ", ".join(failed_steps))
    parts = []
    for key in ORDER + sorted(set(totals) - set(ORDER)):
        count = totals.get(key, 0)
        if count:
            word = key[:-1] if count == 1 and key in ("warnings", "errors") else key
            parts.append(f"{count} {word}")
    body = f"{', '.join(parts) or 'no tests ran'} in {seconds:.2f}s"
    width = min(shutil.get_terminal_size((80, 20)).columns, 80)
    print(f" {body} ".center(width, "="))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "?"))
