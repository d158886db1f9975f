"""Raising alerts as usage lands: called by ingestion, in its transaction, for the (connection, cycle) pairs a batch
touched that have a spend cap.

An alert is one row per (connection, cycle, reason, threshold), inserted with ON CONFLICT DO NOTHING: of two
batches (or a replay, or a late event) that find the same threshold crossed, only the first inserts it, and only
what was inserted is queued for sending, after the batch commits. So each alert goes out once per cycle, however
the events arrive. Thresholds are compared with what the counters say now, so a late event that pushes an old
cycle over a threshold raises that cycle's alert.

A cap whose owner chose to bar records, in the same way, a barring per (connection, cycle, cap amount) when the
spend reaches it in a cycle still running (barring.py places its order after commit).

Not done here: sending (notices.py, by a worker through tasks.py), placing orders (barring.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import connection as db
from django.db import transaction
from django.db.models import Sum

from selfcare.spend.barring import record_reached
from selfcare.spend.models import DATA_ALERT_PERCENT, AtCap, Reason, SpendCap
from selfcare.usage.models import BillingCycle, Bucket, BucketZone, CycleSpend, Kind


def capped_pairs_in_sql(cursor: Any) -> set[tuple[int, int]]:
    """PostgreSQL: the pairs of ingestion's batch (its temp table `usage_groups`) whose connection has a cap: few,
    whatever the size of the batch."""
    cursor.execute(
        "SELECT DISTINCT g.connection_id, g.cycle_id FROM usage_groups g "
        "JOIN spend_spendcap c ON c.connection_id = g.connection_id"
    )
    return {(connection_id, cycle_id) for connection_id, cycle_id in cursor.fetchall()}


def watched_pairs(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """The pairs whose connection has a cap (the Python path's `capped_pairs_in_sql`)."""
    pairs = set(pairs)
    connections = {c for c, _ in pairs}
    capped = set(SpendCap.objects.filter(connection_id__in=connections).values_list("connection_id", flat=True))
    return {pair for pair in pairs if pair[0] in capped}


def crossed(
    cap: SpendCap, spend: Decimal, data_used: int, data_allowance: int
) -> list[tuple[str, int, Decimal | None]]:
    """(reason, threshold, spend) of every threshold this cap has reached: spend at or over `threshold` % of the
    cap; data used at or over 80 % of the limited data bundle (Latvia's and the shared buckets, gifts included)."""
    found: list[tuple[str, int, Decimal | None]] = [
        (Reason.SPEND, threshold, spend) for threshold in cap.thresholds if spend * 100 >= cap.amount * threshold
    ]
    if cap.data_alert and data_allowance > 0 and data_used * 100 >= data_allowance * DATA_ALERT_PERCENT:
        found.append((Reason.DATA, DATA_ALERT_PERCENT, None))
    return found


def raise_alerts(pairs: set[tuple[int, int]], *, now: datetime.datetime) -> list[int]:
    """Record the alerts newly reached in these pairs and queue them for sending after commit; their ids."""
    if not pairs:
        return []
    connection_ids = {c for c, _ in pairs}
    cycle_ids = {cycle for _, cycle in pairs}
    caps = {cap.connection_id: cap for cap in SpendCap.objects.filter(connection_id__in=connection_ids)}
    spend = {
        (c, cycle): amount
        for c, cycle, amount in CycleSpend.objects.filter(
            connection_id__in=connection_ids, cycle_id__in=cycle_ids
        ).values_list("connection_id", "cycle_id", "amount")
    }
    data: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    bundles = (
        Bucket.objects.filter(
            connection_id__in=[c for c, cap in caps.items() if cap.data_alert],
            cycle_id__in=cycle_ids,
            kind=Kind.DATA,
            zone__in=[BucketZone.DOMESTIC, BucketZone.HOME_AND_EU],
            allowance__isnull=False,
        )
        .values("connection_id", "cycle_id")
        .annotate(used=Sum("used"), allowance=Sum("allowance"))
    )
    for row in bundles:
        data[(row["connection_id"], row["cycle_id"])] = (row["used"], row["allowance"])
    reached = [
        (pair[0], pair[1], caps[pair[0]].amount, spend[pair])
        for pair in pairs
        if pair[0] in caps
        and caps[pair[0]].at_cap == AtCap.BAR
        and spend.get(pair, Decimal("0")) >= caps[pair[0]].amount
    ]
    if reached:
        running = set(
            BillingCycle.objects.filter(pk__in={r[1] for r in reached}, ends_at__gt=now).values_list("pk", flat=True)
        )
        record_reached([r for r in reached if r[1] in running], now=now)
    rows = []
    for pair in pairs:
        cap = caps.get(pair[0])
        if cap is None:
            continue
        used, allowance = data[pair]
        for reason, threshold, amount in crossed(cap, spend.get(pair, Decimal("0")), used, allowance):
            rows.append((pair[0], pair[1], reason, threshold, amount, cap.amount, now))
    if not rows:
        return []
    ids = _insert_new(rows)
    if ids:
        from selfcare.spend.tasks import send_spend_alert  # the task module imports this one's neighbours

        for alert_id in ids:
            transaction.on_commit(partial(send_spend_alert.enqueue, alert_id))
    return ids


def _insert_new(rows: list[tuple[Any, ...]]) -> list[int]:
    """Insert the alerts not raised before; the ids of those inserted now. RETURNING after ON CONFLICT DO NOTHING
    (PostgreSQL, and SQLite since 3.35) names exactly the rows this statement inserted."""
    marks = ", ".join("(%s, %s, %s, %s, %s, %s, %s)" for _ in rows)
    with db.cursor() as cursor:
        cursor.execute(
            "INSERT INTO spend_spendalert (connection_id, cycle_id, reason, threshold, spend, cap, raised_at) "  # noqa: S608
            f"VALUES {marks} ON CONFLICT (connection_id, cycle_id, reason, threshold) DO NOTHING RETURNING id",
            [value for row in rows for value in row],
        )
        return [alert_id for (alert_id,) in cursor.fetchall()]
