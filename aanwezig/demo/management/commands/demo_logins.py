"""Print the demo logins: role, username and password."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from aanwezig.accounts.models import User
from aanwezig.demo.seed import DEMO_LOGINS, PASSWORD


class Command(BaseCommand):
    help = "Print the address and the demo logins (created by seed_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/",
                            help="Address of the running site (default http://127.0.0.1:8000/).")

    def handle(self, *args: Any, **options: Any) -> None:
        existing = set(
            User.objects.filter(username__in=[u for _k, u, _l in DEMO_LOGINS])
            .values_list("username", flat=True)
        )
        self.stdout.write(_("Open %(url)s and log in with one of these accounts:") % {"url": options["url"]})
        rows = [(label, username) for _k, username, label in DEMO_LOGINS if username in existing]
        if not rows:
            self.stdout.write(_("No demo logins found; run “manage.py seed_demo” first."))
            return
        width = max(len(label) for label, _u in rows)
        u_width = max(len(u) for _l, u in rows)
        role_h, user_h, password_h = _("Role"), _("Username"), _("Password")
        header = f"  {role_h:<{width}}  {user_h:<{u_width}}  {password_h}"
        self.stdout.write(header)
        self.stdout.write("  " + "-" * (len(header) - 2))
        for label, username in rows:
            self.stdout.write(f"  {label:<{width}}  {username:<{u_width}}  {PASSWORD}")
