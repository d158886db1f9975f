"""Demo usage: a believable current and previous billing cycle for the demo persons' connections and a few of each
company's, fed through the real ingestion (selfcare.usage.ingest), so the demo shows what production would.

Deterministic: every amount comes from a random generator seeded by (SEED, number, day), and every event has a
fixed id, so loading again records nothing new — except the hours that have passed since (usage follows the clock).
Profiles: light, normal, near the limit (about 95% of the allowance used by today) and roaming (a trip in the EU).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from selfcare.customers.models import GB, Connection
from selfcare.usage.cycles import RIGA, cycle_bounds
from selfcare.usage.ingest import EventRow, IngestResult, Rejected, ingest, parse_row

SEED = 20261124  # fixed: the demo looks the same on every machine
MB = 1000**2
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
SHARE_BY_NOW = {"light": 0.2, "normal": 0.5, "near": 0.95, "roaming": 0.6, "heavy": 0.0}


@dataclass(frozen=True)
class _Span:
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    def days(self, until: datetime.datetime) -> list[datetime.date]:
        first = self.starts_at.astimezone(RIGA).date()
        last = (min(self.ends_at, until) - datetime.timedelta(seconds=1)).astimezone(RIGA).date()
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def demo_usage_connections() -> list[tuple[Connection, str]]:
    """The connections that get usage, with their profile."""
    chosen = [(c, PROFILES[c.msisdn]) for c in Connection.objects.filter(msisdn__in=PROFILES).select_related("account")]
    from selfcare.demo import dataset

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
    day_of_cycle = connection.account.billing_cycle_day
    current = _Span(*cycle_bounds(day_of_cycle, now))
    previous = _Span(*cycle_bounds(day_of_cycle, current.starts_at - datetime.timedelta(seconds=1)))
    allowance = connection.tariff_plan.data_bytes
    rows: list[list[str]] = []
    for span, is_current in ((previous, False), (current, True)):
        days = span.days(now)
        if not days:
            continue
        full_cycle_days = len(_Span(span.starts_at, span.ends_at).days(span.ends_at))
        if allowance is None or profile == "heavy":
            target = int(1.4 * GB * len(days))
        elif is_current:
            target = int(allowance * SHARE_BY_NOW[profile] * (1 if profile == "near" else len(days) / full_cycle_days))
        else:
            target = int(allowance * min(SHARE_BY_NOW[profile] + 0.1, 0.98))
        trip = _trip(connection.msisdn, days) if profile == "roaming" and is_current else set()
        weights = [_rng(connection.msisdn, day).uniform(0.4, 1.6) * (1.3 if day.weekday() >= 5 else 1) for day in days]
        total_weight = sum(weights)
        for day, weight in zip(days, weights, strict=True):
            rows += _day_rows(connection.msisdn, day, int(target * weight / total_weight), day in trip, now)
    return rows


def _rng(msisdn: str, day: datetime.date) -> random.Random:
    return random.Random(f"{SEED}:{msisdn}:{day.isoformat()}")


def _trip(msisdn: str, days: list[datetime.date]) -> set[datetime.date]:
    """A few consecutive days in the EU, ending by today."""
    if len(days) < 2:
        return set(days)
    length = min(len(days), 4)
    start = _rng(msisdn, days[0]).randrange(0, len(days) - length + 1)
    return set(days[start : start + length])


def _day_rows(
    msisdn: str, day: datetime.date, data_bytes: int, abroad: bool, now: datetime.datetime
) -> list[list[str]]:
    rng = _rng(msisdn, day)
    zone = "eu" if abroad else "domestic"
    rows = []
    for hour, share in DAY_RHYTHM:
        started = datetime.datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=RIGA)
        if started > now:
            break
        key = f"demo:{msisdn}:{day.isoformat()}:data:{hour}"
        rows.append([key, msisdn, "data", zone, started.isoformat(), str(int(data_bytes * share))])
    for n in range(rng.randrange(1, 5)):
        started = datetime.datetime(day.year, day.month, day.day, 9 + 3 * n, rng.randrange(60), tzinfo=RIGA)
        if started <= now:
            seconds = str(rng.randrange(20, 600))
            rows.append(
                [f"demo:{msisdn}:{day.isoformat()}:voice:{n}", msisdn, "voice", zone, started.isoformat(), seconds]
            )
    if rng.random() < 0.5:
        started = datetime.datetime(day.year, day.month, day.day, 18, rng.randrange(60), tzinfo=RIGA)
        if started <= now:
            rows.append([f"demo:{msisdn}:{day.isoformat()}:sms", msisdn, "sms", zone, started.isoformat(), "1"])
    return rows
