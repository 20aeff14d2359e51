"""An administrator uploads the OneRoster 1.2 sample in the set-up admin, follows the progress
bar while the task worker runs, reads the report and imports for real."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from aanwezig.roster.importing import jobs, oneroster
from aanwezig.roster.models import ImportStatus, RosterImport, Student
from conftest import TODAY
from tests.browser.helpers import login, screenshot

SAMPLE = Path(oneroster.__file__).resolve().parent / "samples" / "oneroster-1.2"


def sample_zip(folder: Path) -> Path:
    target = folder / "oneroster-1.2.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(SAMPLE.iterdir()):
            archive.write(path, path.name)
    return target


def run_queued_jobs() -> None:
    """What the task worker does (the test's task backend only records the enqueue)."""
    for job in RosterImport.objects.filter(status=ImportStatus.QUEUED):
        jobs.run_import(job)


@pytest.mark.browser
def test_administrator_imports_the_oneroster_sample(live_server, world, page, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.ROSTER_IMPORT_DIR = tmp_path / "imports"
    archive = sample_zip(tmp_path)
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10, 0)), tick=True):
        login(page, live_server, world.admin_a.username)
        page.goto(live_server.url + reverse("admin:index"))
        page.locator(f"a[href='{reverse('admin:roster_import_start')}']").first.click()

        page.select_option("select[name=format]", "oneroster")
        page.set_input_files("input[name=file]", str(archive))
        expect(page.locator("input[name=dry_run]")).to_be_checked()
        screenshot(page, "roster-import-form.png")
        page.locator("input[type=submit]").click()

        # Waiting for the worker: a progress bar that follows the job by itself.
        status = page.locator("#import-status")
        expect(status.locator("progress")).to_have_attribute("value", "0")
        expect(status).to_have_attribute("hx-trigger", "every 1s")
        screenshot(page, "roster-import-progress.png")

        run_queued_jobs()
        # htmx swaps in the report without a reload.
        expect(status.locator("table.counts")).to_be_visible()
        expect(status.locator("progress")).to_have_attribute("value", "100")
        expect(status.locator("ul.changes li").first).to_be_visible()
        assert not Student.objects.filter(school=world.school_a, school_key="1001").exists()
        screenshot(page, "roster-import-dry-run-report.png")

        page.locator("form[action$='/for-real/'] input[type=submit]").click()
        expect(page.locator("#import-status progress")).to_be_visible()
        run_queued_jobs()
        expect(page.locator("#import-status table.counts")).to_be_visible()
        expect(page.locator("form[action$='/for-real/']")).to_have_count(0)
        screenshot(page, "roster-import-done.png")
    assert Student.objects.filter(school=world.school_a, school_key="1001").exists()
