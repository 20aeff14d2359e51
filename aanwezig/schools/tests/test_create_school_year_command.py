"""manage.py create_school_year: clear errors for an unknown BRIN or an existing year."""

import pytest
from django.core.management import CommandError, call_command

from aanwezig.schools.models import DayOffKind, SchoolYear

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


def test_an_unknown_brin_is_a_clear_error(world):
    with pytest.raises(CommandError, match="No school with BRIN 99ZZ."):
        call_command("create_school_year", school="99zz", year=2027)
    assert not SchoolYear.objects.filter(name="2027-2028").exists()


def test_an_existing_year_is_a_clear_error(world):
    with pytest.raises(CommandError, match="School year 2026-2027 already exists for Het "
                                           "Testcollege."):
        call_command("create_school_year", school="11AA", year=2026)


def test_the_year_is_created_with_holidays(world, capsys):
    call_command("create_school_year", school="11aa00", year=2025)
    year = SchoolYear.objects.get(school=world.school_a, name="2025-2026")
    assert year.days_off.filter(kind=DayOffKind.HOLIDAY).count() == 6
    assert "Created school year 2025-2026 for Het Testcollege" in capsys.readouterr().out
