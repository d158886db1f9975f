"""Which buckets a connection gets in a cycle from its tariff plan, and the order events debit them in."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from selfcare.customers.models import TariffPlan
from selfcare.usage.cycles import local_day
from selfcare.usage.models import ZONES_OF_BUCKET, Bucket, BucketZone, Kind, Source
from selfcare.usage.roaming import eu_data_allowance

PLAN_PRIORITY = 100
GIFT_PRIORITY = 10
_FAR_FUTURE = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def plan_allowances(plan: TariffPlan, starts_at: datetime.datetime) -> list[tuple[str, str, int | None, int | None]]:
    """(kind, zone, allowance, fair-use cap) of each bucket the plan gives in the cycle starting at `starts_at`.
    Outside the EU nothing is included: a zero bucket there takes that use as out of bucket, so it is counted and
    shown, never lost."""
    voice = None if plan.voice_minutes is None else plan.voice_minutes * 60
    return [
        (Kind.DATA, BucketZone.DOMESTIC, plan.data_bytes, plan.fair_use_bytes if plan.data_bytes is None else None),
        (Kind.DATA, BucketZone.EU, eu_data_allowance(plan, local_day(starts_at).year), None),
        (Kind.DATA, BucketZone.WORLD, 0, None),
        (Kind.VOICE, BucketZone.HOME_AND_EU, voice, None),
        (Kind.VOICE, BucketZone.WORLD, 0, None),
        (Kind.SMS, BucketZone.HOME_AND_EU, plan.sms, None),
        (Kind.SMS, BucketZone.WORLD, 0, None),
    ]


def plan_buckets(
    *,
    connection_id: int,
    cycle_id: int | None,
    plan: TariffPlan,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    now: datetime.datetime,
) -> list[Bucket]:
    """The plan's allowances for one cycle, unsaved."""
    return [
        Bucket(
            connection_id=connection_id,
            cycle_id=cycle_id,  # type: ignore[misc]  # None only for the unsaved preview of a cycle
            kind=kind,
            zone=zone,
            source=Source.PLAN,
            allowance=allowance,
            fair_use_cap=fair_use,
            priority=PLAN_PRIORITY,
            valid_from=starts_at,
            valid_until=ends_at,
            as_of=now,
        )
        for kind, zone, allowance, fair_use in plan_allowances(plan, starts_at)
    ]


@dataclass(slots=True)
class Counter:
    """A bucket as ingestion debits it: only the fields it needs, because a batch touches tens of thousands of
    buckets and a model instance each would cost more than the debit itself."""

    id: int
    kind: str
    zone: str
    source: str
    allowance: int | None
    used: int
    out_of_bucket: int
    priority: int
    valid_from: datetime.datetime
    valid_until: datetime.datetime | None


B = TypeVar("B", Bucket, Counter)


def debit_order(buckets: Iterable[B]) -> list[B]:
    """Priority first (lower number first), then the earliest expiry, then the oldest bucket."""
    return sorted(buckets, key=lambda b: (b.priority, b.valid_until or _FAR_FUTURE, b.id or 0))


def takes(bucket: Bucket | Counter, kind: str, zone: str, at: datetime.datetime) -> bool:
    """Whether this bucket may be debited for an event of this kind and zone that started at `at`."""
    return (
        bucket.kind == kind
        and zone in ZONES_OF_BUCKET[bucket.zone]
        and bucket.valid_from <= at
        and (bucket.valid_until is None or at < bucket.valid_until)
    )


def debit(ordered: list[B], kind: str, zone: str, at: datetime.datetime, quantity: int) -> set[int]:
    """Debit `quantity` from the first eligible buckets in `ordered` (in memory); what none can take goes to the
    last eligible plan bucket's out-of-bucket counter. Returns the indexes of the buckets changed."""
    changed: set[int] = set()
    fallback: int | None = None
    for index, bucket in enumerate(ordered):
        if quantity <= 0:
            break
        if not takes(bucket, kind, zone, at):
            continue
        if bucket.source == Source.PLAN:
            fallback = index
        if bucket.allowance is None:
            bucket.used += quantity
            quantity = 0
        else:
            room = bucket.allowance - bucket.used
            if room <= 0:
                continue
            taken = min(room, quantity)
            bucket.used += taken
            quantity -= taken
        changed.add(index)
    if quantity > 0:
        if fallback is None:
            # Reached only when the loop above stopped early, which it does only once quantity is used up.
            fallback = next(
                (i for i, b in enumerate(ordered) if b.source == Source.PLAN and takes(b, kind, zone, at)), None
            )
        if fallback is not None:
            ordered[fallback].out_of_bucket += quantity
            changed.add(fallback)
    return changed
