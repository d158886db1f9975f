"""Usage ingestion and remaining-data reads (DESIGN.md targets: ≥ 25 % of a raw COPY of the same rows into
PostgreSQL, ≈ 100,000 events/s on 2 cores, and a replay of a file already imported ≥ 50 %; remaining data p95
≤ 20 ms).

Ingestion: a generated file of BENCH_USAGE_EVENTS events (default 1,000,000 on PostgreSQL, 100,000 on SQLite) over
10,000 connections is imported with `selfcare usage import`'s code path (parse, validate, resolve numbers, insert
idempotently, debit buckets, daily totals), against the floor of a raw load of the same file in the same run: on
PostgreSQL `COPY … FROM STDIN (FORMAT csv)` into a table of the same six columns with a unique event id, on SQLite
`executemany` INSERT of the same rows. Then the same file again (a replay: nothing recorded), and a next file of
as many new events over the same days, against its own raw load: the first import opens every connection's cycle
(seven plan buckets each), the next finds them, as every import of a cycle but its first does.

Pricing: the plan has out-of-bundle rates and as many minutes of calls as each connection has events (about half
the connections go beyond them), one connection in a hundred a spend cap; the time ingestion spends pricing and
checking alerts is measured in the same import, so the rate without them is reported beside the rate with them.

Remaining data: `remaining_summary` for random connections against the floor of one indexed read of a connection;
and the connection page through Django's test client against the floor of a trivial view for the same client.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection as db
from django.test import Client, override_settings
from django.utils import timezone

from selfcare.bench import Report, p95, timed
from selfcare.customers.models import GB, Connection, CustomerAccount, Segment, TariffPlan
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.services import identity_for
from selfcare.spend.models import SpendAlert, SpendCap
from selfcare.usage import ingest as ingest_module
from selfcare.usage.csvfile import import_file
from selfcare.usage.ingest import FIELDS, IngestResult
from selfcare.usage.models import Bucket, CycleSpend, Kind, OutOfBundleRate, Zone
from selfcare.usage.partitions import is_partitioned, monthly_partitions
from selfcare.usage.services import remaining_summary

CONNECTIONS = 10_000
LOOKUPS = 500
PAGE_RUNS = 200
BENCH_CODE = "010101-10006"
MB = 1000**2
PRICES = [
    (Kind.DATA, Zone.DOMESTIC, "0.0100", MB),
    (Kind.DATA, Zone.EU, "0.0015", MB),
    (Kind.VOICE, Zone.DOMESTIC, "0.0450", 60),
    (Kind.SMS, Zone.DOMESTIC, "0.0600", 1),
]  # a made-up personal code with a valid checksum: the bench's own account holder


def _events() -> int:
    default = 1_000_000 if db.vendor == "postgresql" else 100_000
    return int(os.environ.get("BENCH_USAGE_EVENTS", default))


def _setup(events: int | None = None) -> tuple[list[Connection], str]:
    """The bench's plan, account and connections; the plan's minutes scale with the events per connection, so that
    at any BENCH_USAGE_EVENTS about half the connections' calls go beyond them and pricing has work to do."""
    per_connection = (events if events is not None else _events()) / CONNECTIONS
    plan = TariffPlan.objects.create(
        code="bench-usage",
        name="Bench 15 GB",
        segment=Segment.PRIVATE,
        monthly_fee=19,
        data_bytes=15 * GB,
        eu_data_bytes=15 * GB,
        # One minute per event of a connection: its calls (15 % of its events, 7.5 minutes each on average, so
        # 1.1 minutes per event) go beyond the bundle for about half the connections, and pricing has work to do
        # (100 minutes at 1,000,000 events, as before).
        voice_minutes=max(1, round(per_connection)),
        sms=500,
    )
    for kind, zone, price, per in PRICES:
        OutOfBundleRate.objects.create(plan=plan, kind=kind, zone=zone, price=Decimal(price), per=per)
    account = CustomerAccount.objects.create(
        account_number="P-BENCH-USAGE",
        kind=Segment.PRIVATE,
        holder_country="LV",
        holder_personal_code=BENCH_CODE.replace("-", ""),
        holder_name="Bench Holder",
    )
    Connection.objects.bulk_create(
        (
            Connection(
                msisdn=f"+37123{i:06d}", account=account, tariff_plan=plan, activated_on=datetime.date(2024, 1, 1)
            )
            for i in range(CONNECTIONS)
        ),
        batch_size=2000,
    )
    connections = list(Connection.objects.filter(account=account).select_related("account", "tariff_plan"))
    # One connection in a hundred has a spend cap of 0.50 €, so every batch checks some and some alert.
    SpendCap.objects.bulk_create(
        SpendCap(connection=c, amount=Decimal("0.50"), thresholds=[70, 100]) for c in connections[::100]
    )
    return connections, f"{settings.VAR_DIR}/bench-usage.csv"


