"""Bad input gets a clear error in Dutch (the default language) and nothing is saved."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from aanwezig.audit.models import AuditEvent
from aanwezig.roster import services
from aanwezig.roster.lessons import generate_lessons
from aanwezig.roster.models import Guardian, Lesson, Student, TimetableEntry
from conftest import TODAY


@pytest.fixture(autouse=True)
def _dutch_on_a_school_day():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False), \
            translation.override("nl"):
        yield


def messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def test_an_invalid_phone_number(world):
    before = Guardian.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_guardian(world.board, actor=None, last_name="Visser", phone="12345")
    assert "is geen geldig telefoonnummer" in messages(error.value)
    assert Guardian.objects.count() == before


def test_a_birth_date_in_the_future(world):
    before = Student.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_student(
            world.school_a, actor=None, first_names="Mila", given_name="Mila", last_name="Kok",
            birth_date=TODAY + dt.timedelta(days=1), enrolment_start=TODAY, school_key="X1",
        )
    assert "De geboortedatum kan niet in de toekomst liggen." in messages(error.value)
    assert Student.objects.count() == before


def test_a_lesson_outside_the_school_year(world):
    before = Lesson.objects.count()
    with pytest.raises(ValidationError) as error:
        services.add_lesson(world.a1, world.teacher_a, dt.date(2027, 9, 6), subject="Wiskunde",
                            period=world.grid_a[0], actor=None)
    assert "valt buiten schooljaar 2026-2027" in messages(error.value)
    assert Lesson.objects.count() == before


def test_a_timetable_clash(world):
    before = TimetableEntry.objects.count()
    with pytest.raises(ValidationError) as error:  # teacher_a already teaches 1A in period 1
        services.create_timetable_entry(world.a2, world.grid_a[0], world.teacher_a,
                                        subject="Engels", actor=None)
    assert "Dubbel in het rooster" in messages(error.value)
    assert TimetableEntry.objects.count() == before


def test_an_unknown_brin(world):
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="Er is geen school met BRIN 99ZZ."):
        call_command("create_school_year", "--school", "99ZZ", "--year", "2027")
    assert AuditEvent.objects.count() == audit_rows


def test_a_lesson_added_by_hand_survives_lesson_generation(world):
    lesson = services.add_lesson(world.a1, world.teacher_a, TODAY, subject="Excursie",
                                 period=world.grid_a[3], actor=None)
    generate_lessons(world.school_a, TODAY, TODAY)
    assert Lesson.objects.filter(pk=lesson.pk).exists()
