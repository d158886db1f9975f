"""A worker killed mid-task (a real `selfcare worker` process, SIGKILL) and the work done exactly once.

The task imports a usage file in many small batches; the worker is killed once some batches are recorded. The
killed worker's claim is a lease (TASKS_LEASE_SECONDS, 1 s here): a new worker takes the task back and runs it
again, and the import, idempotent by event id, records exactly the rest. No event is lost or counted twice.

The workers are other processes, so they need the test's database: on PostgreSQL the test database itself (this
test commits); on SQLite the in-memory test database is copied to a file for them and copied back afterwards.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from selfcare.customers.tests import factories
from selfcare.tests.subprocess_django import ROOT
from selfcare.usage.models import DailyUsage, UsageEvent
from selfcare.usage.tasks import import_usage_file

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "+37125500001"
EVENTS = 20_000
BATCH = 500
QUANTITY = 1000


class SharedDatabase:
    """The test database as other processes reach it: `env` for them, `query` to watch, `take_back` at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.sqlite = connection.vendor == "sqlite"
        self.file = tmp_path / "shared.sqlite3"

    def share(self) -> dict[str, str]:
        if self.sqlite:
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)
            return {"DATABASE_URL": f"sqlite:///{self.file}"}
        s = connection.settings_dict
        host, port = s["HOST"] or "127.0.0.1", s["PORT"] or "5432"
        return {"DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{port}/{s['NAME']}"}

    def query(self, sql: str) -> Any:
        if self.sqlite:
            with sqlite3.connect(self.file, timeout=20) as db:
                return db.execute(sql).fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    def take_back(self) -> None:
        if self.sqlite:
            with sqlite3.connect(self.file) as source:
                source.backup(connection.connection)


@pytest.fixture
def shared(tmp_path: Path, queue: None) -> SharedDatabase:
    connection.ensure_connection()
    return SharedDatabase(tmp_path)


@pytest.fixture
def start_worker(shared: SharedDatabase) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    env: dict[str, str] = {}

    def start(*args: str) -> subprocess.Popen[str]:
        if not env:
            env.update(shared.share())
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR", "SELFCARE_PKI_DIR")}
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "selfcare", "worker", "--no-schedule", "--interval", "0.1", *args],
            env=keep
            | env
            | {
                "DEBUG": "true",
                "SELFCARE_DEMO": "true",
                "SECRET_KEY": "test-only-secret-key-not-for-production-0123456789",
                "SELFCARE_VAR_DIR": str(ROOT / "var"),
                "TASKS_BACKEND": "database",
                "TASKS_LEASE_SECONDS": "1",
                "USAGE_IMPORT_BATCH_ROWS": str(BATCH),
            },
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _usage_file(tmp_path: Path) -> Path:
    lines = ["event_id,msisdn,type,zone,started_at,quantity"]
    lines += [
        f"pgw1:kill:{n},{NUMBER},data,domestic,2026-11-{3 + n % 20:02d}T10:{n % 60:02d}:00+02:00,{QUANTITY}"
        for n in range(EVENTS)
    ]
    path = tmp_path / "usage.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _wait(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.02)


def test_a_worker_killed_mid_import_leaves_the_task_to_the_next_worker_which_records_each_event_once(
    tmp_path: Path, shared: SharedDatabase, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    factories.connection(account=factories.business_account(), msisdn=NUMBER)
    result = import_usage_file.enqueue(str(_usage_file(tmp_path)))

    first = start_worker()
    _wait(lambda: shared.query("SELECT COUNT(*) FROM usage_usageevent") >= 2 * BATCH, "the first batches")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    recorded_by_the_first = shared.query("SELECT COUNT(*) FROM usage_usageevent")
    assert 0 < recorded_by_the_first < EVENTS, "the worker was to be killed in the middle of the import"
    assert shared.query("SELECT status FROM django_tasks_database_dbtaskresult") == "RUNNING"  # the only task

    time.sleep(1.5)  # the dead worker's lease runs out
    second = start_worker("--once")
    output, _ = second.communicate(timeout=300)
    assert second.returncode == 0, output
    shared.take_back()

    task = DBTaskResult.objects.get(id=result.id)
    assert task.status == TaskResultStatus.SUCCESSFUL, task.traceback
    assert len(task.worker_ids) == 2  # claimed by the killed worker, then by the new one
    assert UsageEvent.objects.count() == EVENTS
    assert DailyUsage.objects.aggregate(total=Sum("quantity"))["total"] == EVENTS * QUANTITY
