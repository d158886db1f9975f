"""Dashboard server time for the notice's picture at scale: a person with private connections and 4 companies ×
2,500 connections, against the floor of a trivial view served to the same logged-in client (same middleware,
session and authentication), in the same run. Target: p95 ≤ 50 ms (issue 19).

Then the same person at 4 × 25,000 (100,000 connections), each with a data bucket in its current cycle and one in
twenty near its limit: every company is a summary there (data left in total, numbers near their limit), kept per
company (selfcare.usage.summaries) rather than summed per view. The warm-up view, not among the samples, sums them
once after the usage is loaded, as the minute task (usage.refresh_company_summaries) otherwise would.

Then the curve: a person who is the main user of one company of 10, 100, 1,000, 10,000 and 100,000 connections (each
number with data used, as above), each size a line of its own against the same floor, with the statements of one
view; and the first paint of a person with ten companies (those five and five of 1,000): the first dashboard of a
new session, summaries kept fresh as the minute task keeps them. The companies are built once, in bulk, in a block
of numbers of their own."""

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


CURVE = (10, 100, 1_000, 10_000, 100_000)
EXTRA_FOR_TEN = (1_000,) * 5  # with the curve's five: the ten companies of the first-paint line
CURVE_BLOCK = 21  # +371 21xxxxxx: no demo number lives there
CURVE_PERSON = ("161175-19997", "BRUNO", "BENČS")
FIRST_PAINT_RUNS = 60


def run(report: Report) -> None:
    _measure(report, PER_COMPANY)
    _use_data_on_every_connection()
    _measure(report, PER_COMPANY_LARGE, usage_note="each with data used, 1 in 20 near its limit", load=False)
    _curve(report)


def _registration_numbers(count: int) -> list[str]:
    """Valid registration numbers no demo company has (the checksum is part of a valid number)."""
    from django.core.exceptions import ValidationError

    from selfcare.customers.models import Company
    from selfcare.identifiers.registration_number import parse_registration_number

    used = set(Company.objects.values_list("registration_number", flat=True))
    found: list[str] = []
    candidate = 40009000000
    while len(found) < count:
        candidate += 1
        try:
            number = parse_registration_number(str(candidate))
        except ValidationError:
            continue
        if number not in used:
            found.append(number)
    return found


def _bench_companies(sizes: tuple[int, ...]) -> list[int]:
    """One company per size with that many active connections, each with a data event as in
    _use_data_on_every_connection; built in bulk, numbers from CURVE_BLOCK. Their ids, in the order of `sizes`."""
    import datetime

    from django.utils import timezone

    from selfcare.customers.models import Company, Connection, ConnectionStatus, CustomerAccount, Segment, TariffPlan
    from selfcare.demo.loader import generated_msisdn

    now = timezone.now()
    plans = list(TariffPlan.objects.filter(segment=Segment.BUSINESS, data_bytes__isnull=False).order_by("code"))
    companies = []
    start = 0
    for position, (size, number) in enumerate(zip(sizes, _registration_numbers(len(sizes)), strict=True)):
        company = Company.objects.create(name=f"SIA Bench {position + 1:02d} ({size:,})", registration_number=number)
        account = CustomerAccount.objects.create(
            account_number=f"B-9{position:07d}", kind=Segment.BUSINESS, company=company, billing_cycle_day=1
        )
        rows = [
            Connection(
                msisdn=generated_msisdn(CURVE_BLOCK, start + index),
                account=account,
                tariff_plan=plans[index % len(plans)],
                status=ConnectionStatus.ACTIVE,
                activated_on=datetime.date(2021, 1, 1),
                user_label=f"Bench {index}",
            )
            for index in range(size)
        ]
        Connection.objects.bulk_create(rows, batch_size=5000)
        start += size
        events = [
            EventRow(
                index,
                f"bench-curve-{row.msisdn}",
                row.msisdn,
                "data",
                "domestic",
                now,
                int((row.tariff_plan.data_bytes or 0) * (0.95 if index % 20 == 0 else 0.10)),
            )
            for index, row in enumerate(rows)
        ]
        for offset in range(0, len(events), INGEST_BATCH):
            ingest(events[offset : offset + INGEST_BATCH], now=now)
        companies.append(company.pk)
    return companies


def _main_user_of(identity: object, company_ids: list[int]) -> None:
    """Make the curve's person the main user of exactly these companies (their mandates, nothing else)."""
    import datetime

    from django.utils import timezone

    from selfcare.mandates.models import Mandate, MandateStatus

    code = CURVE_PERSON[0].replace("-", "")
    Mandate.objects.filter(attorney_code=code).delete()
    today = timezone.localdate()
    Mandate.objects.bulk_create(
        Mandate(
            company_id=company_id,
            attorney_country="LV",
            attorney_code=code,
            attorney_name=f"{CURVE_PERSON[1]} {CURVE_PERSON[2]}",
            status=MandateStatus.ACTIVE,
            valid_from=today - datetime.timedelta(days=30),
            valid_until=today + datetime.timedelta(days=335),
        )
        for company_id in company_ids
    )


def _statements(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _curve(report: Report) -> None:
    code, given, family = CURVE_PERSON
    identity = identity_for(VerifiedIdentity("smartid", "LV", code.replace("-", ""), given, family, "qualified", {}))
    started = time.perf_counter()
    companies = _bench_companies(CURVE + EXTRA_FOR_TEN)
    report.note(
        f"  curve: {sum(CURVE + EXTRA_FOR_TEN):,} connections in {len(companies)} companies built and their usage"
        f" ingested in {time.perf_counter() - started:.1f} s"
    )
    for size, company_id in zip(CURVE, companies, strict=False):
        _main_user_of(identity, [company_id])
        client = Client()
        client.force_login(identity.user)
        dashboard = _timings(client, "/en/dashboard/", RUNS)  # its warm-up view sums the company once
        floor = _timings(client, "/brand.css", RUNS)
        statements = _statements(client, "/en/dashboard/")
        report.ratio(
            f"dashboard p95, one company of {size:,} ({statements} statements)",
            product=p95(dashboard),
            floor=p95(floor),
            unit="ms",
            target="<= 50 ms",
        )
    _main_user_of(identity, companies)
    warm = Client()
    warm.force_login(identity.user)
    warm.get("/en/dashboard/")  # the minute task's work: the ten companies' summaries, kept
    floor = _timings(warm, "/brand.css", RUNS)
    first: list[float] = []
    # One client for every new session: a new test client would build its own middleware chain (WhiteNoise alone
    # scans every static file then), which a server process does once, at start.
    client = Client()
    for _ in range(FIRST_PAINT_RUNS):
        client.cookies.clear()
        client.force_login(identity.user)
        began = time.perf_counter()
        response = client.get("/en/dashboard/")
        first.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
        assert response.content.count(b"SIA Bench") >= len(companies)
    report.ratio(
        f"dashboard first paint p95, ten companies ({sum(CURVE + EXTRA_FOR_TEN):,})",
        product=p95(first),
        floor=p95(floor),
        unit="ms",
        target="<= 50 ms",
    )
    report.note(f"  load average: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


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
