"""Reads of usage shared by the pages and the app API. Each is a fixed number of indexed queries, never a scan of
events: the counters were brought up to date at ingestion."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate, Count, F, Q, QuerySet, Sum
from django.utils import timezone

from selfcare.customers.models import Connection
from selfcare.queries import MARK_DAY, MARK_ID, MARK_IDS, MARK_MOMENT, MARK_OTHER_DAY, MARK_OTHER_ID, Prepared
from selfcare.usage.buckets import debit_order, plan_buckets
from selfcare.usage.cycles import cycle_bounds, local_day
from selfcare.usage.models import ZONES_OF_BUCKET, Bucket, DailyUsage, Kind, Source, UsageEvent, Zone


@dataclass(frozen=True)
class Figure:
    """Allowance, used and remaining of one kind of use in one place (None allowance: unlimited)."""

    unit: str
    allowance: int | None
    used: int
    remaining: int | None
    fair_use_cap: int | None = None
    out_of_bucket: int = 0

    @property
    def is_unlimited(self) -> bool:
        return self.allowance is None

    @property
    def percent_left(self) -> int | None:
        if self.allowance is None or self.remaining is None or self.allowance == 0:
            return None
        return round(100 * self.remaining / self.allowance)


@dataclass(frozen=True)
class UsageSummary:
    """What is left in the current cycle, as of `as_of` (the last time ingestion touched these counters)."""

    connection_id: int
    cycle_starts_at: datetime.datetime
    cycle_ends_at: datetime.datetime
    as_of: datetime.datetime
    data: Figure
    eu_data: Figure
    voice: Figure
    sms: Figure
    buckets: list[Bucket] = field(default_factory=list)

    @property
    def renews_on(self) -> datetime.date:
        return local_day(self.cycle_ends_at)

    @property
    def eu_usable(self) -> int | None:
        """How much of what is left may be used in the EU: roaming like at home draws on the same bundle, up to
        the EU allowance (fair use). None when neither limits it."""
        if self.eu_data.remaining is None:
            return self.data.remaining
        if self.data.remaining is None:
            return self.eu_data.remaining
        return min(self.eu_data.remaining, self.data.remaining)

    @property
    def gifts(self) -> list[Bucket]:
        return [b for b in self.buckets if b.source != Source.PLAN]


def _figure(buckets: list[Bucket], kind: str, zone: str, unit: str) -> Figure:
    covering = [b for b in buckets if b.kind == kind and zone in ZONES_OF_BUCKET[b.zone]]
    unlimited = [b for b in covering if b.allowance is None]
    used = sum(b.used for b in covering)
    out = sum(b.out_of_bucket for b in covering)
    if unlimited:
        return Figure(unit, None, used, None, fair_use_cap=unlimited[0].fair_use_cap, out_of_bucket=out)
    allowance = sum(b.allowance or 0 for b in covering)
    remaining = sum(b.remaining or 0 for b in covering)
    return Figure(unit, allowance, used, remaining, out_of_bucket=out)


def remaining_summary(connection: Connection, *, now: datetime.datetime | None = None) -> UsageSummary:
    """The connection's allowances, use and remaining in the cycle containing `now`, in one indexed query.

    Before any use is recorded in a cycle, the plan's allowances are shown whole (nothing is written).
    Buckets that expired earlier in the cycle are left out of the figures.
    """
    now = now or timezone.now()
    starts_at, ends_at = cycle_bounds(connection.account.billing_cycle_day, now)
    buckets = list(
        _CYCLE_BUCKETS.models(connection_id=connection.pk, account_id=connection.account_id, starts_at=starts_at)
    )
    if not any(b.source == Source.PLAN for b in buckets):
        buckets += plan_buckets(
            connection_id=connection.pk,
            cycle_id=None,
            plan=connection.tariff_plan,
            starts_at=starts_at,
            ends_at=ends_at,
            now=now,
        )
    live = debit_order(b for b in buckets if b.valid_from <= now and (b.valid_until is None or now < b.valid_until))
    return UsageSummary(
        connection_id=connection.pk,
        cycle_starts_at=starts_at,
        cycle_ends_at=ends_at,
        as_of=max(b.as_of for b in buckets),
        data=_figure(live, Kind.DATA, Zone.DOMESTIC, "byte"),
        eu_data=_figure(live, Kind.DATA, Zone.EU, "byte"),
        voice=_figure(live, Kind.VOICE, Zone.DOMESTIC, "second"),
        sms=_figure(live, Kind.SMS, Zone.DOMESTIC, "message"),
        buckets=live,
    )


# The connection page's three usage statements, compiled by Django once (selfcare.queries.Prepared): their text
# never changes but for the connection and the moments, and compiling them was about 2 ms of a page's CPU, the
# earlier cycles' aggregate half of it (docs/performance.md). The markers stand for each call's values.
EARLIER_CYCLES = 6

# A cycle's buckets. No ORDER BY: they are put in debit order in Python (an ordered query costs the compiler a
# hash of each selected column; docs/performance.md).
_CYCLE_BUCKETS = Prepared(
    Bucket,
    lambda connection_id, account_id, starts_at: Bucket.objects.filter(
        connection_id=connection_id, cycle__account_id=account_id, cycle__starts_at=starts_at
    ).order_by(),
    connection_id=MARK_ID,
    account_id=MARK_OTHER_ID,
    starts_at=MARK_MOMENT,
)
_DATA_DAYS = Prepared(
    DailyUsage,
    lambda connection_id, first, last: DailyUsage.objects.filter(
        connection_id=connection_id, kind=Kind.DATA, day__gte=first, day__lte=last
    ).values_list("day", "zone", "quantity"),
    connection_id=MARK_ID,
    first=MARK_DAY,
    last=MARK_OTHER_DAY,
)
_EARLIER_CYCLES = Prepared(
    Bucket,
    lambda connection_id, before: (
        Bucket.objects.filter(connection_id=connection_id, kind=Kind.DATA, cycle__starts_at__lt=before)
        .values("cycle__starts_at", "cycle__ends_at")
        .annotate(total=Sum(F("used") + F("out_of_bucket")))
        .order_by("-cycle__starts_at")[:EARLIER_CYCLES]
    ),
    connection_id=MARK_ID,
    before=MARK_MOMENT,
)


@dataclass(frozen=True)
class DayUse:
    day: datetime.date
    home: int
    roaming: int

    @property
    def total(self) -> int:
        return self.home + self.roaming


def daily_data_use(
    connection: Connection, summary: UsageSummary, *, now: datetime.datetime | None = None
) -> list[DayUse]:
    """Data used each day of the summary's cycle up to today (days of the billing clock), zero days included."""
    first = local_day(summary.cycle_starts_at)
    last = min(local_day(now or timezone.now()), summary.renews_on - datetime.timedelta(days=1))
    rows = _DATA_DAYS.rows(connection_id=connection.pk, first=first, last=last)
    home: dict[datetime.date, int] = {}
    roaming: dict[datetime.date, int] = {}
    for day, zone, quantity in rows:
        target = home if zone == Zone.DOMESTIC else roaming
        target[day] = target.get(day, 0) + quantity
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    return [DayUse(day, home.get(day, 0), roaming.get(day, 0)) for day in days]


