"""Roster import from the set-up admin: upload, the job in the task worker, the report."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aanwezig.roster.importing import jobs, oneroster
from aanwezig.roster.models import ImportStatus, RosterImport, Student
from conftest import TODAY

SAMPLE = Path(oneroster.__file__).resolve().parent / "samples" / "oneroster-1.2"
SAMPLE_KEYS = ["1001", "1002", "1003", "1004"]


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ROSTER_IMPORT_DIR = tmp_path / "imports"
    settings.LANGUAGE_CODE = "en"  # English source strings: independent of the catalogue
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=False):
        yield


def sample_zip(edit: tuple[str, str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(SAMPLE.iterdir()):
            text = path.read_text(encoding="utf-8")
            if edit and edit[0] == path.name:
                assert edit[1] in text
                text = text.replace(edit[1], edit[2])
            archive.writestr(path.name, text)
    return buffer.getvalue()


def upload(client, school, content: bytes, *, dry_run: bool, name: str = "export.zip",
           fmt: str = "oneroster", capture=None):
    data = {"school": school.pk, "format": fmt,
            "file": SimpleUploadedFile(name, content, content_type="application/zip")}
    if dry_run:
        data["dry_run"] = "on"
    with capture(execute=True):
        return client.post(reverse("admin:roster_import_start"), data)


def sample_students(school):
    return Student.objects.filter(school=school, school_key__in=SAMPLE_KEYS)


def test_upload_runs_the_job_and_shows_the_report(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.admin_a)
    response = upload(client, world.school_a, sample_zip(), dry_run=False,
                      capture=django_capture_on_commit_callbacks)
    job = RosterImport.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("admin:roster_import", args=[job.pk])
    assert (job.status, job.progress, job.dry_run) == (ImportStatus.DONE, 100, False)
    assert job.uploaded_by == world.admin_a and job.finished_at is not None
    assert job.report["counts"]["student"]["created"] == 4
    assert sample_students(world.school_a).count() == 4
    assert (Path(jobs.settings.ROSTER_IMPORT_DIR) / job.path).exists()

    page = client.get(response.headers["Location"]).content.decode()
    assert "Import finished" in page
    assert "<td>students</td>" in page  # the counts, per kind
    assert 'value="100"' in page and "hx-trigger" not in page  # finished: no more polling
    assert "new: " in page  # the list of changes
    assert "Import for real" not in page  # only after a dry run


def test_a_running_job_shows_its_progress_and_keeps_polling(world, client):
    client.force_login(world.admin_a)
    job = RosterImport.objects.create(school=world.school_a, format="oneroster",
                                      file_name="x.zip", path="x/x.zip",
                                      status=ImportStatus.RUNNING, progress=60, step="students")
    page = client.get(reverse("admin:roster_import", args=[job.pk]))
    body = page.content.decode()
    assert '<progress value="60" max="100"' in body
    assert "Students" in body and 'hx-trigger="every 1s"' in body
    assert "vendor/htmx/htmx.min.js" in body
    # the htmx poll gets only the status part
    part = client.get(reverse("admin:roster_import", args=[job.pk]), headers={"HX-Request": "true"})
    assert part.content.decode().lstrip().startswith('<div id="import-status"')


def test_progress_inside_the_sync_is_read_from_the_progress_file(world, settings):
    job = RosterImport.objects.create(school=world.school_a, format="oneroster",
                                      file_name="x.zip", path="x/x.zip",
                                      status=ImportStatus.RUNNING)
    (Path(settings.ROSTER_IMPORT_DIR) / "x").mkdir(parents=True)
    jobs._set_step(job, "memberships")
    job.refresh_from_db()
    assert jobs.live_progress(job) == (75, "memberships")


def test_the_sync_reports_every_step_to_the_job(world, client, django_capture_on_commit_callbacks,
                                                monkeypatch):
    seen = []
    real = jobs._set_step

    def record(job, step):
        seen.append(step)
        real(job, step)

    monkeypatch.setattr(jobs, "_set_step", record)
    client.force_login(world.admin_a)
    upload(client, world.school_a, sample_zip(), dry_run=True,
           capture=django_capture_on_commit_callbacks)
    assert seen == ["parsing", "checking", "groups", "staff", "students", "memberships",
                    "guardians"]


def test_a_refused_file_shows_every_located_problem_and_changes_nothing(
        world, client, django_capture_on_commit_callbacks):
    before = Student.objects.count()
    client.force_login(world.admin_a)
    bad = sample_zip(("enrollments.csv", "e-07,,,cls-1b,", "e-07,,,cls-9z,"))
    upload(client, world.school_a, bad, dry_run=False, capture=django_capture_on_commit_callbacks)
    job = RosterImport.objects.get()
    assert job.status == ImportStatus.REFUSED and job.report == {}
    assert job.problems and all(p["file"] and p["where"] for p in job.problems)
    assert Student.objects.count() == before
    page = client.get(reverse("admin:roster_import", args=[job.pk])).content.decode()
    assert "nothing was imported" in page
    assert "enrollments.csv" in page and "cls-9z" in page


def test_a_dry_run_writes_nothing_and_import_for_real_imports(
        world, client, django_capture_on_commit_callbacks):
    client.force_login(world.admin_a)
    upload(client, world.school_a, sample_zip(), dry_run=True,
           capture=django_capture_on_commit_callbacks)
    dry = RosterImport.objects.get()
    assert dry.status == ImportStatus.DONE and dry.dry_run
    assert dry.report["counts"]["student"]["created"] == 4
    assert not sample_students(world.school_a).exists()
    page = client.get(reverse("admin:roster_import", args=[dry.pk])).content.decode()
    assert "Import for real" in page and "nothing was written" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:roster_import_for_real", args=[dry.pk]))
    real = RosterImport.objects.exclude(pk=dry.pk).get()
    assert response.headers["Location"] == reverse("admin:roster_import", args=[real.pk])
    assert (real.dry_run, real.repeats, real.status) == (False, dry, ImportStatus.DONE)
    assert real.report["counts"] == dry.report["counts"]
    assert sample_students(world.school_a).count() == 4
    # a real import cannot be repeated "for real" again
    client.post(reverse("admin:roster_import_for_real", args=[real.pk]))
    assert RosterImport.objects.count() == 2


def test_only_the_first_changes_are_listed_unless_all_are_asked_for(world, client):
    client.force_login(world.admin_a)
    changes = [{"kind": "student", "record": f"Leerling {i:03}", "action": "created"}
               for i in range(250)]
    job = RosterImport.objects.create(
        school=world.school_a, format="oneroster", file_name="x.zip", path="x/x.zip",
        status=ImportStatus.DONE, progress=100, dry_run=False,
        report={"changed": True, "counts": {"student": {"created": 250, "updated": 0,
                                                        "unchanged": 0, "ended": 0}},
                "changes": changes, "warnings": []})
    url = reverse("admin:roster_import", args=[job.pk])
    page = client.get(url).content.decode()
    assert "Leerling 199" in page and "Leerling 200" not in page
    assert "Show all changes (50 more)" in page
    assert "Leerling 249" in client.get(url + "?all=1").content.decode()


def test_a_file_of_the_wrong_kind_is_refused_on_the_form(world, client,
                                                         django_capture_on_commit_callbacks):
    client.force_login(world.admin_a)
    response = upload(client, world.school_a, b"<x/>", dry_run=True, name="school.xml",
                      capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert ".zip" in response.content.decode()
    assert not RosterImport.objects.exists()


@pytest.mark.parametrize("persona", ["teacher_a", "officer_a", "parent_user"])
def test_others_than_administrators_get_the_admin_refusal(world, client, persona):
    client.force_login(getattr(world, persona))
    job = RosterImport.objects.create(school=world.school_a, format="oneroster",
                                      file_name="x.zip", path="x/x.zip")
    for url in (reverse("admin:roster_import_start"),
                reverse("admin:roster_import", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse("admin:login"))
    client.post(reverse("admin:roster_import_for_real", args=[job.pk]))
    assert RosterImport.objects.count() == 1


def test_another_schools_administrator_gets_404_and_cannot_choose_the_school(
        world, client, django_capture_on_commit_callbacks):
    from aanwezig.schools.models import Role
    from aanwezig.testing import factories

    admin_b = factories.make_staff(world.school_b, Role.ADMINISTRATOR)
    job = RosterImport.objects.create(school=world.school_a, format="oneroster",
                                      file_name="x.zip", path="x/x.zip",
                                      status=ImportStatus.DONE, dry_run=True)
    client.force_login(admin_b)
    assert client.get(reverse("admin:roster_import", args=[job.pk])).status_code == 404
    assert client.post(reverse("admin:roster_import_for_real", args=[job.pk])).status_code == 404
    response = upload(client, world.school_a, sample_zip(), dry_run=False,
                      capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200  # the school is not a valid choice
    assert RosterImport.objects.count() == 1
    assert not sample_students(world.school_a).exists()
    page = client.get(reverse("admin:roster_import_start")).content.decode()
    assert world.school_a.name not in page


def test_the_admin_index_links_to_the_import(world, client):
    client.force_login(world.admin_a)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:roster_import_start") in page
