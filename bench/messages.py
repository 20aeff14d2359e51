"""Benchmark the road from a saved register to an e-mail in a parent's inbox.

Figures (a fresh 600-student demo board in its own SQLite file, an SMTP server on
loopback, a real ``manage.py db_worker`` process with the database task backend, as in
production, and the school's grace period set to zero):

* ``absence_to_email`` — a teacher saves a register of today with one unexplained
  absence (``record_register``); time until the SMTP server has accepted the e-mail to
  the student's parent. Median of 10 runs after one warm-up run, each with another
  student and lesson; target 5,000 ms.
* ``morning_peak_2000`` — 2,000 unexplained-absence e-mails queued in one transaction
  (the absent students of a secondary school, repeated, each with its own dedupe key);
  time from queueing until the SMTP server has accepted all 2,000. One run; target
  60,000 ms.

The path measured is the product's own: the register commits, the task
``queue_unexplained_absences_task`` is enqueued, ``db_worker`` picks it up and queues the
messages, each message enqueues ``deliver_message_task``, and ``db_worker`` sends it
through the e-mail channel. ``db_worker`` polls the task table once a second (its
default), which dominates the first figure.

The database (var/bench/messages.sqlite3) is rebuilt on every run; the 40k board is
not touched. Every process started here is stopped, also when something fails.

Usage: .venv/bin/python bench/messages.py
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "var" / "bench" / "messages.sqlite3"
RUNS = 10
PEAK = 2000
ABSENCE_TIMEOUT_S = 60
PEAK_TIMEOUT_S = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that notes when each recipient's e-mail was accepted."""

    def __init__(self) -> None:
        self.accepted: dict[str, float] = {}
        self.count = 0
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        now = time.perf_counter()
        with self.changed:
            for address in envelope.rcpt_tos:
                self.accepted.setdefault(address.lower(), now)
            self.count += 1
            self.changed.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, addresses: set[str], timeout: float) -> float:
        """Wait until every address has an e-mail; return when the last one was accepted."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not addresses <= self.accepted.keys():
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = len(addresses - self.accepted.keys())
                    raise TimeoutError(f"{missing} of {len(addresses)} e-mails did not arrive")
                self.changed.wait(left)
            return max(self.accepted[a] for a in addresses)


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """Stop a worker we started: SIGTERM, then SIGKILL when it does not go."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    port = free_port()
    DB.parent.mkdir(parents=True, exist_ok=True)
    for path in (DB, DB.with_name(DB.name + "-wal"), DB.with_name(DB.name + "-shm")):
        path.unlink(missing_ok=True)
    os.environ.pop("DATABASE_URL", None)
    os.environ.update({
        "SQLITE_PATH": str(DB),
        "ALLOWED_HOSTS": "testserver",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "false",
        "DEFAULT_FROM_EMAIL": "aanwezig <noreply@bench.example>",
        "LOG_LEVEL": "ERROR",
    })
    os.environ.pop("TASKS_BACKEND", None)  # the database backend, as in production
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "-v0"], ["seed_demo", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([*manage, *command], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    worker = None
    try:
        worker = subprocess.Popen([*manage, "db_worker", "--no-reload", "-v0"], cwd=ROOT)
        return run(inbox, worker)
    finally:
        stop(worker)
        controller.stop()


def run(inbox: Inbox, worker: subprocess.Popen[bytes]) -> int:
    from _common import median_ms, record, setup_django

    setup_django()
    import datetime as dt

    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from aanwezig.attendance.services import MarkInput, record_register
    from aanwezig.notifications import events, texts
    from aanwezig.notifications.config import save_settings
    from aanwezig.notifications.models import Event, Message, MessageStatus, RecipientKind
    from aanwezig.notifications.services import Recipient
    from aanwezig.roster.models import (
        Channel,
        Group,
        Lesson,
        Membership,
        Student,
        active_membership_q,
    )
    from aanwezig.schools.models import Role, School, StaffRole

    def wait_until_idle(timeout: float = 120) -> None:
        """Wait until the worker has run every task and sent every due e-mail."""
        from django_tasks_db.models import DBTaskResult

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                raise RuntimeError(f"db_worker stopped with exit code {worker.returncode}")
            if not (DBTaskResult.objects.ready() | DBTaskResult.objects.running()).exists():
                return
            time.sleep(0.1)
        raise TimeoutError("the worker did not finish its tasks")

    now = timezone.localtime()
    today = now.date()
    # A lesson that started a minute ago: with a grace period of zero it is due at once.
    start = max(dt.datetime.combine(today, dt.time(0)), now.replace(tzinfo=None) - dt.timedelta(minutes=1))
    start_time = start.time().replace(second=0, microsecond=0)
    end_time = dt.time(23, 59)

    school = max(School.objects.annotate(n=Count("students")), key=lambda s: s.n)  # type: ignore[attr-defined]
    teacher = StaffRole.objects.filter(school=school, role=Role.TEACHER).first()
    assert teacher is not None, "the school has no teacher"
    save_settings(school, {"grace_minutes": 0}, actor=None)
    groups = list(Group.objects.filter(school=school).order_by("name"))

    def lesson_today(group: Group, subject: str, start_time: dt.time = start_time) -> Lesson:
        return Lesson.objects.create(
            school=school, date=today, start_time=start_time, end_time=end_time, group=group,
            teacher=teacher.user, subject=subject,
        )

    def minor_members(group: Group) -> list[Student]:
        """The group's students today who are under 18 and have a parent to hear from us."""
        members = Membership.objects.filter(active_membership_q(today), group=group)
        return [s for s in Student.objects.filter(pk__in=members.values("student_id")).order_by("pk")
                if not s.is_adult_on(today) and s.guardian_links.filter(receives_messages=True).exists()]

    groups = [g for g in groups if minor_members(g)]
    print(f"school {school.name}: {Student.objects.filter(school=school).count()} students, "
          f"{len(groups)} groups, lessons of today from {start_time:%H:%M}")
    wait_until_idle()

    # 1. absence_to_email: one unexplained absence per register, each in another group.
    #    The first run warms the worker up and is not counted.
    samples: list[float] = []
    for run, group in enumerate(groups[:RUNS + 1]):
        lesson = lesson_today(group, f"Bench {run}")
        student = minor_members(group)[0]
        addresses = set()
        for n, link in enumerate(student.guardian_links.filter(receives_messages=True)):
            guardian = link.guardian
            guardian.email = f"absence-{run}-{n}@bench.example"
            guardian.preferred_channel = Channel.EMAIL
            guardian.save(update_fields=["email", "preferred_channel"])
            addresses.add(guardian.email)
        first = min(addresses)
        started = time.perf_counter()
        record_register(lesson, actor=teacher.user,
                        entries=[MarkInput(student_id=student.pk, status="absent")])
        accepted = inbox.wait_for({first}, ABSENCE_TIMEOUT_S)
        samples.append((accepted - started) * 1000)
        print(f"  run {run + 1}: {student.full_name}, {samples[-1]:.0f} ms")
        wait_until_idle()
    assert len(samples) == RUNS + 1, f"only {len(samples)} groups with students"
    record("absence_to_email", median_ms=median_ms(samples[1:]), target_ms=5000)

    # 2. morning_peak_2000: make every student of the school absent today first (with a
    #    long grace period, so the worker does not queue messages for them yet) ...
    save_settings(school, {"grace_minutes": 480, "absence_call_task": False}, actor=None)
    absent: list[Student] = []
    # Another start time than the lessons above (one lesson per group and start time).
    peak_start = dt.time(0, 1) if start_time == dt.time(0) else (
        (start - dt.timedelta(minutes=1)).time().replace(second=0, microsecond=0))
    for group in groups:
        members = minor_members(group)
        record_register(lesson_today(group, "Bench peak", peak_start), actor=teacher.user,
                        entries=[MarkInput(student_id=s.pk, status="absent") for s in members])
        absent.extend(members)
    wait_until_idle()
    assert absent, "no absent students"
    # ... then queue 2,000 messages at once, the way the absence event does, and time them.
    addresses = {f"peak-{n}@bench.example" for n in range(PEAK)}
    before = inbox.count
    started = time.perf_counter()
    with transaction.atomic():
        for n in range(PEAK):
            student = absent[n % len(absent)]
            student.school = school
            parent = student.guardian_links.select_related("guardian").first()
            assert parent is not None
            recipient = Recipient(
                kind=RecipientKind.GUARDIAN, guardian=parent.guardian, student=student, staff=None,
                language=parent.guardian.language, channel=Channel.EMAIL,
                address=f"peak-{n}@bench.example",
            )
            context = {**texts.student_context(student, today), "tijd": f"{start_time:%H:%M}",
                       **texts.school_context(school, recipient.language)}
            queued = events._queue_rendered(
                school, Event.UNEXPLAINED_ABSENCE, recipient, context, student=student,
                about_date=today, dedupe_key=f"peak:{n}", urgent=True,
            )
            assert queued is not None
    queued_ms = (time.perf_counter() - started) * 1000
    accepted = inbox.wait_for(addresses, PEAK_TIMEOUT_S)
    elapsed = (accepted - started) * 1000
    wait_until_idle()
    print(f"morning_peak_2000: queued in {queued_ms:.0f} ms, {inbox.count - before} e-mails, "
          f"{Message.objects.filter(status=MessageStatus.SENT, dedupe_key__startswith='peak:').count()} "
          f"rows sent")
    record("morning_peak_2000", median_ms=elapsed, target_ms=60000)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
