"""Usage events partitioned by month on PostgreSQL, created ahead and dropped after the retention period.

A million subscribers make about 100 million events a day; one table with no end would not hold. On PostgreSQL
`usage_usageevent` is a table partitioned by range of `started_at`, one partition per calendar month (UTC), named
`usage_usageevent_pYYYYMM`, plus a default partition that catches an event outside every monthly one (a straggler
older than the first month) so that an insert never fails for want of a partition. SQLite keeps one table.

A unique constraint of a partitioned table must include the partition key, so the events table could only keep
(source_key, started_at) unique; the event ids themselves are kept unique in `usage_usageeventkey`, one table that
is not partitioned, claimed first by every batch (ingest.py), and the events table keeps no index of them
(migration 0012). A replay changes nothing, also when a source re-sends an id with another start time.

Only the events go: the daily totals and the buckets are written in the same transaction as the events they
count (ingest.py), so a dropped month leaves every total and remaining-data figure as it was. An event older than
the retention horizon is refused at ingestion (`usage_too_old`): its month is gone, so a replay could not be told
from a new event.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

TABLE = "usage_usageevent"
AHEAD_MONTHS = 3  # partitions made ahead of the current month: the daily task has months to run before they fill


def month_start(moment: datetime.datetime | datetime.date, months: int = 0) -> datetime.datetime:
    """The first instant (UTC) of the month `months` after that of `moment`."""
    day = moment.astimezone(datetime.UTC).date() if isinstance(moment, datetime.datetime) else moment
    index = day.year * 12 + day.month - 1 + months
    return datetime.datetime(index // 12, index % 12 + 1, 1, tzinfo=datetime.UTC)


def partition_name(month: datetime.datetime) -> str:
    return f"{TABLE}_p{month:%Y%m}"


def retention_horizon(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The first instant kept: the start of the month `USAGE_EVENT_RETENTION_MONTHS - 1` before the current one
    (12 months: this month and the 11 before it); None when events are kept for ever (0)."""
    months: int = settings.USAGE_EVENT_RETENTION_MONTHS
    return month_start(now or timezone.now(), -(months - 1)) if months else None


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def monthly_partitions() -> dict[str, tuple[datetime.datetime, datetime.datetime]]:
    """The monthly partitions that exist, with their bounds (from the catalogue, not from their names)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)",
            [TABLE],
        )
        rows = cursor.fetchall()
    found: dict[str, tuple[datetime.datetime, datetime.datetime]] = {}
    for name, bound in rows:
        if bound == "DEFAULT":
            continue
        # FOR VALUES FROM ('2026-12-01 02:00:00+02') TO ('2027-01-01 02:00:00+02')
        low, high = (part.split("'")[1] for part in bound.split(" TO "))
        found[name] = (_timestamp(low), _timestamp(high))
    return found


def _timestamp(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(text if len(text.rsplit("+", 1)[-1]) != 2 else text + ":00")
    return value.astimezone(datetime.UTC)


def create_partition(cursor: Any, month: datetime.datetime) -> None:
    """One month's partition; the caller knows it does not exist yet. Events of that month already caught by the
    default partition (the daily task did not run for a while) are moved into it first: PostgreSQL refuses a new
    partition whose rows the default one holds."""
    name, low, high = partition_name(month), month, month_start(month, 1)
    cursor.execute(f'CREATE TABLE "{name}" (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
    cursor.execute(
        f"WITH moved AS (DELETE FROM {TABLE}_default WHERE started_at >= %s AND started_at < %s RETURNING *) "  # noqa: S608
        f'INSERT INTO "{name}" SELECT * FROM moved',
        [low, high],
    )
    # A DDL statement takes no bound parameters when the connection binds on the server (settings.py): the driver
    # quotes the two bounds into the text, as client-side binding did.
    attach = f'ALTER TABLE {TABLE} ATTACH PARTITION "{name}" FOR VALUES FROM (%s) TO (%s)'
    cursor.execute(cursor.db.ops.compose_sql(attach, [low, high]))


def ensure_partitions(*, now: datetime.datetime | None = None) -> list[str]:
    """Create the missing partitions of the previous month (late records, roaming ones above all, keep coming for
    weeks), the current one and the `AHEAD_MONTHS` after it; their names. Nothing on SQLite."""
    if not is_partitioned():
        return []
    moment = now or timezone.now()
    existing = set(monthly_partitions())
    created: list[str] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for ahead in range(-1, AHEAD_MONTHS + 1):
            month = month_start(moment, ahead)
            if partition_name(month) not in existing:
                create_partition(cursor, month)
                created.append(partition_name(month))
    if created:
        logger.info("usage event partitions created: %s", ", ".join(created))
    return created


def drop_expired_partitions(*, now: datetime.datetime | None = None) -> list[str]:
    """Drop the monthly partitions wholly before the retention horizon (and delete older stragglers from the
    default partition); their names. Nothing when events are kept for ever, or on SQLite."""
    horizon = retention_horizon(now)
    if horizon is None or not is_partitioned():
        return []
    expired = sorted(name for name, (_, high) in monthly_partitions().items() if high <= horizon)
    with transaction.atomic(), connection.cursor() as cursor:
        for name in expired:
            cursor.execute(f'ALTER TABLE {TABLE} DETACH PARTITION "{name}"')
            cursor.execute(f'DROP TABLE "{name}"')
        cursor.execute(f"DELETE FROM {TABLE}_default WHERE started_at < %s", [horizon])  # noqa: S608 - our constant
        # Their ids go too: ingestion refuses anything before the horizon, so no replay needs them.
        cursor.execute("DELETE FROM usage_usageeventkey WHERE started_at < %s", [horizon])
    if expired:
        logger.info("usage event partitions dropped (retention): %s", ", ".join(expired))
    return expired