@dataclass(frozen=True)
class CycleUse:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    data_used: int

    @property
    def first_day(self) -> datetime.date:
        return local_day(self.starts_at)

    @property
    def last_day(self) -> datetime.date:
        return local_day(self.ends_at) - datetime.timedelta(days=1)


def earlier_cycles(connection: Connection, summary: UsageSummary) -> list[CycleUse]:
    """Data used (in and out of buckets) in the cycles before the summary's (up to EARLIER_CYCLES), newest first."""
    rows = _EARLIER_CYCLES.rows(connection_id=connection.pk, before=summary.cycle_starts_at)
    return [CycleUse(starts_at, ends_at, total or 0) for starts_at, ends_at, total in rows]


# The dashboard's and the connection list's read of their rows' buckets, compiled once per number of rows
# (selfcare.queries.Prepared), planned with its values at every run: PostgreSQL's generic plan of it, made while the
# buckets table was nearly empty and kept after, scanned all 600,000 buckets for a dashboard's two numbers (100-380
# ms instead of 0.2; selfcare.queries, docs/performance.md, 2026-12-07).
_DATA_BUCKETS = Prepared(
    Bucket,
    lambda ids, now: Bucket.objects.filter(
        connection_id__in=ids,
        kind=Kind.DATA,
        zone__in=[z for z, zones in ZONES_OF_BUCKET.items() if Zone.DOMESTIC in zones],
        cycle__starts_at__lte=now,
        cycle__ends_at__gt=now,
        valid_from__lte=now,
    ).order_by(),
    ids=MARK_IDS,
    now=MARK_MOMENT,
    planned_with_values=True,
)


def data_left(connections: list[Connection], *, now: datetime.datetime | None = None) -> dict[int, Figure]:
    """National data of many connections in their current cycles, in one query (the dashboard's rows).

    A connection with no use recorded yet in its cycle shows its plan's allowance whole. Expects
    `tariff_plan` loaded with the connections.
    """
    now = now or timezone.now()
    found: dict[int, list[Bucket]] = {}
    rows = _DATA_BUCKETS.models(ids=[c.pk for c in connections], now=now)
    # Each connection's buckets in the model's order (priority, id), put in order here rather than by the
    # statement: `_figure` takes the first unlimited bucket's fair use cap.
    for bucket in sorted(rows, key=lambda b: (b.priority, b.pk)):
        if bucket.valid_until is None or now < bucket.valid_until:
            found.setdefault(bucket.connection_id, []).append(bucket)
    figures: dict[int, Figure] = {}
    for connection in connections:
        buckets = found.get(connection.pk, [])
        if not any(b.source == Source.PLAN for b in buckets):
            plan = connection.tariff_plan
            unlimited = plan.data_bytes is None
            buckets.append(
                Bucket(
                    kind=Kind.DATA,
                    zone="domestic",
                    source=Source.PLAN,
                    allowance=plan.data_bytes,
                    fair_use_cap=plan.fair_use_bytes if unlimited else None,
                )
            )
        figures[connection.pk] = _figure(buckets, Kind.DATA, Zone.DOMESTIC, "byte")
    return figures


