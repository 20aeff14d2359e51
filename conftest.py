"""Personas shared by every test.

School A (vo) and school C (mbo) belong to one board; school B to another.
``teacher_a`` teaches A1, ``mentor_a`` mentors A2, ``parent_a`` is the parent of
``child_a`` in A1, ``adult_student`` is 19 and studies at C (their parent has no
consent), ``teacher_b`` teaches at B and must never see A's data.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import translation

from aanwezig.schools.models import Role, Sector
from aanwezig.testing import factories as f

TODAY = dt.date(2026, 11, 18)  # a Wednesday in a school week


@pytest.fixture
def world(db):
    board = f.make_board("Stichting Test")
    school_a = f.make_school(board, name="Het Testcollege", brin="11AA", sector=Sector.VO)
    school_c = f.make_school(board, name="Test mbo", brin="33CC", sector=Sector.MBO)
    school_b = f.make_school(f.make_board("Ander bestuur"), name="De Andere School", brin="22BB")
    year_a, year_b, year_c = (f.make_school_year(s) for s in (school_a, school_b, school_c))
    grid_a = f.make_period_grid(school_a)
    grid_b = f.make_period_grid(school_b)
    grid_c = f.make_period_grid(school_c)

    teacher_a = f.make_staff(school_a, Role.TEACHER, username="docent.a@example.test",
                             first_name="Dirk", last_name="Docent")
    mentor_a = f.make_staff(school_a, Role.TEACHER, Role.MENTOR, username="mentor.a@example.test",
                            first_name="Mira", last_name="Mentor")
    officer_a = f.make_staff(school_a, Role.ATTENDANCE_OFFICER, username="verzuim.a@example.test",
                             first_name="Vera", last_name="Verzuim")
    admin_a = f.make_staff(school_a, Role.ADMINISTRATOR, username="beheer.a@example.test",
                           first_name="Bert", last_name="Beheer")
    teacher_b = f.make_staff(school_b, Role.TEACHER, username="docent.b@example.test",
                             first_name="Bas", last_name="Buiten")

    a1 = f.make_group(school_a, year_a, "1A", year_level=1)
    a2 = f.make_group(school_a, year_a, "2B", year_level=2)
    b1 = f.make_group(school_b, year_b, "1B", year_level=1)
    c1 = f.make_group(school_c, year_c, "ZORG-2", kind="cohort")
    f.add_mentor(a2, mentor_a)

    child_a = f.make_student(school_a, a1, given_name="Sam", last_name="Jansen")
    classmate_a = f.make_student(school_a, a1, given_name="Noor", last_name="Bakker")
    other_a = f.make_student(school_a, a2, given_name="Daan", last_name="Visser")
    student_b = f.make_student(school_b, b1, given_name="Lotte", last_name="Smit")
    adult = f.make_student(school_c, c1, given_name="Yusuf", last_name="Demir",
                           birth_date=dt.date(2007, 3, 2), has_startkwalificatie=False)
    adult_user = f.make_user("yusuf.demir@example.test", first_name="Yusuf", last_name="Demir")
    adult.user = adult_user
    adult.save()

    parent_user = f.make_user("ouder.jansen@example.test", first_name="Petra", last_name="Jansen")
    parent = f.make_guardian(board, user=parent_user, given_name="Petra", last_name="Jansen")
    f.link_guardian(child_a, parent)
    adult_parent_user = f.make_user("ouder.demir@example.test", first_name="Ayse", last_name="Demir")
    adult_parent = f.make_guardian(board, user=adult_parent_user, given_name="Ayse", last_name="Demir")
    f.link_guardian(adult, adult_parent)

    f.make_entry(a1, grid_a[0], teacher_a)
    f.make_entry(a2, grid_a[1], mentor_a)
    f.make_entry(b1, grid_b[0], teacher_b)
    lesson_a = f.make_lesson(a1, teacher_a, TODAY, period=grid_a[2])
    lesson_a2 = f.make_lesson(a2, mentor_a, TODAY, period=grid_a[3])
    lesson_b = f.make_lesson(b1, teacher_b, TODAY, period=grid_b[2])
    lesson_c = f.make_lesson(c1, f.make_staff(school_c, Role.TEACHER), TODAY, period=grid_c[2])

    return SimpleNamespace(**locals())


@pytest.fixture
def teacher_a(world):
    return world.teacher_a


@pytest.fixture
def mentor_a(world):
    return world.mentor_a


@pytest.fixture
def parent_a(world):
    return world.parent_user


@pytest.fixture
def adult_student(world):
    return world.adult_user


@pytest.fixture
def teacher_b(world):
    return world.teacher_b


@pytest.fixture(scope="session")
def _letters_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("letters")


@pytest.fixture(autouse=True)
def _test_settings(settings, _letters_dir):
    """Serve static files without the manifest (it exists only after collectstatic), and hash
    test passwords quickly: argon2 is deliberately slow and every persona has a password.
    Production keeps argon2 (test_settings.py pins that). Printed letters go to a temporary
    folder."""
    settings.LETTERS_DIR = _letters_dir
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture
def fixed_day_in_english():
    """Run a test on ``TODAY`` at 10:00 and in English, so that messages can be read back.
    Modules opt in with ``pytestmark = pytest.mark.usefixtures("fixed_day_in_english")``."""
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False), \
            translation.override("en"):
        yield


@pytest.fixture
def inbox(settings):
    """A real SMTP server on loopback that records what it receives; e-mail goes there and
    tasks run at once (the immediate backend), so a test reads the e-mail as sent."""
    from aiosmtpd.controller import Controller

    from aanwezig.notifications.channels import reset_transports
    from aanwezig.notifications.tests.test_channel_email_smtp import RecordingHandler, free_port

    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "aanwezig <noreply@aanwezig.example>"
    settings.REPLY_TO_EMAIL = "antwoord@aanwezig.example"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    reset_transports()
    yield handler
    reset_transports()
    controller.stop()
