"""Reads of the task queue for the `tasks` command and the back office's queue page."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Q
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

RETRIED = "selfcare.background.tasks.RetryScheduled"


@dataclass(frozen=True, slots=True)
class StateCount:
    task: str
    state: str  # ready, running, failed (final), retried (an attempt followed by another), successful
    count: int


@dataclass(frozen=True, slots=True)
class Failure:
    task: str
    finished_at: datetime.datetime
    error: str  # the exception's class, never its message: it may hold personal data


def queue_counts() -> list[StateCount]:
    rows = (
        DBTaskResult.objects.values("task_path", "status")
        .annotate(count=Count("id"), retried=Count("id", filter=Q(exception_class_path=RETRIED)))
        .order_by("task_path", "status")
    )
    counts: list[StateCount] = []
    for row in rows:
        task = row["task_path"]
        if row["status"] == TaskResultStatus.FAILED:
            if row["retried"]:
                counts.append(StateCount(task, "retried", row["retried"]))
            if row["count"] - row["retried"]:
                counts.append(StateCount(task, "failed", row["count"] - row["retried"]))
        else:
            counts.append(StateCount(task, str(row["status"]).lower(), row["count"]))
    return counts


def latest_failures(*, limit: int) -> list[Failure]:
    failed = DBTaskResult.objects.failed().exclude(exception_class_path=RETRIED).order_by("-finished_at")[:limit]
    return [Failure(row.task_path, row.finished_at or row.enqueued_at, row.exception_class_path) for row in failed]


def queue_ready() -> bool:
    """Whether tasks can be enqueued: for the database backend, its table answers (a database that is up but was
    not migrated, or a backend that is not the database, counts as it should). Other backends are taken as ready."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return True
    try:
        DBTaskResult.objects.filter(pk__isnull=True).exists()
    except DatabaseError:
        logger.warning("readiness: task queue unavailable", exc_info=True)
        return False
    return True
