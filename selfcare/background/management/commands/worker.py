"""`selfcare worker [--interval S] [--no-schedule] [--queue-name Q] [--once]`: run background tasks.

Each pass (selfcare/background/worker.py) takes back the tasks of dead workers, enqueues the periodic tasks that
are due unless --no-schedule (safe in every worker at once, see selfcare/background/schedule.py), and runs every
ready task; then it waits --interval seconds when the queue was empty.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from selfcare.background.worker import run_pass
from selfcare.schedule import SCHEDULE


class Command(BaseCommand):
    help = "Run background tasks (SMS, e-mail, expiry, imports) and enqueue the periodic ones when due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--queue-name", default="*", help="queues to run, comma-separated; '*' all")
        parser.add_argument("--no-schedule", action="store_true", help="leave periodic tasks to `selfcare scheduler`")
        parser.add_argument("--once", action="store_true", help="run what is due, then exit")
        # `make run` starts the worker beside the portal: it ends with that make, whichever way make ends.
        parser.add_argument("--while-pid", type=int, default=0, help="exit once this process is gone")

    def handle(
        self, *args: Any, interval: float, queue_name: str, no_schedule: bool, once: bool, while_pid: int, **o: Any
    ) -> None:
        worker_id = get_random_string(32)
        # The library's worker logs its start and its empty queue at every pass; each task's start and end (the
        # "django_tasks" logger) is what an operator reads.
        logging.getLogger("django_tasks_db").setLevel(logging.DEBUG if o["verbosity"] > 1 else logging.WARNING)
        self.stdout.write(f"worker {worker_id} on the {settings.TASKS_BACKEND} task backend")
        while True:
            worker = run_pass(
                worker_id=worker_id,
                queue_names=queue_name.split(","),
                schedule=() if no_schedule else SCHEDULE,
                signals=True,
            )
            if once or not worker.running or (while_pid and not _alive(while_pid)):
                return
            time.sleep(interval)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
