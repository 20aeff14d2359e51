"""The demo seed is deterministic and ``--if-empty`` leaves existing data alone.

Kept apart from test_seed_demo.py, whose module-wide seeded board would be visible here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from aanwezig.attendance.models import Mark, Registration
from aanwezig.demo.seed import seed_demo
from aanwezig.roster.models import Lesson, Student
from aanwezig.schools.models import Board

TODAY = dt.date(2026, 11, 18)


def digest() -> str:
    names = sorted(Student.objects.values_list("school_key", "first_names", "prefix", "last_name",
                                               "birth_date"))
    marks = sorted(Counter(
        (code, status) for code, status in Mark.objects.values_list("reason__code", "status")
    ).items())
    text = repr((names, marks, Lesson.objects.count(), Registration.objects.count()))
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.django_db
def test_same_seed_same_data():
    digests = []
    for seed in (3, 3, 4):
        with transaction.atomic():
            seed_demo(80, seed, TODAY)
            digests.append(digest())
            transaction.set_rollback(True)
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_board_alone(capsys):
    Board.objects.create(name="Bestaand bestuur")
    call_command("seed_demo", "--students", "120", "--if-empty", "--today", "2026-11-18")
    assert Board.objects.count() == 1
    assert not Student.objects.exists()
