"""Finished tasks are kept for a while and then deleted: the queue's table must not grow without end, and a task's
arguments can hold personal data (an e-mail task's address and text)."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.management import call_command

from selfcare.background.tasks import retrying_task

SUCCESSFUL_KEPT_DAYS = 7
FAILED_KEPT_DAYS = 30  # long enough for someone to look at a failure


@retrying_task(attempts=1, backoff=60)
def prune_finished_tasks() -> str:
    if settings.TASKS_BACKEND != "database":
        return "not the database backend: nothing kept"
    out = io.StringIO()
    call_command(
        "prune_db_task_results",
        "--min-age-days",
        str(SUCCESSFUL_KEPT_DAYS),
        "--failed-min-age-days",
        str(FAILED_KEPT_DAYS),
        stdout=out,
    )
    return out.getvalue().strip()
