"""Periodic tasks are enqueued by the task system on their schedule: once per slot, whoever ticks."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from selfcare.background.models import PeriodicRun
from selfcare.background.schedule import tick
from selfcare.schedule import SCHEDULE
from selfcare.tests.clock import riga

pytestmark = pytest.mark.django_db

EXPIRE = "selfcare.mandates.tasks.expire_mandates_task"
SWEEP = "selfcare.binding.tasks.sweep_queued_sms"


def _enqueued(path: str) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


def _tick_at(moment: datetime.datetime) -> list[str]:
    with time_machine.travel(moment, tick=False):
        return tick(SCHEDULE)


def test_the_daily_expiry_is_enqueued_once_after_five_past_midnight_in_riga_and_again_the_next_night(
    queue: None,
) -> None:
    assert "mandates.expire" not in _tick_at(riga(2027, 1, 1, 0, 4))
    assert _enqueued(EXPIRE) == 0

    assert "mandates.expire" in _tick_at(riga(2027, 1, 1, 0, 6))
    assert "mandates.expire" not in _tick_at(riga(2027, 1, 1, 23, 59))
    assert _enqueued(EXPIRE) == 1

    # Riga's new day starts while UTC is still on the old one: the slot is Riga's date.
    assert "mandates.expire" in _tick_at(riga(2027, 1, 2, 0, 6))
    assert _enqueued(EXPIRE) == 2
    assert list(PeriodicRun.objects.filter(name="mandates.expire").values_list("slot", flat=True).order_by("slot")) == [
        "2027-01-01",
        "2027-01-02",
    ]


def test_the_sms_sweep_is_enqueued_every_minute_and_a_second_scheduler_in_the_same_minute_adds_nothing(
    queue: None,
) -> None:
    _tick_at(riga(2027, 3, 28, 4, 30))
    _tick_at(riga(2027, 3, 28, 4, 30) + datetime.timedelta(seconds=30))  # another process, same minute
    assert _enqueued(SWEEP) == 1
    _tick_at(riga(2027, 3, 28, 4, 31))
    assert _enqueued(SWEEP) == 2


def test_with_the_immediate_backend_a_due_periodic_task_runs_at_the_tick(settings: Any) -> None:
    assert settings.TASKS_BACKEND == "immediate"
    with time_machine.travel(riga(2027, 6, 15, 1, 30), tick=False):
        assert "mandates.expire" in tick(SCHEDULE)
    assert PeriodicRun.objects.filter(name="mandates.expire", slot="2027-06-15").exists()


def test_the_daily_prune_deletes_successful_tasks_after_a_week_and_failed_ones_after_a_month(queue: None) -> None:
    from django.utils import timezone
    from django_tasks import TaskResultStatus

    from selfcare.background.prune import prune_finished_tasks

    def finished(days_ago: int, status: str) -> None:
        at = timezone.now() - datetime.timedelta(days=days_ago)
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path=SWEEP,
            backend_name="default",
            run_after=at,
            status=status,
            finished_at=at,
        )

    finished(8, TaskResultStatus.SUCCESSFUL)
    finished(6, TaskResultStatus.SUCCESSFUL)
    finished(8, TaskResultStatus.FAILED)
    finished(31, TaskResultStatus.FAILED)
    prune_finished_tasks.call()
    left = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert left == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
