"""Periodic tasks, enqueued by the task system itself (no cron lines).

A `Periodic` names a task and how often it is due: `every` a duration (slots counted from the Unix epoch), or
`daily_at` a local time (Europe/Riga; one slot per local date, due from that time on). `tick` enqueues each task
whose current slot has not been enqueued yet. The slot is recorded in the same transaction as the enqueue, with a
unique (name, slot): two processes ticking at once enqueue it once, so every worker may tick (the embedded default)
and a separate `selfcare scheduler` may too. A missed slot (everything stopped over midnight) is enqueued at the
next tick, once; earlier missed slots are not made up, which the daily tasks do not need (each catches up on all
it finds).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task

from selfcare.background.models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Periodic:
    name: str
    task: Task[..., object]
    every: datetime.timedelta | None = None
    daily_at: datetime.time | None = None

    def slot(self, now: datetime.datetime) -> str | None:
        """The current slot's key, or None when today's run is not due yet."""
        if self.every is not None:
            return str(int(now.timestamp() // self.every.total_seconds()))
        assert self.daily_at is not None
        local = timezone.localtime(now)
        return local.date().isoformat() if local.time() >= self.daily_at else None


def tick(schedule: Sequence[Periodic], *, now: datetime.datetime | None = None) -> list[str]:
    """Enqueue what is due; the names enqueued."""
    moment = now or timezone.now()
    enqueued: list[str] = []
    for periodic in schedule:
        slot = periodic.slot(moment)
        if slot is None or PeriodicRun.objects.filter(name=periodic.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(name=periodic.name, slot=slot)
                result = periodic.task.enqueue()
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another process enqueued this slot first
        logger.info("periodic %s enqueued for %s", periodic.name, slot)
        enqueued.append(periodic.name)
    return enqueued
