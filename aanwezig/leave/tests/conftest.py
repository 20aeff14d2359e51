"""Fixtures for the leave tests: uploaded files go to a temporary folder, the school's default
absence reasons exist, a school leader at school A, and the clock on TODAY at 10:00."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from aanwezig.attendance.defaults import create_default_absence_reasons
from aanwezig.schools.models import Role
from aanwezig.testing import factories as f
from conftest import TODAY

#: The smallest file each accepted type can start with.
PDF = b"%PDF-1.7\n% werkgeversverklaring\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _leave_files(settings, tmp_path):
    settings.LEAVE_FILES_DIR = tmp_path / "leave"
    return settings.LEAVE_FILES_DIR


@pytest.fixture
def leave_files(_leave_files):
    return _leave_files


@pytest.fixture
def morning():
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0),
                                                 tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False):
        yield


@pytest.fixture
def reasons(world):
    return create_default_absence_reasons(world.school_a)


@pytest.fixture
def leader(world):
    return f.make_staff(world.school_a, Role.SCHOOL_LEADER, username="directeur.a@example.test",
                        first_name="Dora", last_name="Directeur")


def pdf_file(name: str = "verklaring.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
