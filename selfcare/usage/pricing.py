"""Out-of-bundle charges: what a cycle's use beyond its buckets costs, kept up to date by ingestion.

The rule (the same in Python and in SQL): each plan bucket's `out_of_bucket` counter is charged per *started*
unit of its rate (`OutOfBundleRate.per`: 1 MB, 60 s, 1 message), at the rate of the plan for its kind and zone
(Latvia's rate for the shared Latvia-and-EU buckets of calls and SMS); the cycle's charges are added up and
rounded once to the cent, half up. Rounding the cycle's total rather than each event keeps the amount the same
whatever the batches, their order, late events or replays: it depends on the counters alone.

Not handled here: VAT (the amounts are excl. VAT, as the plans' fees), and a plan changed in the middle of a
cycle (the connection's current plan prices the whole cycle, as the simulated bill does).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from selfcare.customers.models import Connection
from selfcare.usage.models import Bucket, BucketZone, CycleSpend, OutOfBundleRate, Zone

CENT = Decimal("0.01")


def rate_zone(bucket_zone: str) -> str:
    """The rate that prices a bucket's zone: Latvia's for the buckets Latvia and the EU share."""
    return Zone.DOMESTIC if bucket_zone == BucketZone.HOME_AND_EU else bucket_zone


def charge(out_of_bucket: int, *, price: Decimal, per: int) -> Decimal:
    """The unrounded charge of one counter: every started `per` units cost `price`."""
    return -(-out_of_bucket // per) * price


def cycle_amount(charges: Iterable[Decimal]) -> Decimal:
    return sum(charges, Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)


def refresh_spend(pairs: set[tuple[int, int]], now: datetime.datetime) -> None:
    """Python path (SQLite): recompute the spend of these (connection id, cycle id) pairs from their counters."""
    if not pairs:
        return
    connection_ids = {c for c, _ in pairs}
    cycle_ids = {cycle for _, cycle in pairs}
    plan_of = dict(Connection.objects.filter(pk__in=connection_ids).values_list("pk", "tariff_plan_id"))
    rates = {(r.plan_id, r.kind, r.zone): r for r in OutOfBundleRate.objects.filter(plan_id__in=set(plan_of.values()))}
    charges: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    over = Bucket.objects.filter(connection_id__in=connection_ids, cycle_id__in=cycle_ids, out_of_bucket__gt=0)
    for connection_id, cycle_id, kind, zone, out in over.values_list(
        "connection_id", "cycle_id", "kind", "zone", "out_of_bucket"
    ):
        rate = rates.get((plan_of[connection_id], kind, rate_zone(zone)))
        if (connection_id, cycle_id) in pairs and rate is not None:
            charges[(connection_id, cycle_id)].append(charge(out, price=rate.price, per=rate.per))
    rows = [
        CycleSpend(connection_id=c, cycle_id=cycle, amount=cycle_amount(found), as_of=now)
        for (c, cycle), found in charges.items()
    ]
    CycleSpend.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["connection", "cycle"],
        update_fields=["amount", "as_of"],
    )


# PostgreSQL path: the same rule over the batch's (connection, cycle) pairs in ingestion's `usage_groups`, in one
# statement. Only buckets with something out of bucket are read (the index on connection and cycle finds them); a
# spend that did not change is not rewritten.
REFRESH_SPEND_SQL = (
    "INSERT INTO usage_cyclespend (connection_id, cycle_id, amount, as_of) "
    "SELECT p.connection_id, p.cycle_id,"
    " round(sum(((b.out_of_bucket + r.per - 1) / r.per) * r.price), 2), %s "
    "FROM (SELECT DISTINCT connection_id, cycle_id, plan_id FROM usage_groups) p "
    "JOIN usage_bucket b ON b.connection_id = p.connection_id AND b.cycle_id = p.cycle_id AND b.out_of_bucket > 0 "
    "JOIN usage_outofbundlerate r ON r.plan_id = p.plan_id AND r.kind = b.kind"
    " AND r.zone = CASE b.zone WHEN 'home_eu' THEN 'domestic' ELSE b.zone END "
    "GROUP BY 1, 2 "
    "ON CONFLICT (connection_id, cycle_id) DO UPDATE SET amount = excluded.amount, as_of = excluded.as_of "
    "WHERE usage_cyclespend.amount <> excluded.amount"
)


def refresh_spend_in_sql(cursor: Any, now: datetime.datetime) -> None:
    cursor.execute(REFRESH_SPEND_SQL, [now])
