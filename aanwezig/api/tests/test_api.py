"""The REST API: tokens and scopes, the gatekeeper per school, pages, one error format."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from aanwezig.api.auth import RATE_LIMIT
from aanwezig.api.models import ApiToken
from aanwezig.api.services import hash_token
from aanwezig.attendance.models import AbsenceReport, Mark
from aanwezig.audit.models import AuditEvent
from aanwezig.testing import factories as f

from .conftest import bearer

pytestmark = pytest.mark.usefixtures("today")


def is_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body["error"]


def test_without_or_with_a_wrong_token_is_401_in_the_error_format(client, tokens):
    is_error(client.get("/api/students"), 401, "unauthorized")
    is_error(client.get("/api/students", headers=bearer("azw_nonsense")), 401, "unauthorized")


def test_a_revoked_token_is_refused(client, tokens):
    ApiToken.objects.filter(token_hash=hash_token(tokens["read"])).update(revoked=True)
    is_error(client.get("/api/students", headers=bearer(tokens["read"])), 401, "unauthorized")


def test_only_a_hash_of_the_token_is_stored(tokens):
    token = ApiToken.objects.get(token_hash=hash_token(tokens["read"]))
    assert tokens["read"] not in {token.token_hash, token.prefix}
    assert token.actor.is_active is False and not token.actor.has_usable_password()


def test_students_are_the_token_schools_only(client, world, tokens):
    body = client.get("/api/students", headers=bearer(tokens["read"])).json()
    assert {s["full_name"] for s in body["items"]} == {"Sam Jansen", "Noor Bakker", "Daan Visser"}
    assert "bsn" not in body["items"][0]
    other = client.get("/api/students", headers=bearer(tokens["other"])).json()
    assert {s["full_name"] for s in other["items"]} == {"Lotte Smit"}


@pytest.mark.parametrize("path", [
    "/api/students/{student_b}", "/api/groups/{b1}", "/api/lessons/{lesson_b}",
    "/api/lessons/{lesson_b}/register", "/api/students?group_id={b1}",
    "/api/absences?student_id={student_b}",
])
def test_another_schools_ids_are_404(client, world, tokens, path):
    url = path.format(student_b=world.student_b.pk, b1=world.b1.pk, lesson_b=world.lesson_b.pk)
    is_error(client.get(url, headers=bearer(tokens["read"])), 404, "not_found")


def test_a_missing_id_is_the_same_404(client, tokens):
    a = client.get("/api/students/999999", headers=bearer(tokens["read"])).json()
    assert a == {"error": {"code": "not_found", "message": "Not found.", "details": None}}


def test_reading_a_student_writes_an_audit_row_naming_the_token(client, world, tokens):
    client.get(f"/api/students/{world.child_a.pk}", headers=bearer(tokens["read"]))
    token = ApiToken.objects.get(token_hash=hash_token(tokens["read"]))
    event = AuditEvent.objects.get(action="read", student=world.child_a)
    assert event.actor == token.actor and event.object_type == "api_student"


def test_pages_have_at_most_100_and_say_where_the_next_starts(client, world, tokens):
    for i in range(5):
        f.make_student(world.school_a, world.a1, given_name=f"Extra{i}", last_name="Zeta")
    first = client.get("/api/students?limit=3", headers=bearer(tokens["read"])).json()
    assert (first["count"], len(first["items"]), first["next_offset"]) == (8, 3, 3)
    last = client.get("/api/students?limit=3&offset=6", headers=bearer(tokens["read"])).json()
    assert (len(last["items"]), last["next_offset"]) == (2, None)
    seen = {s["id"] for s in first["items"]} | {s["id"] for s in last["items"]}
    assert len(seen) == 5
    error = is_error(client.get("/api/students?limit=101", headers=bearer(tokens["read"])),
                     422, "invalid")
    assert error["details"][0]["loc"][-1] == "limit"


def test_a_read_token_cannot_write(client, world, tokens):
    response = client.put(f"/api/lessons/{world.lesson_a.pk}/register", {"marks": []},
                          content_type="application/json", headers=bearer(tokens["read"]))
    assert is_error(response, 403, "scope_missing")["details"] == {"scope": "write"}
    response = client.post("/api/absences", {"student_id": world.child_a.pk,
                                             "start_date": "2026-11-18"},
                           content_type="application/json", headers=bearer(tokens["read"]))
    is_error(response, 403, "scope_missing")
    assert not AbsenceReport.objects.exists()


def test_a_register_written_through_the_api_shows_in_the_uis_register(client, world, tokens):
    response = client.put(
        f"/api/lessons/{world.lesson_a.pk}/register",
        {"marks": [{"student_id": world.child_a.pk, "status": "absent", "reason_code": "ziek"},
                   {"student_id": world.classmate_a.pk, "status": "late", "minutes_late": 5}]},
        content_type="application/json", headers=bearer(tokens["write"]))
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    marks = {m.student_id: m.status for m in Mark.objects.filter(lesson=world.lesson_a)}
    assert marks == {world.child_a.pk: "absent", world.classmate_a.pk: "late"}
    assert AuditEvent.objects.filter(object_type="attendance.Registration").exists()
    client.force_login(world.teacher_a)
    page = client.get(reverse("lesson", kwargs={"school_id": world.school_a.pk,
                                                "pk": world.lesson_a.pk}))
    assert page.status_code == 200
    assert page.context["registration"] is not None
    summary = page.context["summary"]
    assert (summary.present, summary.absent, summary.late) == (0, 1, 1)  # Sam and Noor
    listed = client.get("/api/registrations", headers=bearer(tokens["read"])).json()
    assert listed["count"] == 1
    assert {m["student_id"] for m in listed["items"][0]["marks"]} == {
        world.child_a.pk, world.classmate_a.pk}


def test_a_bad_register_is_refused_whole_in_the_error_format(client, world, tokens):
    response = client.put(
        f"/api/lessons/{world.lesson_a.pk}/register",
        {"marks": [{"student_id": world.student_b.pk, "status": "absent"}]},
        content_type="application/json", headers=bearer(tokens["write"]))
    is_error(response, 422, "refused")
    assert not Mark.objects.exists()


def test_a_sick_report_through_the_api_locks_todays_register(client, world, tokens):
    response = client.post("/api/absences", {"student_id": world.child_a.pk,
                                             "start_date": "2026-11-18"},
                           content_type="application/json", headers=bearer(tokens["write"]))
    assert response.status_code == 201, response.content
    report = AbsenceReport.objects.get()
    assert (report.student, report.reason.code, report.end_date) == (world.child_a, "ziek", None)
    listed = client.get(f"/api/absences?student_id={world.child_a.pk}",
                        headers=bearer(tokens["read"])).json()
    assert [a["id"] for a in listed["items"]] == [report.pk]


def test_another_schools_student_cannot_be_reported_sick(client, world, tokens):
    response = client.post("/api/absences", {"student_id": world.student_b.pk,
                                             "start_date": "2026-11-18"},
                           content_type="application/json", headers=bearer(tokens["write"]))
    is_error(response, 404, "not_found")


def test_unknown_paths_and_methods_answer_in_the_error_format(client, tokens):
    is_error(client.get("/api/nothing-here", headers=bearer(tokens["read"])), 404, "not_found")
    is_error(client.delete("/api/students", headers=bearer(tokens["read"])), 405,
             "method_not_allowed")


def test_over_the_rate_limit_is_429(client, tokens):
    token = ApiToken.objects.get(token_hash=hash_token(tokens["read"]))
    client.get("/api/groups", headers=bearer(tokens["read"]))
    ApiToken.objects.filter(pk=token.pk).update(window_count=RATE_LIMIT)
    response = client.get("/api/groups", headers=bearer(tokens["read"]))
    assert is_error(response, 429, "rate_limited")["details"]["retry_after"] > 0
    assert response["Retry-After"]
    other = client.get("/api/groups", headers=bearer(tokens["write"]))
    assert other.status_code == 200


def test_lists_of_groups_lessons_signals_and_duo(client, world, tokens):
    h = bearer(tokens["read"])
    assert {g["name"] for g in client.get("/api/groups", headers=h).json()["items"]} == {
        "1A", "2B"}
    lessons = client.get("/api/lessons?date_from=2026-11-18&date_to=2026-11-18", headers=h)
    assert {x["id"] for x in lessons.json()["items"]} == {world.lesson_a.pk, world.lesson_a2.pk}
    for path in ("/api/protocol/signals", "/api/duo/reports", "/api/duo/dossiers"):
        assert client.get(path, headers=h).status_code == 200, path


def test_the_openapi_document_and_docs_are_served(client):
    doc = client.get("/api/openapi.json").json()
    assert "/api/registrations" in doc["paths"]
    assert client.get("/api/docs").status_code == 200


def test_the_command_prints_a_token_that_works(client, world, reasons, capsys):
    call_command("create_api_token", "--school", "11AA", "--scopes", "read", "--name", "SIS")
    raw = [line for line in capsys.readouterr().out.splitlines() if line.startswith("azw_")][0]
    assert client.get("/api/groups", headers=bearer(raw)).status_code == 200

