"""Out-of-bundle charges: what a cycle's use beyond its buckets costs, kept up to date by ingestion.

The rule (the same in Python and in SQL): each counter of out-of-bucket use is charged per *started* unit of its
rate (`OutOfBundleRate.per`: 1 MB, 60 s, 1 message), at the plan's rate for its kind and zone; the cycle's charges
are added up and rounded once to the cent, half up. Rounding the cycle's total rather than each event keeps the
amount the same whatever the batches, their order, late events or replays: it depends on the counters alone.

The counters are the plan buckets' `out_of_bucket` (Latvia's rate for the shared Latvia-and-EU buckets of calls and
SMS) and, outside the EU, one per world zone: zones 1 and 2 have their own (`ZoneOutOfBucket`), the rest of the
world has what the plan's world bucket counted beyond them. A world zone without a rate of its own is priced at the
rest of the world's, and counters priced at the same rate are added up before the started units are counted, so a
plan without zone rates costs what it did before zones existed.

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
from selfcare.usage.models import (
    COUNTED_WORLD_ZONES,
    Bucket,
    BucketZone,
    CycleSpend,
    OutOfBundleRate,
    Source,
    Zone,
    ZoneOutOfBucket,
)

CENT = Decimal("0.01")


def rate_zone(bucket_zone: str) -> str:
    """The rate that prices a bucket's zone: Latvia's for the buckets Latvia and the EU share."""
    return Zone.DOMESTIC if bucket_zone == BucketZone.HOME_AND_EU else bucket_zone


def effective_rate(rates: dict[tuple[str, str], OutOfBundleRate], kind: str, zone: str) -> OutOfBundleRate | None:
    """The rate of a plan (its rates by kind and zone) that prices a counter of this kind and rate zone: its own, or
    for a world zone without one the rest of the world's; None: not charged."""
    rate = rates.get((kind, zone))
    if rate is None and zone in COUNTED_WORLD_ZONES:
        rate = rates.get((kind, Zone.WORLD))
    return rate


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
    rates: dict[int, dict[tuple[str, str], OutOfBundleRate]] = defaultdict(dict)
    for found in OutOfBundleRate.objects.filter(plan_id__in=set(plan_of.values())):
        rates[found.plan_id][(found.kind, found.zone)] = found
    counted: dict[tuple[int, int, str], int] = defaultdict(int)
    zone_counters = ZoneOutOfBucket.objects.filter(
        connection_id__in=connection_ids, cycle_id__in=cycle_ids, quantity__gt=0
    ).values_list("connection_id", "cycle_id", "kind", "zone", "quantity")
    counters: list[tuple[int, int, str, str, int]] = []
    for connection_id, cycle_id, kind, zone, quantity in zone_counters:
        counters.append((connection_id, cycle_id, kind, zone, quantity))
        counted[(connection_id, cycle_id, kind)] += quantity
    over = Bucket.objects.filter(connection_id__in=connection_ids, cycle_id__in=cycle_ids, out_of_bucket__gt=0)
    for connection_id, cycle_id, kind, zone, source, out in over.values_list(
        "connection_id", "cycle_id", "kind", "zone", "source", "out_of_bucket"
    ):
        if zone == BucketZone.WORLD and source == Source.PLAN:
            out -= counted[(connection_id, cycle_id, kind)]  # the rest of the world's share
        counters.append((connection_id, cycle_id, kind, rate_zone(zone), out))
    # Counters priced at the same rate are one counter: (pair, rate) → quantity.
    priced: dict[tuple[int, int], dict[OutOfBundleRate, int]] = defaultdict(lambda: defaultdict(int))
    for connection_id, cycle_id, kind, zone, quantity in counters:
        rate = effective_rate(rates[plan_of[connection_id]], kind, zone)
        if (connection_id, cycle_id) in pairs and rate is not None and quantity > 0:
            priced[(connection_id, cycle_id)][rate] += quantity
    rows = [
        CycleSpend(
            connection_id=c,
            cycle_id=cycle,
            amount=cycle_amount(charge(q, price=r.price, per=r.per) for r, q in quantities.items()),
            as_of=now,
        )
        for (c, cycle), quantities in priced.items()
    ]
    CycleSpend.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["connection", "cycle"],
        update_fields=["amount", "as_of"],
    )


# PostgreSQL path: the same rule over the batch's (connection, cycle) pairs in ingestion's `usage_groups`, in one
# statement. Only buckets with something out of bucket are read (the index on connection and cycle finds them); a
# spend that did not change is not rewritten. The sums are cast back to bigint so that "started units" divide as
# integers, as in Python.
REFRESH_SPEND_SQL = (
    "WITH p AS (SELECT DISTINCT connection_id, cycle_id, plan_id FROM usage_groups),"
    " z AS (SELECT z.connection_id, z.cycle_id, p.plan_id, z.kind, z.zone, z.quantity FROM usage_zoneoutofbucket z"
    "  JOIN p ON p.connection_id = z.connection_id AND p.cycle_id = z.cycle_id WHERE z.quantity > 0),"
    " counters AS ("
    "  SELECT p.connection_id, p.cycle_id, p.plan_id, b.kind,"
    "   CASE b.zone WHEN 'home_eu' THEN 'domestic' ELSE b.zone END AS zone,"
    "   b.out_of_bucket - CASE WHEN b.zone = 'world' AND b.source = 'plan' THEN coalesce((SELECT sum(z.quantity)"
    "    FROM z WHERE z.connection_id = b.connection_id AND z.cycle_id = b.cycle_id AND z.kind = b.kind), 0)"
    "    ELSE 0 END AS quantity"
    "  FROM p JOIN usage_bucket b ON b.connection_id = p.connection_id AND b.cycle_id = p.cycle_id"
    "   AND b.out_of_bucket > 0"
    "  UNION ALL SELECT connection_id, cycle_id, plan_id, kind, zone, quantity FROM z),"
    " priced AS ("
    "  SELECT c.connection_id, c.cycle_id, r.price, r.per, sum(c.quantity)::bigint AS quantity FROM counters c"
    "  JOIN usage_outofbundlerate r ON r.plan_id = c.plan_id AND r.kind = c.kind"
    "   AND r.zone = CASE WHEN c.zone IN ('world1', 'world2') AND NOT EXISTS (SELECT 1 FROM usage_outofbundlerate o"
    "    WHERE o.plan_id = c.plan_id AND o.kind = c.kind AND o.zone = c.zone) THEN 'world' ELSE c.zone END"
    "  GROUP BY c.connection_id, c.cycle_id, r.id, r.price, r.per) "
    "INSERT INTO usage_cyclespend (connection_id, cycle_id, amount, as_of) "
    "SELECT connection_id, cycle_id, round(sum(((quantity + per - 1) / per) * price), 2), %s "
    "FROM priced WHERE quantity > 0 GROUP BY 1, 2 "
    "ON CONFLICT (connection_id, cycle_id) DO UPDATE SET amount = excluded.amount, as_of = excluded.as_of "
    "WHERE usage_cyclespend.amount <> excluded.amount"
)


def refresh_spend_in_sql(cursor: Any, now: datetime.datetime) -> None:
    cursor.execute(REFRESH_SPEND_SQL, [now])
