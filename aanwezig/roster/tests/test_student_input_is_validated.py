"""Students: bad input is refused with a clear message and nothing is saved."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.models import Student
from aanwezig.roster.services import create_student, update_student

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")

VALID_BSN = "111222333"  # passes the eleven test


def student_fields(**overrides):
    fields = {
        "first_names": "Emma Louise", "given_name": "Emma", "last_name": "de Vries",
        "birth_date": dt.date(2013, 4, 2), "enrolment_start": dt.date(2026, 8, 1),
        "school_key": "S0001",
    }
    fields.update(overrides)
    return fields


def refused(world, **overrides):
    count = Student.objects.count()
    with pytest.raises(ValidationError) as info:
        create_student(world.school_a, actor=world.admin_a, **student_fields(**overrides))
    assert Student.objects.count() == count, "nothing is saved"
    return info.value.message_dict


def test_a_birth_date_in_the_future_is_refused(world):
    errors = refused(world, birth_date=dt.date(2026, 11, 19))
    assert errors["birth_date"] == ["The date of birth cannot be in the future."]


def test_an_enrolment_ending_before_it_starts_is_refused(world):
    errors = refused(world, enrolment_end=dt.date(2026, 7, 31))
    assert errors["enrolment_end"] == ["The enrolment cannot end before it starts."]


def test_a_bsn_failing_the_eleven_test_is_refused(world):
    errors = refused(world, bsn="111222334")
    assert errors["bsn"] == ["This BSN does not pass the eleven test."]


def test_a_student_number_is_unique_per_school(world):
    errors = refused(world, school_key=world.child_a.school_key)
    assert errors["school_key"] == [
        f"Student number {world.child_a.school_key} is already in use at this school."
    ]
    # ... but the same number at another school is fine.
    create_student(world.school_b, actor=None,
                   **student_fields(school_key=world.child_a.school_key))


def test_a_new_student_gets_the_schools_sector_and_an_audit_row_without_the_bsn(world):
    student = create_student(world.school_c, actor=None, **student_fields(bsn=VALID_BSN))
    assert student.sector == "mbo"
    event = AuditEvent.objects.get(action="create", student=student)
    assert event.changes["last_name"] == "de Vries"
    assert event.changes["bsn"] == "changed"
    assert VALID_BSN not in str(event.changes)


def test_an_update_is_audited_with_the_changed_fields_only(world):
    update_student(world.child_a, prefix="van", actor=world.officer_a)
    event = AuditEvent.objects.get(action="update", student=world.child_a)
    assert event.actor == world.officer_a
    assert event.changes == {"prefix": ["", "van"]}


def test_a_failed_update_leaves_the_stored_student_alone(world):
    with pytest.raises(ValidationError):
        update_student(world.child_a, given_name="Samuel", birth_date=dt.date(2030, 1, 1),
                       actor=None)
    assert Student.objects.get(pk=world.child_a.pk).given_name == "Sam"
    assert not AuditEvent.objects.filter(action="update", student=world.child_a).exists()