NEAR_LIMIT_SHARE = 0.9  # a number that has used this much of its data is "near its limit"


@dataclass(frozen=True)
class DataSummary:
    """National data of many connections at once, for a context's summary on the dashboard."""

    left: int  # data left in total, over the connections with a limit
    unlimited: int  # connections with unlimited data (not in `left`)
    near_limit: int  # connections that used NEAR_LIMIT_SHARE of their data or more


def _current_data_buckets(connections: QuerySet[Connection], now: datetime.datetime) -> QuerySet[Bucket]:
    """The national data buckets of the connections with a data limit, in force at `now` in their current cycle."""
    return Bucket.objects.filter(
        connection__in=connections.filter(tariff_plan__data_bytes__isnull=False),
        kind=Kind.DATA,
        zone__in=[z for z, zones in ZONES_OF_BUCKET.items() if Zone.DOMESTIC in zones],
        cycle__starts_at__lte=now,
        cycle__ends_at__gt=now,
        valid_from__lte=now,
        allowance__isnull=False,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))


def near_limit(connections: QuerySet[Connection], *, now: datetime.datetime | None = None) -> QuerySet[Connection]:
    """The connections that used NEAR_LIMIT_SHARE of their national data or more in the current cycle: the list
    behind the dashboard's "near their limit" count, filtered in the database like the count."""
    near_ids = (
        _current_data_buckets(connections, now or timezone.now())
        .values("connection_id")
        .annotate(allowance=Sum("allowance"), used=Sum("used"))
        .filter(allowance__gt=0, used__gte=F("allowance") * NEAR_LIMIT_SHARE)
        .values("connection_id")
    )
    return connections.filter(pk__in=near_ids)


def data_summary_parts(
    connections: QuerySet[Connection], now: datetime.datetime
) -> dict[str, tuple[QuerySet[Any], Aggregate]]:
    """What `data_summary` adds up, each a set of rows and the aggregate over it: the data left in the connections'
    current buckets (`in_buckets`), the allowance of the limited connections with no plan bucket yet (`whole`), the
    connections near their limit (`near`) and the unlimited ones (`unlimited`). Written once here for both
    `data_summary` and the company summaries' statement compiled once (selfcare.usage.summaries)."""
    limited = connections.filter(tariff_plan__data_bytes__isnull=False)
    buckets = _current_data_buckets(connections, now)
    return {
        "in_buckets": (buckets, Sum(F("allowance") - F("used"))),
        "whole": (
            limited.exclude(pk__in=buckets.filter(source=Source.PLAN).values("connection_id")),
            Sum("tariff_plan__data_bytes"),
        ),
        "near": (near_limit(connections, now=now), Count("pk")),
        "unlimited": (connections.filter(tariff_plan__data_bytes__isnull=True), Count("pk")),
    }


def summed(figures: Mapping[str, Any]) -> DataSummary:
    """A `DataSummary` from the figures of `data_summary_parts` (a sum over no rows is NULL: nothing)."""
    return DataSummary(
        left=int(figures.get("in_buckets") or 0) + int(figures.get("whole") or 0),
        unlimited=int(figures.get("unlimited") or 0),
        near_limit=int(figures.get("near") or 0),
    )


def data_summary(connections: QuerySet[Connection], *, now: datetime.datetime | None = None) -> DataSummary:
    """Data left in total, unlimited connections and connections near their limit, in the current cycles.

    Four aggregate queries whatever the number of connections (the sums and the per-connection grouping run in
    the database). A connection with no use recorded in its cycle counts with its plan's allowance whole.
    """
    parts = data_summary_parts(connections, now or timezone.now())
    return summed({name: rows.aggregate(figure=figure)["figure"] for name, (rows, figure) in parts.items()})


def itemised_events(connection: Connection, year: int, month: int) -> QuerySet[UsageEvent]:
    """The connection's usage records that started in this calendar month (Europe/Riga), in time order: the rows
    of the itemised export. Late records are in the month they happened in, as on the bill."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=zone)
    end = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return UsageEvent.objects.filter(connection=connection, started_at__gte=start, started_at__lt=end).order_by(
        "started_at", "pk"
    )
