"""Roster imports from the set-up admin: an uploaded file becomes a ``RosterImport`` job that
the task worker runs (docs/import-roster.md, "From the admin").

``start_import`` stores the file under ``settings.ROSTER_IMPORT_DIR`` and enqueues
``run_import_task`` once the transaction commits. The task parses the file, runs
``sync_roster`` (a dry run or for real) and stores the report as JSON on the job, or every
located problem when the file is refused. ``repeat_for_real`` runs a dry run's file again,
for real.

Progress: the sync applies the whole file in one transaction, so progress written to the
job's row inside it would only show at the end. Each step is therefore also written to a
small file next to the upload (``<upload>.progress.json``) that ``live_progress`` reads
while the job runs; the row gets the step too whenever no transaction is open.
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from aanwezig.roster.importing.model import Problem, RosterFileError
from aanwezig.roster.importing.sync import (
    Change,
    SyncReport,
    counts_by_kind,
    kind_label,
    sync_roster,
)
from aanwezig.roster.models import ImportFormat, ImportStatus, RosterImport
from aanwezig.schools.models import School
from aanwezig.schools.services import check_administer

log = logging.getLogger(__name__)

#: step -> (percentage reached when the step starts, what people read)
STEPS: dict[str, tuple[int, Any]] = {
    "queued": (0, gettext_lazy("Waiting for the task worker")),
    "parsing": (5, gettext_lazy("Reading the file")),
    "checking": (25, gettext_lazy("Checking every record")),
    "groups": (40, gettext_lazy("Groups")),
    "staff": (50, gettext_lazy("Staff")),
    "students": (60, gettext_lazy("Students")),
    "memberships": (75, gettext_lazy("Group memberships")),
    "guardians": (85, gettext_lazy("Parents and carers")),
    "done": (100, gettext_lazy("Finished")),
}

#: The file name each format must have (folder formats come as a .zip).
EXTENSIONS = {ImportFormat.EDEXML: (".xml",), ImportFormat.ONEROSTER: (".zip",),
              ImportFormat.CSV: (".csv", ".txt")}
MAX_UPLOAD = 200 * 1024 * 1024
#: Changes shown on the report page unless all are asked for.
CHANGES_SHOWN = 200


def step_label(step: str) -> str:
    return str(STEPS[step][1]) if step in STEPS else step


# --- reading: scoped to the schools the user administers ------------------------------------------

def administered_schools(user: Any) -> QuerySet[School]:
    from aanwezig.admin_site import administered_schools as schools

    return schools(user)


def imports_for_user(user: Any) -> QuerySet[RosterImport]:
    return (RosterImport.objects.filter(school__in=administered_schools(user))
            .select_related("school", "uploaded_by"))


def get_import_for_user(user: Any, pk: int) -> RosterImport:
    """The job, or 404 for a missing job and another school's alike."""
    return get_object_or_404(imports_for_user(user), pk=pk)


# --- writing ------------------------------------------------------------------------------------

def _safe_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "upload"
    return base[-100:]


def _absolute(job: RosterImport) -> Path:
    return Path(settings.ROSTER_IMPORT_DIR) / job.path


@transaction.atomic
def start_import(*, actor: Any, school: School, fmt: str, upload: UploadedFile,
                 dry_run: bool) -> RosterImport:
    """Store ``upload`` and queue its import; refuse a file of the wrong kind in Dutch."""
    check_administer(actor, school)
    if fmt not in ImportFormat.values:
        raise ValidationError({"format": _("Choose one of the formats.")})
    name = upload.name or ""
    extensions = EXTENSIONS[ImportFormat(fmt)]
    if not name.lower().endswith(extensions):
        raise ValidationError({"file": _("This format needs a file ending in %(ext)s.")
                               % {"ext": " / ".join(extensions)}})
    if upload.size is not None and upload.size > MAX_UPLOAD:
        raise ValidationError({"file": _("The file is larger than 200 MB.")})
    relative = Path(uuid.uuid4().hex) / _safe_name(name)
    target = Path(settings.ROSTER_IMPORT_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = RosterImport.objects.create(
        school=school, uploaded_by=actor if getattr(actor, "pk", None) else None, format=fmt,
        file_name=Path(name).name[:200], path=str(relative), dry_run=dry_run,
        step="queued")
    _enqueue(job)
    return job


@transaction.atomic
def repeat_for_real(job: RosterImport, *, actor: Any) -> RosterImport:
    """Import a finished dry run's file for real, as a new job."""
    check_administer(actor, job.school)
    if not job.dry_run or job.status != ImportStatus.DONE:
        raise ValidationError(_("Only a finished dry run can be imported for real."))
    if not _absolute(job).exists():
        raise ValidationError(_("The uploaded file is no longer there; upload it again."))
    again = RosterImport.objects.create(
        school=job.school, uploaded_by=actor if getattr(actor, "pk", None) else None,
        format=job.format, file_name=job.file_name, path=job.path, dry_run=False, repeats=job,
        step="queued")
    _enqueue(again)
    return again


def _enqueue(job: RosterImport) -> None:
    job_id = job.pk
    transaction.on_commit(lambda: run_import_task.enqueue(job_id))


# --- running ------------------------------------------------------------------------------------

def _progress_file(job: RosterImport) -> Path:
    return _absolute(job).with_name(_absolute(job).name + f".{job.pk}.progress.json")


def _set_step(job: RosterImport, step: str) -> None:
    percent = STEPS[step][0]
    job.step, job.progress = step, percent
    path = _progress_file(job)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"step": step, "progress": percent}), encoding="utf-8")
    os.replace(tmp, path)
    if not connection.in_atomic_block:
        RosterImport.objects.filter(pk=job.pk).update(step=step, progress=percent)


