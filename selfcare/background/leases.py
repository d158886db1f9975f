"""Taking back tasks whose worker died.

django-tasks' database worker marks a task RUNNING when it claims it and nothing else: a worker killed mid-task
(SIGKILL, out of memory, the host gone) leaves it RUNNING for ever. A claim is therefore treated as a lease of
`TASKS_LEASE_SECONDS`: past it the task is READY again and the next worker runs it. The lease must be longer than
any task runs (a usage file import is the longest); a task that outlives it may run twice, which its idempotent
side effects make harmless.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def release_expired_leases(*, now: datetime.datetime | None = None) -> int:
    moment = now or timezone.now()
    expired = DBTaskResult.objects.running().filter(
        started_at__lt=moment - datetime.timedelta(seconds=settings.TASKS_LEASE_SECONDS)
    )
    released = expired.update(status=TaskResultStatus.READY, started_at=None)
    if released:
        logger.warning("released %s task(s) whose worker stopped answering", released)
    return released
