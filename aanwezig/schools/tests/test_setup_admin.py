"""The set-up admin: administrators only, their own schools only, saves through services."""

import pytest
from django.conf import settings
from django.test import Client

from aanwezig.audit.models import AuditEvent
from aanwezig.roster.models import Guardian, TimetableEntry
from aanwezig.testing import factories as f

pytestmark = pytest.mark.usefixtures("fixed_day_in_english")


@pytest.fixture
def browser():
    def login(user):
        client = Client()
        # English chosen with the language switch, as a person would.
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(user)
        return client
    return login


def guardian_data(guardian, **changes):
    data = {
        "given_name": guardian.given_name, "prefix": guardian.prefix,
        "last_name": guardian.last_name, "email": guardian.email, "phone": guardian.phone,
        "language": guardian.language, "preferred_channel": guardian.preferred_channel,
        "external_key": guardian.external_key,
    }
    data.update(changes)
    return data


def test_a_non_administrator_gets_no_admin_access(world, browser):
    world.teacher_a.is_staff = True  # Django's staff flag alone opens nothing
    world.teacher_a.save()
    client = browser(world.teacher_a)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/roster/student/").status_code == 302
    login = Client().post("/admin/login/", {"username": world.teacher_a.username,
                                            "password": f.PASSWORD})
    assert login.status_code == 200  # the login form again, with an error
    assert "_auth_user_id" not in login.client.session


def test_an_administrator_logs_in_and_sees_the_admin(world, browser):
    login = Client().post("/admin/login/?next=/admin/", {"username": world.admin_a.username,
                                                          "password": f.PASSWORD})
    assert login.status_code == 302
    index = browser(world.admin_a).get("/admin/")
    assert index.status_code == 200
    assert b"/admin/roster/student/" in index.content
    assert b"/admin/schools/board/" not in index.content  # boards: superusers only


def test_an_administrator_of_a_does_not_see_bs_students(world, browser):
    client = browser(world.admin_a)
    page = client.get("/admin/roster/student/")
    assert page.status_code == 200
    names = {s.given_name for s in page.context["cl"].result_list}
    assert names == {"Sam", "Noor", "Daan"}
    assert b"Lotte" not in page.content
    other = client.get(f"/admin/roster/student/{world.student_b.pk}/change/", follow=True)
    assert b"Lotte" not in other.content
    schools = client.get("/admin/schools/school/")
    assert [s.name for s in schools.context["cl"].result_list] == ["Het Testcollege"]


def test_an_invalid_phone_number_is_a_form_error(world, browser):
    url = f"/admin/roster/guardian/{world.parent.pk}/change/"
    response = browser(world.admin_a).post(url, guardian_data(world.parent, phone="06 123"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["phone"] == [
        "“06 123” is not a valid phone number. Use for example 06 12345678 or +31 6 12345678."
    ]
    assert Guardian.objects.get(pk=world.parent.pk).phone == "+31612345678"


def test_an_admin_save_goes_through_the_service(world, browser):
    url = f"/admin/roster/guardian/{world.parent.pk}/change/"
    response = browser(world.admin_a).post(url, guardian_data(world.parent, phone="0201234567"))
    assert response.status_code == 302
    assert Guardian.objects.get(pk=world.parent.pk).phone == "+31201234567"
    event = AuditEvent.objects.get(object_type="roster.Guardian", action="update")
    assert event.actor == world.admin_a
    assert event.changes == {"phone": ["+31612345678", "+31201234567"]}


def test_a_timetable_clash_is_a_form_error(world, browser):
    response = browser(world.admin_a).post("/admin/roster/timetableentry/add/", {
        "group": world.a2.pk, "period": world.grid_a[0].pk, "teacher": world.teacher_a.pk,
        "subject": "Wiskunde", "room": "205", "valid_from": "2026-08-01",
        "valid_until": "2027-07-31",
    })
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("Timetable clash: Dirk Docent already teaches 1A" in e for e in errors)
    assert TimetableEntry.objects.filter(group=world.a2).count() == 1
    assert not AuditEvent.objects.filter(object_type="roster.TimetableEntry").exists()


def test_the_audit_trail_is_read_only(world, browser):
    client = browser(world.admin_a)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
