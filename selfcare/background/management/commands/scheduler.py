"""`selfcare scheduler [--interval S]`: enqueue periodic tasks when due, and take back tasks of dead workers.

Every worker already does this (it is safe to do from many processes at once, see selfcare/background/schedule.py);
a separate scheduler is for deployments that run workers with --no-schedule, e.g. workers for one queue only.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from selfcare.background.leases import release_expired_leases
from selfcare.background.schedule import tick
from selfcare.schedule import SCHEDULE


class Command(BaseCommand):
    help = "Enqueue periodic tasks when due (every worker also does, unless started with --no-schedule)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between ticks")
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        while True:
            release_expired_leases()
            for name in tick(SCHEDULE):
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            time.sleep(interval)
