"""Every set-up page opens for an administrator; school years and days off are set up here."""

import pytest
from django.conf import settings
from django.test import Client

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.models import Lesson
from aanwezig.schools.models import DayOff, DayOffKind, SchoolYear

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")

MODELS = [
    "schools/school", "schools/schoolyear", "schools/period", "schools/staffrole",
    "schools/externalpartner", "roster/group", "roster/student", "roster/guardian",
    "roster/studentguardian", "roster/timetableentry", "roster/lesson",
    "attendance/absencereason", "audit/auditevent",
]


@pytest.fixture
def client(world):
    client = Client()
    # English chosen with the language switch, as a person would.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.admin_a)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_list_add_and_change_pages_open(world, client, model):
    assert client.get(f"/admin/{model}/").status_code == 200
    add = client.get(f"/admin/{model}/add/")
    assert add.status_code in (200, 403)
    page = client.get(f"/admin/{model}/")
    first = page.context["cl"].result_list[:1]
    if first:
        assert client.get(f"/admin/{model}/{first[0].pk}/change/").status_code == 200


def test_a_school_year_is_added_with_its_holidays(world, client):
    response = client.post("/admin/schools/schoolyear/add/",
                           {"school": world.school_a.pk, "start_year": 2025})
    assert response.status_code == 302
    year = SchoolYear.objects.get(school=world.school_a, name="2025-2026")
    assert year.days_off.filter(kind=DayOffKind.HOLIDAY).count() == 6
    again = client.post("/admin/schools/schoolyear/add/",
                        {"school": world.school_a.pk, "start_year": 2025})
    assert again.status_code == 200
    assert "already exists" in str(again.context["adminform"].form.non_field_errors())


def _inline_data(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_a_day_off_outside_the_year_is_a_form_error_in_the_inline(world, client):
    url = f"/admin/schools/schoolyear/{world.year_a.pk}/change/"
    base = {"name": "2026-2027", "start_date": "2026-08-01", "end_date": "2027-07-31"}
    bad = client.post(url, {**base, **_inline_data("days_off", [
        {"kind": "study_day", "name": "Studiedag", "start_date": "2027-08-02",
         "end_date": "2027-08-02"}])})
    assert bad.status_code == 200
    assert not DayOff.objects.filter(name="Studiedag").exists()
    good = client.post(url, {**base, **_inline_data("days_off", [
        {"kind": "study_day", "name": "Studiedag", "start_date": "2026-11-19",
         "end_date": "2026-11-19"}])})
    assert good.status_code == 302
    assert AuditEvent.objects.get(object_type="schools.DayOff").actor == world.admin_a


def test_cancelling_a_lesson_in_the_admin(world, client):
    lesson = world.lesson_a
    url = f"/admin/roster/lesson/{lesson.pk}/change/"
    response = client.post(url, {
        "date": "2026-11-18", "period": lesson.period_id, "start_time": "10:30",
        "end_time": "11:20", "teacher": lesson.teacher_id, "subject": lesson.subject,
        "room": "", "status": "cancelled", "note": "Docent ziek",
    })
    assert response.status_code == 302
    lesson = Lesson.objects.get(pk=lesson.pk)
    assert lesson.status == "cancelled" and lesson.note == "Docent ziek"
