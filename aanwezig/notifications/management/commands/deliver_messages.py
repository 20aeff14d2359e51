"""Deliver due outbox messages once, or keep doing so (``--loop SECONDS``) under systemd.

The task queue delivers new messages right after they are written; this command is the
safety net that also sends what the queue cannot: retries after back-off, text messages
held until the quiet hours end, and messages left behind by a worker that died.
"""

from __future__ import annotations

import datetime as dt
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from aanwezig.notifications.channels import reset_transports
from aanwezig.notifications.delivery import STALE_AFTER, deliver_due

BATCH = 100


class Command(BaseCommand):
    help = "Deliver queued messages that are due (once, or every SECONDS with --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=float, metavar="SECONDS",
                            help="Keep running; look for due messages every SECONDS.")
        parser.add_argument("--stale-after", type=float, metavar="SECONDS",
                            default=STALE_AFTER.total_seconds(),
                            help="Resend messages left in 'sending' for this long "
                                 "(a worker died mid-send). Default: %(default)s.")

    def handle(self, *args: Any, **options: Any) -> None:
        stale_after = dt.timedelta(seconds=options["stale_after"])
        interval = options["loop"]
        self.stopping = False
        if interval is not None:
            # Finish the message in hand, then stop: systemd sends SIGTERM on stop.
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        total = 0
        try:
            while True:
                close_old_connections()
                sent = deliver_due(BATCH, stale_after=stale_after)
                total += sent
                if interval is None:
                    if sent < BATCH:
                        break
                    continue
                if self.stopping:
                    break
                if sent < BATCH:
                    self._sleep(interval)
                if self.stopping:
                    break
        finally:
            reset_transports()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Delivered {total} message(s).")

    def _stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()))
