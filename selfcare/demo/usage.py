"""Demo usage: a believable current and previous billing cycle for the demo persons' connections and a few of each
company's, fed through the real ingestion (selfcare.usage.ingest), so the demo shows what production would.

The stories the README tells (Marta near her limit, Pēteris's trip in the EU, the daily chart) must hold whenever the
demo is loaded, also on the 1st of a month at 00:20. So the demo accounts' billing cycles are placed relative to the
day of loading (`placed_cycle_day`: today is about DAYS_INTO_CYCLE days into the cycle) and kept on later loads
while today is at least MIN_DAYS_INTO_CYCLE days in; when a later load moves a cycle, that account's demo usage is
made anew (`reset_usage`).

Deterministic: a whole cycle's use is planned from a random generator seeded by (SEED, number, day), every event
has a fixed id and its amount does not depend on when the demo is loaded, so loading again records nothing new —
except the hours that have passed since (usage follows the clock). Profiles: light, normal, near the limit (more
than 90% of the allowance used in the cycle's first NEAR_DAYS days), roaming (a trip in the EU early in the cycle, its
last day in Switzerland: world zone 1, priced out of bundle at its zone's rate) and heavy (unlimited plans).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from selfcare.customers.models import GB, Connection, CustomerAccount
from selfcare.demo import dataset
from selfcare.spend.models import SpendAlert
from selfcare.usage.cycles import billing_zone, cycle_bounds, local_day
from selfcare.usage.ingest import EventRow, IngestResult, Rejected, ingest, parse_row
from selfcare.usage.models import BillingCycle, Bucket, CycleSpend, DailyUsage, UsageEvent, ZoneOutOfBucket

SEED = 20261124  # fixed: the demo looks the same on every machine
# (first hour, share of the day's data): night, morning commute, work, afternoon, evening, late evening.
DAY_RHYTHM = ((1, 0.04), (7, 0.14), (10, 0.16), (13, 0.18), (17, 0.20), (20, 0.28))
COMPANY_CONNECTIONS_WITH_USAGE = 4
# Named demo connections and their profile; generated ones get a profile from their position.
PROFILES = {
    "+37125500001": "roaming",  # Pēteris: 15 GB plan, a trip in the EU this cycle
    "+37129100001": "heavy",  # Anna: unlimited
    "+37129100002": "near",  # Marta: 10 GB, nearly used up
}
GENERATED_PROFILES = ("normal", "near", "light", "roaming")
# Share of the allowance used over a whole cycle.
CYCLE_SHARE = {"light": 0.25, "normal": 0.6, "near": 0.98, "roaming": 0.7, "heavy": 0.0}
# "near": this share of the allowance is used in the first NEAR_DAYS days, the rest of CYCLE_SHARE after them.
NEAR_SHARE, NEAR_DAYS = 0.92, 9
HEAVY_DAY_BYTES = int(1.4 * GB)
TRIP_DAYS = 4
# The trip's last day is outside the EU, where data costs extra: a careful traveller uses this share of a usual day.
OUTSIDE_EU_COUNTRY, OUTSIDE_EU_DATA_SHARE = "CH", 0.05
# Where a demo account's cycle is placed: today is this many days after the cycle's first day.
DAYS_INTO_CYCLE = 18
# A later load keeps the cycle day while today is at least this many days in (the near-limit and trip stories
# need NEAR_DAYS and the trip's days behind them); otherwise it places the cycle anew.
MIN_DAYS_INTO_CYCLE = NEAR_DAYS + 1


def placed_cycle_day(current: int | None, now: datetime.datetime) -> int:
    """The billing cycle day of a demo account loaded at `now`: `current` while today is at least
    MIN_DAYS_INTO_CYCLE days into its cycle, otherwise the day that puts today DAYS_INTO_CYCLE days in (a cycle
    day past a month's end starts on its last day, so this holds in every month)."""
    today = local_day(now)
    if current is not None and (today - local_day(cycle_bounds(current, now)[0])).days >= MIN_DAYS_INTO_CYCLE:
        return current
    return (today - datetime.timedelta(days=DAYS_INTO_CYCLE)).day


def reset_usage(accounts: Iterable[CustomerAccount]) -> None:
    """Forget the usage of these (demo) accounts' connections: their cycles moved, so what was counted in the old
    ones is counted again in the new. A gift claimed meanwhile stays claimed; its bucket went with its cycle."""
    from selfcare.offers.models import OfferClaim

    account_ids = [a.pk for a in accounts]
    if not account_ids:
        return
    connections = Connection.objects.filter(account_id__in=account_ids).values("pk")
    with transaction.atomic():
        OfferClaim.objects.filter(bucket__cycle__account_id__in=account_ids).update(bucket=None)
        UsageEvent.objects.filter(connection_id__in=connections).delete()
        DailyUsage.objects.filter(connection_id__in=connections).delete()
        Bucket.objects.filter(cycle__account_id__in=account_ids).delete()
        ZoneOutOfBucket.objects.filter(cycle__account_id__in=account_ids).delete()
        # What was priced and alerted in the old cycles goes with them; the events priced again count anew.
        CycleSpend.objects.filter(cycle__account_id__in=account_ids).delete()
        SpendAlert.objects.filter(cycle__account_id__in=account_ids).delete()
        BillingCycle.objects.filter(account_id__in=account_ids).delete()


@dataclass(frozen=True)
class _Span:
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    def days(self) -> list[datetime.date]:
        first = local_day(self.starts_at)
        last = local_day(self.ends_at - datetime.timedelta(seconds=1))
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def demo_usage_connections() -> list[tuple[Connection, str]]:
    """The connections that get usage, with their profile."""
    chosen = [
        (c, PROFILES[c.msisdn])
        for c in Connection.objects.filter(msisdn__in=PROFILES).select_related("account", "tariff_plan")
    ]
    for company in dataset.COMPANIES:
        generated = (
            Connection.objects.filter(account__account_number=company.account_number)
            .exclude(msisdn__in=PROFILES)
            .select_related("tariff_plan", "account")
            .order_by("msisdn")[:COMPANY_CONNECTIONS_WITH_USAGE]
        )
        chosen += [(c, GENERATED_PROFILES[i % len(GENERATED_PROFILES)]) for i, c in enumerate(generated)]
    return chosen


def load_demo_usage(*, now: datetime.datetime | None = None) -> IngestResult:
    now = now or timezone.now()
    rows: list[list[str]] = []
    for connection, profile in demo_usage_connections():
        rows += _rows_for(connection, profile, now)
    parsed: list[EventRow | Rejected] = [parse_row(values, line, now=now) for line, values in enumerate(rows, 1)]
    return ingest(parsed, now=now)


def _rows_for(connection: Connection, profile: str, now: datetime.datetime) -> list[list[str]]:
    """The events of the previous and the current cycle that have happened by `now`."""
    day_of_cycle = connection.account.billing_cycle_day
    current = _Span(*cycle_bounds(day_of_cycle, now))
    previous = _Span(*cycle_bounds(day_of_cycle, current.starts_at - datetime.timedelta(seconds=1)))
    rows: list[list[str]] = []
    for span, is_current in ((previous, False), (current, True)):
        days = span.days()
        plan = _planned_data(connection, profile, days, is_current)
        trip = _trip(connection.msisdn, days) if profile == "roaming" and is_current else []
        for day in days:
            if datetime.datetime(day.year, day.month, day.day, tzinfo=billing_zone()) > now:
                break
            if trip and day == trip[-1]:
                data = int(plan[day] * OUTSIDE_EU_DATA_SHARE)
                rows += _day_rows(connection.msisdn, day, data, "world", now, country=OUTSIDE_EU_COUNTRY)
            else:
                rows += _day_rows(connection.msisdn, day, plan[day], "eu" if day in trip else "domestic", now)
    return rows


def _planned_data(
    connection: Connection, profile: str, days: list[datetime.date], is_current: bool
) -> dict[datetime.date, int]:
    """Bytes of data on each day of a whole cycle: fixed by the profile and the day, not by when it is loaded."""
    allowance = connection.tariff_plan.data_bytes
    if allowance is None or profile == "heavy":
        return {day: int(HEAVY_DAY_BYTES * _weight(connection.msisdn, day)) for day in days}
    if profile == "near" and is_current:
        early, late = days[:NEAR_DAYS], days[NEAR_DAYS:]
        return {
            **_spread(connection.msisdn, early, allowance * NEAR_SHARE),
            **_spread(connection.msisdn, late, allowance * (CYCLE_SHARE["near"] - NEAR_SHARE)),
        }
    share = CYCLE_SHARE[profile] if is_current else min(CYCLE_SHARE[profile] + 0.05, 0.97)
    return _spread(connection.msisdn, days, allowance * share)


def _weight(msisdn: str, day: datetime.date) -> float:
    return _rng(msisdn, day).uniform(0.4, 1.6) * (1.3 if day.weekday() >= 5 else 1)


def _spread(msisdn: str, days: list[datetime.date], total: float) -> dict[datetime.date, int]:
    """`total` bytes over `days`, more on busy days and weekends; the parts add up to at most `total`."""
    weights = {day: _weight(msisdn, day) for day in days}
    whole = sum(weights.values())
    return {day: int(total * weight / whole) for day, weight in weights.items()}


def _rng(msisdn: str, day: datetime.date) -> random.Random:
    return random.Random(f"{SEED}:{msisdn}:{day.isoformat()}")


def _trip(msisdn: str, days: list[datetime.date]) -> list[datetime.date]:
    """TRIP_DAYS consecutive days abroad (the last one outside the EU), over by the time a demo account is
    MIN_DAYS_INTO_CYCLE days into its cycle."""
    start = _rng(msisdn, days[0]).randrange(0, MIN_DAYS_INTO_CYCLE - TRIP_DAYS + 1)
    return days[start : start + TRIP_DAYS]


def _day_rows(
    msisdn: str, day: datetime.date, data_bytes: int, zone: str, now: datetime.datetime, *, country: str = ""
) -> list[list[str]]:
    """The day's events in the usage format, with the visited country (empty at home and in the EU)."""
    rng = _rng(msisdn, day)
    rows = []
    for hour, share in DAY_RHYTHM:
        started = datetime.datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=billing_zone())
        if started > now:
            break
        key = f"demo:{msisdn}:{day.isoformat()}:data:{hour}"
        rows.append([key, msisdn, "data", zone, started.isoformat(), str(int(data_bytes * share)), country])
    calls = rng.randrange(1, 5)
    for n in range(1 if country else calls):  # outside the EU, where calls cost extra: one short call
        started = datetime.datetime(day.year, day.month, day.day, 9 + 3 * n, rng.randrange(60), tzinfo=billing_zone())
        if started <= now:
            seconds = str(rng.randrange(20, 120 if country else 600))
            rows.append(
                [
                    f"demo:{msisdn}:{day.isoformat()}:voice:{n}",
                    msisdn,
                    "voice",
                    zone,
                    started.isoformat(),
                    seconds,
                    country,
                ]
            )
    if rng.random() < 0.5:
        started = datetime.datetime(day.year, day.month, day.day, 18, rng.randrange(60), tzinfo=billing_zone())
        if started <= now:
            rows.append(
                [f"demo:{msisdn}:{day.isoformat()}:sms", msisdn, "sms", zone, started.isoformat(), "1", country]
            )
    return rows
