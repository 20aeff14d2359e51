"""The Dutch catalogue is complete and its compiled .mo matches the .po."""

from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
NL_PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
NL_MO = NL_PO.with_suffix(".mo")


def entries(catalogue):
    """Map (context, msgid) to the translation(s), leaving out the header and obsolete entries."""
    out = {}
    for entry in catalogue:
        if entry.obsolete or not entry.msgid:
            continue
        value = tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
        out[(entry.msgctxt, entry.msgid)] = value
    return out


@pytest.fixture(scope="module")
def nl_po():
    assert NL_PO.exists(), "run makemessages -l nl (see docs/ui.md)"
    return polib.pofile(str(NL_PO))


def test_every_dutch_entry_is_translated(nl_po):
    missing = [e.msgid for e in nl_po.untranslated_entries() if not e.obsolete]
    assert not missing, f"translate these in {NL_PO.name}: {missing}"


def test_no_dutch_entry_is_fuzzy(nl_po):
    fuzzy = [e.msgid for e in nl_po.fuzzy_entries() if not e.obsolete]
    assert not fuzzy, f"check and unmark these fuzzy entries: {fuzzy}"


def test_compiled_catalogue_matches_the_po_file(nl_po):
    assert NL_MO.exists(), "run compilemessages (see docs/ui.md)"
    assert entries(polib.mofile(str(NL_MO))) == entries(nl_po)


def test_a_known_string_is_dutch(client, db):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Samen zorgen dat elk kind er is" in body
