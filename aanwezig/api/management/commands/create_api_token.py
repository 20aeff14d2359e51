"""``manage.py create_api_token --school BRIN --scopes read,write --name "Rooster"``:
make an API token for a school and print it once (only its hash is stored)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aanwezig.api.services import create_token
from aanwezig.schools.models import School


class Command(BaseCommand):
    help = "Make an API token for a school and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="the school's BRIN")
        parser.add_argument("--scopes", default="read", help="read, write or read,write")
        parser.add_argument("--name", default="API", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(brin=options["school"]).first()
        if school is None:
            raise CommandError(f"No school with BRIN {options['school']}.")
        try:
            token, raw = create_token(school, name=options["name"], scopes=options["scopes"],
                                      actor=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Token {token.name} for {school} ({','.join(token.scopes)}):")
        self.stdout.write(raw)
        self.stdout.write("Store it now: it is not shown again.")
