"""Dashboard server time for the notice's picture at scale: a person with private connections and 4 companies ×
2,500 connections, against the floor of a trivial view served to the same logged-in client (same middleware,
session and authentication), in the same run. Target: p95 ≤ 50 ms (issue 19).

Then the same person at 4 × 25,000 (100,000 connections), each with a data bucket in its current cycle and one in
twenty near its limit: every company is a summary there (data left in total, numbers near their limit), kept per
company (selfcare.usage.summaries) rather than summed per view. The warm-up view, not among the samples, sums them
once after the usage is loaded, as the minute task (usage.refresh_company_summaries) otherwise would."""

from __future__ import annotations

import os
import time

from django.test import Client

from selfcare.bench import Report, p95
from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.services import identity_for
from selfcare.usage.ingest import EventRow, ingest

PER_COMPANY = 2500
PER_COMPANY_LARGE = 25_000
RUNS = 200
INGEST_BATCH = 5000


def _timings(client: Client, url: str, runs: int) -> list[float]:
    client.get(url)  # warm: the first request of a session also writes the session
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def run(report: Report) -> None:
    _measure(report, PER_COMPANY)
    _use_data_on_every_connection()
    _measure(report, PER_COMPANY_LARGE, usage_note="each with data used, 1 in 20 near its limit", load=False)


def _use_data_on_every_connection() -> None:
    """One data event per connection of the companies: 95 % of the allowance for one in twenty, 10 % for the
    rest, so the summaries' buckets are real rows (the demo's own usage covers only its named people)."""
    from django.utils import timezone

    from selfcare.customers.models import Connection

    load_demo(scale=PER_COMPANY_LARGE, usage=False)
    now = timezone.now()
    rows: list[EventRow] = []
    connections = Connection.objects.filter(account__company__isnull=False, tariff_plan__data_bytes__isnull=False)
    for index, (msisdn, allowance) in enumerate(connections.values_list("msisdn", "tariff_plan__data_bytes")):
        share = 0.95 if index % 20 == 0 else 0.10
        used = int((allowance or 0) * share)  # the query keeps plans with a data limit only
        rows.append(EventRow(index, f"bench-{msisdn}", msisdn, "data", "domestic", now, used))
        if len(rows) == INGEST_BATCH:
            ingest(rows, now=now)
            rows = []
    ingest(rows, now=now)


def _measure(report: Report, per_company: int, usage_note: str = "", *, load: bool = True) -> None:
    if load:
        load_demo(scale=per_company)
    anna = dataset.PERSONS[0]
    identity = identity_for(
        VerifiedIdentity("smartid", "LV", anna.personal_code.replace("-", ""), "ANNA", "BĒRZIŅA", "qualified", {})
    )
    client = Client()
    client.force_login(identity.user)
    dashboard = _timings(client, "/en/dashboard/", RUNS)
    floor = _timings(client, "/brand.css", RUNS)
    report.ratio(
        f"dashboard p95, 4 × {per_company:,} + private connections" + (f" ({usage_note})" if usage_note else ""),
        product=p95(dashboard),
        floor=p95(floor),
        unit="ms",
        target="<= 50 ms",
    )
    if load:
        # The connection page of one company number, as its main user sees it (usage, offers, audit record).
        from selfcare.customers.models import Connection

        number = (
            Connection.objects.filter(account__company__isnull=False)
            .order_by("pk")
            .values_list("pk", "account__company_id")[0]
        )
        page = _timings(client, f"/en/acting/company-{number[1]}/connections/{number[0]}/", RUNS)
        report.ratio(
            "connection page p95 (a company number)", product=p95(page), floor=p95(floor), unit="ms", target="<= 20 ms"
        )
    report.note(f"  load average: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
