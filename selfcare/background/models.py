from __future__ import annotations

from django.db import models


class PeriodicRun(models.Model):
    """One periodic task enqueued for one slot (e.g. "mandates.expire" for 2026-12-03): the unique pair is what
    keeps several schedulers from enqueueing it twice."""

    name = models.CharField(max_length=100)
    slot = models.CharField(max_length=40)
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="periodic_run_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot}"
