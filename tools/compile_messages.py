"""Compile locale/*/LC_MESSAGES/*.po catalogues whose .mo file is missing or stale.

Uses polib, so a fresh machine needs no gettext tools. A .mo file is only
rewritten when its translations differ from the .po file, so catalogues
compiled with ``make messages`` (msgfmt) are left alone.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent


def translations(catalogue: Any) -> dict[tuple[str | None, str], object]:
    return {
        (entry.msgctxt, entry.msgid): (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
        for entry in catalogue.translated_entries()
        if not entry.obsolete
    }


def main() -> int:
    for po_path in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        po = polib.pofile(str(po_path))
        if mo_path.exists():
            try:
                if translations(polib.mofile(str(mo_path))) == translations(po):
                    continue
            except (OSError, ValueError):
                pass
        po.save_as_mofile(str(mo_path))
        print(f"compiled {mo_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
