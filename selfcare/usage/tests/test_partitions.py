"""Usage events partitioned by month on PostgreSQL: partitions made ahead, each event in its month's partition, and
retention dropping a month while its daily totals and the buckets stay.

PostgreSQL only: SQLite keeps one table and has no partitions to test (CI runs the suite on PostgreSQL too). The
retention refusal of too-old events holds on every database and is tested at the end without the mark.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection

from selfcare.customers.tests import factories
from selfcare.errors import ErrorCode
from selfcare.tests.clock import riga
from selfcare.usage.models import DailyUsage, UsageEvent
from selfcare.usage.partitions import (
    create_partition,
    drop_expired_partitions,
    ensure_partitions,
    month_start,
    monthly_partitions,
    partition_name,
)
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="declarative partitioning is PostgreSQL's; SQLite keeps one table"
)


def _partition_of(source_key: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM usage_usageevent WHERE source_key = %s", [source_key])
        return str(cursor.fetchone()[0])


@postgresql_only
def test_the_daily_upkeep_makes_last_months_partition_this_ones_and_three_ahead_and_a_second_run_none() -> None:
    with time_machine.travel(riga(2027, 10, 31, 3, 30, fold=1), tick=False):
        created = ensure_partitions()
        assert {"usage_usageevent_p202709", "usage_usageevent_p202710", "usage_usageevent_p202801"} <= set(
            monthly_partitions()
        )
        assert set(created) <= {f"usage_usageevent_p{m}" for m in ("202709", "202710", "202711", "202712", "202801")}
        assert ensure_partitions() == []
    low, high = monthly_partitions()["usage_usageevent_p202801"]
    assert (low, high) == (month_start(datetime.date(2028, 1, 1)), month_start(datetime.date(2028, 2, 1)))


@postgresql_only
def test_an_event_lands_in_the_partition_of_the_month_it_started_in_utc() -> None:
    line = factories.connection(msisdn="+37125600001")
    with time_machine.travel(riga(2027, 2, 1, 3, 0), tick=False):
        ensure_partitions()
        create_partition_if_missing(month_start(datetime.date(2027, 1, 1)))
        feed(
            row(line.msisdn, 1000, riga(2027, 2, 1, 1, 0), key="jan-utc"),
            row(line.msisdn, 1000, riga(2027, 2, 1, 2, 30), key="feb-utc"),
        )
    assert _partition_of("jan-utc") == "usage_usageevent_p202701"
    assert _partition_of("feb-utc") == "usage_usageevent_p202702"


def create_partition_if_missing(month: datetime.datetime) -> None:
    if partition_name(month) not in monthly_partitions():
        with connection.cursor() as cursor:
            create_partition(cursor, month)


@postgresql_only
def test_a_late_event_caught_by_the_default_partition_moves_into_its_month_when_that_month_is_made() -> None:
    line = factories.connection(msisdn="+37125600002")
    with time_machine.travel(riga(2027, 6, 15), tick=False):
        ensure_partitions()
        may = month_start(datetime.date(2026, 5, 1))
        assert partition_name(may) not in monthly_partitions()
        feed(row(line.msisdn, 1000, riga(2026, 5, 10), key="late"))
        assert _partition_of("late") == "usage_usageevent_default"
        create_partition_if_missing(may)
    assert _partition_of("late") == "usage_usageevent_p202605"


@postgresql_only
def test_retention_drops_a_month_past_it_while_its_daily_totals_and_the_bucket_stay(settings: Any) -> None:
    settings.USAGE_EVENT_RETENTION_MONTHS = 2
    line = factories.connection(msisdn="+37125600003")
    with time_machine.travel(riga(2027, 1, 20), tick=False):
        ensure_partitions()
        feed(row(line.msisdn, 5_000_000, riga(2027, 1, 10), key="january"))
    bucket_used = _used(line.pk)
    daily = list(DailyUsage.objects.filter(connection=line).values_list("day", "quantity"))
    assert daily == [(datetime.date(2027, 1, 10), 5_000_000)]

    with time_machine.travel(riga(2027, 2, 28), tick=False):
        assert "usage_usageevent_p202701" not in drop_expired_partitions()  # January is still within two months
    with time_machine.travel(riga(2027, 3, 1, 3, 0), tick=False):
        ensure_partitions()
        assert drop_expired_partitions() == ["usage_usageevent_p202701"]
        assert "usage_usageevent_p202701" not in monthly_partitions()
        # A replay of the dropped month's event cannot be told from a new one: it is refused, not counted again.
        replay = feed(row(line.msisdn, 5_000_000, riga(2027, 1, 10), key="january"))
    assert [r.code for r in replay.rejected] == [ErrorCode.USAGE_TOO_OLD]
    assert not UsageEvent.objects.filter(connection=line).exists()
    assert list(DailyUsage.objects.filter(connection=line).values_list("day", "quantity")) == daily
    assert _used(line.pk) == bucket_used


def _used(connection_id: int) -> int:
    from selfcare.usage.models import Bucket

    return sum(Bucket.objects.filter(connection_id=connection_id).values_list("used", flat=True))


def test_with_a_retention_period_an_event_older_than_it_is_refused_on_every_database(settings: Any) -> None:
    settings.USAGE_EVENT_RETENTION_MONTHS = 3
    line = factories.connection(msisdn="+37125600004")
    with time_machine.travel(riga(2027, 6, 15), tick=False):
        result = feed(
            row(line.msisdn, 1, riga(2027, 3, 31, 23, 0), key="too-old"),  # March in Riga is still March in UTC
            row(line.msisdn, 1, riga(2027, 4, 1, 12, 0), key="kept"),
        )
    assert [(r.source_key, r.code) for r in result.rejected] == [("too-old", ErrorCode.USAGE_TOO_OLD)]
    assert result.recorded == 1


def test_the_retention_setting_is_checked_at_start() -> None:
    from selfcare.tests.subprocess_django import run_python

    result = run_python("import django; django.setup()", DEBUG="true", USAGE_EVENT_RETENTION_MONTHS="1")
    assert "USAGE_EVENT_RETENTION_MONTHS must be 0" in result.stderr


def test_an_id_sent_again_with_another_start_time_in_another_month_is_a_duplicate_on_every_database() -> None:
    line = factories.connection(msisdn="+37125600005")
    with time_machine.travel(riga(2027, 2, 20), tick=False):
        ensure_partitions()
        feed(row(line.msisdn, 1000, riga(2027, 1, 31, 12, 0), key="same-id"))
        again = feed(row(line.msisdn, 1000, riga(2027, 2, 1, 12, 0), key="same-id"))
    assert (again.recorded, again.duplicates) == (0, 1)
    assert UsageEvent.objects.filter(source_key="same-id").count() == 1
