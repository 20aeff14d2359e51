"""Attach parents' e-mail replies to their messages: ``manage.py import_replies PATH``.

PATH is an mbox file or a folder of ``.eml`` files exported from the reply inbox. A reply
is matched by its ``In-Reply-To`` or ``References`` header; importing twice is harmless.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aanwezig.notifications.replies import import_replies


class Command(BaseCommand):
    help = "Attach e-mail replies (an mbox file or a folder of .eml files) to their messages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        result = import_replies(path)
        self.stdout.write(f"attached {result.attached}, already known {result.duplicates}, "
                          f"not matched {result.unmatched}")
