"""From a usage event sent to the feed API to its spend alert queued (DESIGN.md target: p95 ≤ 2 s).

Each sample is one connection with a 1 € cap: one event of 20 MB beyond its bundle (2 € at 0.10 €/MB) is POSTed
to `/feeds/v1/usage-events` with a feed key, through Django's test client; the clock stops when the alert's
sending task is in the task queue (django-tasks' database backend, what `make run` uses). The clock starts before
the request, so the time includes the whole feed call, not only what follows its acknowledgement. The floor: the
same request for a connection with no cap (priced, nothing to alert), in the same run.
"""

from __future__ import annotations

import datetime
import json
import time
from decimal import Decimal

from django.db import connection as db
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from selfcare.bench import Report, p95
from selfcare.customers.models import GB, Connection, CustomerAccount, Segment, TariffPlan
from selfcare.spend.models import SpendAlert, SpendCap
from selfcare.usage.feedkeys import feed_key_create
from selfcare.usage.models import Kind, OutOfBundleRate, Zone

SAMPLES = 100
MB = 1000**2


def _setup() -> tuple[list[Connection], list[Connection]]:
    plan = TariffPlan.objects.create(
        code="bench-alerts",
        name="Bench 1 GB",
        segment=Segment.PRIVATE,
        monthly_fee=9,
        data_bytes=GB,
        eu_data_bytes=GB,
    )
    OutOfBundleRate.objects.create(plan=plan, kind=Kind.DATA, zone=Zone.DOMESTIC, price=Decimal("0.10"), per=MB)
    account = CustomerAccount.objects.create(
        account_number="P-BENCH-ALERTS",
        kind=Segment.PRIVATE,
        holder_country="LV",
        holder_personal_code="01010110006",
        holder_name="Bench Holder",
    )
    Connection.objects.bulk_create(
        Connection(msisdn=f"+37124{i:06d}", account=account, tariff_plan=plan, activated_on=datetime.date(2024, 1, 1))
        for i in range(2 * SAMPLES)
    )
    connections = list(Connection.objects.filter(account=account).order_by("msisdn"))
    capped, free = connections[:SAMPLES], connections[SAMPLES:]
    SpendCap.objects.bulk_create(
        SpendCap(connection=c, amount=Decimal("1"), thresholds=[70, 100], data_alert=False) for c in capped
    )
    return capped, free


def _post(client: Client, key: str, connection: Connection, n: int) -> None:
    body = {
        "events": [
            {
                "event_id": f"bench-alert:{n}",
                "msisdn": connection.msisdn,
                "type": "data",
                "zone": "domestic",
                "started_at": timezone.now().isoformat(),
                "quantity": GB + 20 * MB,
            }
        ]
    }
    response = client.post(
        "/feeds/v1/usage-events", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 200, response.content
    assert response.json()["recorded"] == 1, response.content


def _alert_tasks() -> int:
    return DBTaskResult.objects.filter(task_path__endswith=".send_spend_alert").count()


def run(report: Report) -> None:
    # The alerts are queued in the database backend (`make run`'s), not run at once as in the tests.
    backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(DEBUG=False, TASKS=backend):
        _run(report)


def _run(report: Report) -> None:
    capped, free = _setup()
    _record, key = feed_key_create(name="bench-alerts")
    client = Client()
    alerted, floor = [], []
    earlier = _alert_tasks()  # queued by the benchmarks before this one (the usage import's capped connections)
    for n, (with_cap, without) in enumerate(zip(capped, free, strict=True)):
        started = time.perf_counter()
        _post(client, key, with_cap, 2 * n)
        # Two alerts per capped connection (70 % and 100 %): queued before the answer, which this only proves.
        while _alert_tasks() < earlier + 2 * (n + 1):
            time.sleep(0.001)
        alerted.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        _post(client, key, without, 2 * n + 1)
        floor.append((time.perf_counter() - started) * 1000)
    assert SpendAlert.objects.filter(connection__in=capped).count() == 2 * SAMPLES  # 70 % and 100 % of each, once
    report.note(f"  spend alerts on {db.vendor}: {SAMPLES} events, each over a 1 € cap, through the feed API")
    report.ratio(
        "usage event to spend alert queued, p95",
        product=p95(alerted),
        floor=p95(floor),
        unit="ms",
        target="<= 2000 ms",
    )
