"""Writes to a connection's buckets outside ingestion: the plan's buckets of a cycle, and bonus (gift) buckets.

`grant_bonus` is the door for Komplimenti and other gifts; `remaining_summary` (from selectors) is what pages and
the app API show.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from selfcare.customers.models import Connection
from selfcare.usage.buckets import GIFT_PRIORITY, plan_buckets
from selfcare.usage.cycles import cycle_for
from selfcare.usage.models import KIND_OF_UNIT, BillingCycle, Bucket, BucketZone, Source, Unit
from selfcare.usage.selectors import UsageSummary, remaining_summary

__all__ = ["UsageSummary", "ensure_plan_buckets", "grant_bonus", "remaining_summary"]


def ensure_plan_buckets(connection: Connection, cycle: BillingCycle, *, now: datetime.datetime | None = None) -> None:
    """Create the plan's buckets of this connection in this cycle, if they are not there yet (concurrency-safe:
    the partial unique constraint lets only one set in)."""
    if Bucket.objects.filter(connection=connection, cycle=cycle, source=Source.PLAN).exists():
        return
    Bucket.objects.bulk_create(
        plan_buckets(
            connection_id=connection.pk,
            cycle_id=cycle.pk,
            plan=connection.tariff_plan,
            starts_at=cycle.starts_at,
            ends_at=cycle.ends_at,
            now=now or timezone.now(),
        ),
        ignore_conflicts=True,
    )


def grant_bonus(
    connection: Connection,
    *,
    unit: str,
    amount: int,
    label: str,
    source_key: str,
    valid_until: datetime.datetime | None = None,
) -> Bucket:
    """Add a gift bucket of `amount` (in `unit`: "byte", "second" or "message") to the connection's current cycle.

    Idempotent on `source_key`: granting again with the same key returns the bucket already granted and grants
    nothing (a key already used for another connection is a ValueError). A gift is used before the plan's
    allowance (priority 10 against 100), in Latvia and the EU; it lasts until `valid_until` but never past the end
    of the current cycle. Not checked here: whether the person may receive it (that is the offer's business).
    """
    if unit not in Unit.values:
        raise ValueError(f"unit must be one of {', '.join(Unit.values)}")
    if amount <= 0:
        raise ValueError("amount must be positive")
    if not source_key:
        raise ValueError("source_key is required")
    existing = Bucket.objects.filter(source_key=source_key).first()
    if existing is not None:
        return _same_connection(existing, connection)
    now = timezone.now()
    cycle = cycle_for(connection.account, now)
    until = cycle.ends_at if valid_until is None else min(valid_until, cycle.ends_at)
    if until <= now:
        raise ValueError("valid_until is in the past")
    try:
        with transaction.atomic():
            ensure_plan_buckets(connection, cycle, now=now)
            return Bucket.objects.create(
                connection=connection,
                cycle=cycle,
                kind=KIND_OF_UNIT[unit],
                zone=BucketZone.HOME_AND_EU,
                source=Source.GIFT,
                label=label[:200],
                allowance=amount,
                priority=GIFT_PRIORITY,
                valid_from=now,
                valid_until=until,
                source_key=source_key,
                as_of=now,
            )
    except IntegrityError:
        # Another request granted the same key at the same moment: theirs is the grant.
        return _same_connection(Bucket.objects.get(source_key=source_key), connection)


def _same_connection(bucket: Bucket, connection: Connection) -> Bucket:
    if bucket.connection_id != connection.pk:
        raise ValueError("source_key was already used for another connection")
    return bucket
