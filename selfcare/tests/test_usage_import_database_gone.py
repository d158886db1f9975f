"""The database going away in the middle of a usage import (any database; the fault at the DB-API boundary as in
test_database_gone.py): the command says so clearly, what is recorded is whole batches with their counters, and
running the same import again records exactly the rest: no event lost, none counted twice."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.db.models import F, Sum

from selfcare.customers.tests import factories
from selfcare.usage.models import Bucket, UsageEvent

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = "+37125500001"
QUANTITIES = [1_048_576 * (n + 1) for n in range(6)]


def _file(tmp_path: Path) -> Path:
    lines = ["event_id,msisdn,type,zone,started_at,quantity"]
    lines += [
        f"pgw1:load:{n},{NUMBER},data,domestic,2026-11-03T0{n}:15:00+02:00,{quantity}"
        for n, quantity in enumerate(QUANTITIES)
    ]
    path = tmp_path / "usage.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(path: Path) -> None:
    call_command("usage", "import", "--no-progress", "--batch-rows", "2", str(path), stdout=io.StringIO())


def _gone_at_the_second_batch(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
    """The connection drops when the second batch (events 2 and 3) starts writing: on SQLite its INSERT carries
    their ids; on PostgreSQL its events go in with COPY (not seen here), but its first statement, the look-up of a
    few of its ids in the key table, carries them too."""
    if "pgw1:load:2" in str(params):
        raise OperationalError("server closed the connection unexpectedly")
    return execute(sql, params, many, ctx)


def _data_counted() -> int:
    total = Bucket.objects.filter(kind="data").aggregate(total=Sum(F("used") + F("out_of_bucket")))["total"]
    return int(total or 0)


def test_an_import_cut_off_by_the_database_leaves_whole_batches_and_a_rerun_records_exactly_the_rest(
    tmp_path: Path,
) -> None:
    factories.connection(msisdn=NUMBER)
    path = _file(tmp_path)
    with connection.execute_wrapper(_gone_at_the_second_batch), pytest.raises(CommandError) as failed:
        _import(path)
    assert "the database went away during the import" in str(failed.value)
    assert "run the same command again" in str(failed.value)
    assert sorted(UsageEvent.objects.values_list("source_key", flat=True)) == ["pgw1:load:0", "pgw1:load:1"]
    assert _data_counted() == sum(QUANTITIES[:2])  # the counters moved with their events, and no further

    _import(path)
    assert UsageEvent.objects.count() == len(QUANTITIES)
    assert _data_counted() == sum(QUANTITIES)