def live_progress(job: RosterImport) -> tuple[int, str]:
    """(percentage, step) of the job now, also while the sync's transaction is open."""
    if job.status == ImportStatus.RUNNING:
        try:
            data = json.loads(_progress_file(job).read_text(encoding="utf-8"))
            return int(data["progress"]), str(data["step"])
        except (OSError, ValueError, KeyError):
            pass
    return job.progress, job.step


def _parse(job: RosterImport) -> Any:
    from aanwezig.roster.management.commands.import_roster import load_parser

    if job.format == "oneroster":
        # A set with several schools: read the one this job imports into.
        return load_parser(job.format).parse(_absolute(job), school=job.school.brin)
    return load_parser(job.format).parse(_absolute(job))


def report_json(report: SyncReport) -> dict[str, Any]:
    totals = report.totals()
    return {
        "source": report.source, "school_year": report.school_year, "dry_run": report.dry_run,
        "changed": report.changed,
        "counts": {kind: vars(c) for kind, c in counts_by_kind(report).items()},
        "totals": vars(totals),
        "changes": [vars(change) for change in report.changes],
        "warnings": [vars(w) for w in report.warnings],
    }


def problems_json(problems: list[Problem]) -> list[dict[str, str]]:
    return [vars(p) for p in problems]


def run_import(job: RosterImport) -> RosterImport:
    """Parse and sync the job's file; store the report or the problems on the job."""
    if job.status != ImportStatus.QUEUED:
        return job
    actor = job.uploaded_by
    job.status = ImportStatus.RUNNING
    job.save(update_fields=["status"])
    try:
        with translation.override(settings.LANGUAGE_CODE):
            _set_step(job, "parsing")
            roster = _parse(job)
            report = sync_roster(job.school, roster, actor=actor, today=timezone.localdate(),
                                 dry_run=job.dry_run, progress=lambda step: _set_step(job, step))
    except RosterFileError as exc:
        job.status, job.problems = ImportStatus.REFUSED, problems_json(exc.problems)
    except Exception:
        log.exception("roster import %s failed", job.pk)
        job.status = ImportStatus.FAILED
    else:
        job.status, job.report = ImportStatus.DONE, report_json(report)
    job.step, job.progress, job.finished_at = "done", 100, timezone.now()
    job.save(update_fields=["status", "report", "problems", "step", "progress", "finished_at"])
    _progress_file(job).unlink(missing_ok=True)
    return job


@task()
def run_import_task(import_id: int) -> str:
    """Task: run one roster import; returns its status."""
    job = RosterImport.objects.select_related("school", "uploaded_by").get(pk=import_id)
    return str(run_import(job).status)


# --- the report, for the page --------------------------------------------------------------------

def report_view(job: RosterImport, *, all_changes: bool = False) -> dict[str, Any]:
    """What the report page shows, in the active language."""
    report = job.report or {}
    counts = [{"label": kind_label(kind), **values}
              for kind, values in report.get("counts", {}).items()]
    changes = [str(Change(**c)) for c in report.get("changes", [])]
    shown = changes if all_changes else changes[:CHANGES_SHOWN]
    return {
        "counts": counts,
        "totals": report.get("totals", {}),
        "changed": report.get("changed", False),
        "school_year": report.get("school_year", ""),
        "warnings": [str(Problem(**w)) for w in report.get("warnings", [])],
        "changes": shown,
        "more_changes": len(changes) - len(shown),
        "problems": [Problem(**p) for p in job.problems or []],
    }
