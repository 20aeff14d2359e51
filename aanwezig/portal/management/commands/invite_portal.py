"""Invite a school's parents to the portal: ``manage.py invite_portal --school BRIN [--dry-run]``.

Every parent or carer of a student enrolled today who has an e-mail address and no account
yet gets an account and an invitation (a link valid for 7 days) through the message
pipeline; an adult student's parents only with the student's consent to contact. Running
it again invites only who is new. Links start with ``SITE_URL``. Messages come out in
Dutch unless another language is active.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from aanwezig.portal import signin
from aanwezig.schools.management.commands.create_school_year import find_school


class Command(BaseCommand):
    help = "Invite the parents of a school's students to the portal (account + e-mail link)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="BRIN, or BRIN plus vestiging")
        parser.add_argument("--dry-run", action="store_true",
                            help="count who would be invited, but write and send nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        school = find_school(options["school"])
        now = timezone.now()
        students = signin.current_students(school, timezone.localdate(now))
        report = signin.invite_guardians(school, students, actor=None,
                                         dry_run=options["dry_run"], now=now)
        for problem in report.problems:
            self.stderr.write(problem)
        counts = report.counts
        summary = _(
            "%(school)s: %(invited)s invited, %(has_account)s already have an account, "
            "%(no_email)s without e-mail address, %(no_consent)s may not be contacted, "
            "%(refused)s refused."
        ) % {"school": school.name, "invited": counts["invited"],
             "has_account": counts["has_account"], "no_email": counts["no_email"],
             "no_consent": counts["no_consent"], "refused": counts["refused"]}
        if options["dry_run"]:
            summary = _("Dry run, nothing written or sent. %(summary)s") % {"summary": summary}
        self.stdout.write(self.style.SUCCESS(summary))