@contextlib.contextmanager
def _timing_pricing() -> Iterator[list[float]]:
    """Time spent in ingestion's pricing and alert steps (seconds, in the list yielded), measured by wrapping the
    functions ingestion calls for them, so the import's rate without them comes from the same run."""
    spent = [0.0]
    names = ("refresh_spend", "refresh_spend_in_sql", "capped_pairs_in_sql", "watched_pairs", "raise_alerts")
    originals = {name: getattr(ingest_module, name) for name in names}

    def clocked(function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return run

    for name, function in originals.items():
        setattr(ingest_module, name, clocked(function))
    try:
        yield spent
    finally:
        for name, function in originals.items():
            setattr(ingest_module, name, function)


def _write_file(path: Path, count: int, msisdns: list[str], *, prefix: str = "bench", seed: int = 8) -> None:
    rng = random.Random(seed)  # fixed: the same file in every run
    now = timezone.now()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for n in range(count):
            roll = rng.random()
            kind, quantity = (
                ("data", rng.randrange(1, 50_000_000))
                if roll < 0.8
                else ("voice", rng.randrange(1, 900))
                if roll < 0.95
                else ("sms", 1)
            )
            zone = "domestic" if rng.random() < 0.93 else "eu"
            started = now - datetime.timedelta(seconds=rng.randrange(1, 20 * 86400))
            writer.writerow([f"{prefix}:{n}", msisdns[n % len(msisdns)], kind, zone, started.isoformat(), quantity])


def _raw_load(path: Path) -> float:
    """The floor: the same rows loaded without any of the product's work."""
    with db.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_usage")
        cursor.execute(
            "CREATE TABLE bench_raw_usage (event_id varchar(200) PRIMARY KEY, msisdn varchar(16), type varchar(5), "
            "zone varchar(8), started_at timestamp with time zone, quantity bigint)"
        )
        started = time.perf_counter()
        if db.vendor == "postgresql":
            with (
                path.open("rb") as handle,
                cursor.cursor.copy("COPY bench_raw_usage FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        else:
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                next(reader)
                cursor.executemany("INSERT INTO bench_raw_usage VALUES (%s, %s, %s, %s, %s, %s)", list(reader))
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_usage")
    return elapsed


def _page_timings(client: Client, url: str) -> list[float]:
    client.get(url)
    samples = []
    for _ in range(PAGE_RUNS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def _page_split(client: Client, url: str) -> tuple[int, float, list[tuple[float, str]]]:
    """Where one page's time goes: its number of statements, the median time spent in them (ms) and the median of
    each statement (ms, its first words), over PAGE_RUNS requests."""
    per_statement: dict[int, list[tuple[float, str]]] = {}
    totals: list[float] = []
    for _ in range(PAGE_RUNS):
        this_run: list[tuple[float, str]] = []

        def clock(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                this_run.append(((time.perf_counter() - started) * 1000, " ".join(sql.split()[:6])[:70]))  # noqa: B023

        with db.execute_wrapper(clock):
            client.get(url)
        totals.append(sum(ms for ms, _sql in this_run))
        for index, sample in enumerate(this_run):
            per_statement.setdefault(index, []).append(sample)
    statements = [(statistics.median(ms for ms, _ in samples), samples[0][1]) for samples in per_statement.values()]
    return len(per_statement), statistics.median(totals), statements


def run(report: Report) -> None:
    # Production runs with DEBUG off; on, Django would format every statement's parameters for its query log.
    with override_settings(DEBUG=False):
        _run(report)


def _run(report: Report) -> None:
    connections, file_name = _setup()
    path = Path(file_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = _events()
    _write_file(path, count, [c.msisdn for c in connections])
    floor = _raw_load(path)
    imported: dict[str, IngestResult] = {}
    with _timing_pricing() as pricing:
        product = timed(lambda: imported.update(result=import_file(path)))
    result = imported["result"]
    assert result.recorded == count, result.recorded
    assert not result.rejected, result.rejected[:3]
    report.note(f"  load average after the import: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    partitions = monthly_partitions() if is_partitioned() else {}
    report.note(f"  usage events: {f'partitioned by month ({len(partitions)} months)' if partitions else 'one table'}")
    report.ratio(
        f"usage import, {count:,} events, against raw COPY",
        product=count / product,
        floor=count / floor,
        unit="events/s",
        target="ratio >= 0.25",
    )
    report.ratio(
        "usage import without its pricing and alert checks",
        product=count / (product - pricing[0]),
        floor=count / floor,
        unit="events/s",
        target="ratio >= 0.25",
    )
    priced = CycleSpend.objects.count()
    report.note(
        f"  pricing and alert checks: {pricing[0]:.2f} s of {product:.2f} s ({100 * pricing[0] / product:.1f} %); "
        f"{priced:,} cycles with out-of-bundle charges, {SpendAlert.objects.count():,} alerts raised"
    )
    replay = timed(lambda: imported.update(result=import_file(path)))
    assert imported["result"].recorded == 0, imported["result"].recorded
    report.ratio(
        "usage import replayed (nothing recorded)",
        product=count / replay,
        floor=count / floor,
        unit="events/s",
        target="ratio >= 0.5",
    )
    path.unlink()
    # The next file of the same days: new events for cycles the first import opened (their plan buckets exist), as
    # every import of a cycle but its first finds them; against a COPY of this file in the same run.
    _write_file(path, count, [c.msisdn for c in connections], prefix="bench-next", seed=10)
    floor_next = _raw_load(path)
    buckets_before = Bucket.objects.count()
    following = timed(lambda: imported.update(result=import_file(path)))
    assert imported["result"].recorded == count, imported["result"].recorded
    report.ratio(
        "usage import of the next file (cycles already open)",
        product=count / following,
        floor=count / floor_next,
        unit="events/s",
        target="ratio >= 0.25",
    )
    report.note(f"  plan buckets the next file still had to make: {Bucket.objects.count() - buckets_before:,}")
    path.unlink()

    rng = random.Random(9)
    sample = [rng.choice(connections) for _ in range(LOOKUPS)]
    service, floor_reads = [], []
    for connection in sample:
        started = time.perf_counter()
        remaining_summary(connection)
        service.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        Connection.objects.filter(pk=connection.pk).first()
        floor_reads.append((time.perf_counter() - started) * 1000)
    report.ratio(
        "remaining data p95, service call", product=p95(service), floor=p95(floor_reads), unit="ms", target="<= 20 ms"
    )

    identity = identity_for(VerifiedIdentity("smartid", "LV", BENCH_CODE.replace("-", ""), "B", "H", "qualified", {}))
    client = Client()
    client.force_login(identity.user)
    page = _page_timings(client, f"/en/acting/private/connections/{sample[0].pk}/")
    trivial = _page_timings(client, "/brand.css")
    report.ratio(
        "remaining data p95, connection page", product=p95(page), floor=p95(trivial), unit="ms", target="<= 20 ms"
    )
    count, in_sql, statements = _page_split(client, f"/en/acting/private/connections/{sample[0].pk}/")
    report.note(
        f"  connection page: median {statistics.median(page):.1f} ms, of it {count} statements {in_sql:.1f} ms "
        f"(the rest is Python: middleware, access, template)"
    )
    for ms, sql in statements:
        report.note(f"    {ms:6.2f} ms  {sql}")
