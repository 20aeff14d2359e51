"""The EDEXML example imported into a school twice: the second time changes nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.importing import edexml
from aanwezig.roster.models import Student
from conftest import TODAY

sync = pytest.importorskip("aanwezig.roster.importing.sync")


def completed_example(tmp_path, school_year: str):
    """The official example with what aanwezig needs on top of the schema's minimum:
    the school year of the test school, teachers' e-mail addresses (staff are matched on
    them), the one missing date of birth, and a BSN that passes the eleven test (the
    example's 133456785 does not)."""
    text = edexml.EXAMPLE_FILE.read_text(encoding="utf-8")
    text = text.replace("<schooljaar>2014-2015</schooljaar>", f"<schooljaar>{school_year}</schooljaar>")
    for key, email in (("LK1", "j.vanbemmel"), ("LK2", "u.veldman"), ("LK3", "l.debruin")):
        tag = f'<leerkracht key="{key}"'
        head, rest = text.split(tag, 1)
        close = min(i for i in (rest.find("<rol"), rest.find("<groepen>")) if i >= 0)
        text = head + tag + rest[:close] + f"<emailadres>{email}@example.test</emailadres>\n\t\t\t" + rest[close:]
    text = text.replace(
        "<voorletters-1>IH</voorletters-1>",
        "<voorletters-1>IH</voorletters-1>\n\t\t\t<geboortedatum>2006-03-02</geboortedatum>",
    )
    text = text.replace("<bsn>133456785</bsn>", "<bsn>111222333</bsn>")
    path = tmp_path / "edexml.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_importing_the_example_twice_changes_nothing_the_second_time(world, tmp_path):
    school, admin = world.school_a, world.admin_a
    school.brin = "99ZZ"  # the example's school
    school.save()
    roster = edexml.parse(completed_example(tmp_path, world.year_a.name))

    first = sync.sync_roster(school, roster, actor=admin, today=TODAY)
    assert first.changed
    keys = set(Student.objects.filter(school=school).values_list("school_key", flat=True))
    assert {"00001", "00002", "12345"} <= keys
    events = AuditEvent.objects.count()

    again = sync.sync_roster(school, edexml.parse(completed_example(tmp_path, world.year_a.name)),
                             actor=admin, today=TODAY)
    assert not again.changed
    assert AuditEvent.objects.count() == events


def test_the_official_example_imports_with_warnings_for_what_it_leaves_out(world):
    """As published: school year 2014-2015, teachers without e-mail, one student without a
    date of birth (and a BSN failing the eleven test). What aanwezig cannot use is left out
    with a warning; everything else is imported, and a second import changes nothing."""
    from aanwezig.testing import factories as f

    school, admin = world.school_a, world.admin_a
    school.brin = "99ZZ"  # the example's school
    school.save()
    f.make_school_year(school, 2014)
    with translation.override("en"):
        first = sync.sync_roster(school, edexml.parse(edexml.EXAMPLE_FILE), actor=admin,
                                 today=TODAY)
    assert first.changed
    warned = {(w.where, w.field) for w in first.warnings}
    assert {("staff member LK1", "email"), ("staff member LK2", "email"),
            ("staff member LK3", "email"), ("student 00002", "birth_date")} <= warned
    keys = set(Student.objects.filter(school=school).values_list("school_key", flat=True))
    assert "00001" in keys and "00002" not in keys
    events = AuditEvent.objects.count()
    again = sync.sync_roster(school, edexml.parse(edexml.EXAMPLE_FILE), actor=admin, today=TODAY)
    assert not again.changed
    assert AuditEvent.objects.count() == events


def test_a_file_for_another_school_is_refused(world):
    from aanwezig.roster.importing.model import RosterFileError

    with pytest.raises(RosterFileError) as refused:
        sync.sync_roster(world.school_a, edexml.parse(edexml.EXAMPLE_FILE), actor=world.admin_a,
                         today=TODAY)
    assert any(p.field == "brin" and "99ZZ" in p.message for p in refused.value.problems)
    assert not Student.objects.filter(school=world.school_a, school_key="00001").exists()
