"""Ingestion of whole batches: a batch sums its events before debiting, yet counts exactly what the same events fed
one at a time count; a batch that meets ids recorded meanwhile (by a replay the quick path did not foresee, or by a
concurrent import of the same file) still records and debits each event once."""

from __future__ import annotations

import datetime
import random
import threading
import time
from typing import Any

import pytest
from django.db import connection as db
from django.db import connections, transaction

from selfcare.customers.models import GB, Connection
from selfcare.customers.tests import factories
from selfcare.tests.clock import at, riga
from selfcare.usage import ingest as ingest_module
from selfcare.usage.ingest import IngestResult
from selfcare.usage.models import Bucket, DailyUsage, UsageEvent, ZoneOutOfBucket
from selfcare.usage.services import grant_bonus, remaining_summary
from selfcare.usage.tests.helpers import feed, row

MB = 1000**2


def _twins(cycle_day: int) -> tuple[Connection, Connection]:
    """Two connections alike in everything that decides a debit: plan, cycle day and gifts."""
    plan = factories.tariff_plan(data_bytes=300 * MB, eu_data_bytes=200 * MB, voice_minutes=30, sms=20)
    pair = []
    for n in range(2):
        account = factories.business_account(billing_cycle_day=cycle_day)
        connection = factories.connection(tariff_plan=plan, account=account)
        # Given after the cycle began (on the 16th): a gift ending inside the cycle and one to its end, whose debits
        # depend on when each event happened.
        grant_bonus(
            connection,
            unit="byte",
            amount=80 * MB,
            label="Week",
            source_key=f"week-{connection.pk}-{n}",
            valid_until=riga(2027, 3, 18, 18),
        )
        grant_bonus(connection, unit="second", amount=600, label="Calls", source_key=f"calls-{connection.pk}-{n}")
        pair.append(connection)
    return pair[0], pair[1]


def _events(seed: int, count: int) -> list[tuple[datetime.datetime, str, str, int, str | None]]:
    """(started_at, kind, zone, quantity, country) in the order they happened, across the cycle's end (the 15th), so
    two cycles' buckets are made and debited. Each seed has its own places: the first Latvia, the EU and two world
    zones (the debit follows the events' order), the others fewer (the debit is worked out from the sums)."""
    chooser = random.Random(seed)
    places = [("domestic", None), ("domestic", None), ("eu", None), ("world", "CH"), ("world", "JP")]
    places = places[: {1: 5, 2: 2, 3: 4}[seed]]
    start = riga(2027, 3, 13, 0)
    events = []
    for _ in range(count):
        kind = chooser.choice(["data", "data", "voice", "sms"])
        zone, country = chooser.choice(places)
        quantity = {"data": chooser.randrange(1, 60) * MB, "voice": chooser.randrange(1, 600), "sms": 1}[kind]
        at_ = start + datetime.timedelta(minutes=chooser.randrange(0, 8 * 24 * 60))
        events.append((at_, kind, zone, quantity, country))
    return sorted(events, key=lambda e: e[0])


def _rows(connection: Connection, events: list[tuple[datetime.datetime, str, str, int, str | None]]) -> list[list[str]]:
    return [
        row(connection.msisdn, quantity, started, kind=kind, zone=zone, country=country)
        for started, kind, zone, quantity, country in events
    ]


def _counted(connection: Connection) -> dict[str, Any]:
    """What the connection's use came to: daily totals, buckets, and world zones' use out of bucket."""
    return {
        "daily": sorted(
            DailyUsage.objects.filter(connection=connection).values_list("day", "kind", "zone", "quantity")
        ),
        "buckets": sorted(
            Bucket.objects.filter(connection=connection).values_list(
                "cycle__starts_at", "kind", "zone", "source", "label", "used", "out_of_bucket"
            )
        ),
        "out_of_bucket": sorted(
            ZoneOutOfBucket.objects.filter(connection=connection).values_list(
                "cycle__starts_at", "kind", "zone", "quantity"
            )
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_batch_counts_what_the_same_events_fed_one_at_a_time_count(seed: int) -> None:
    with at(riga(2027, 3, 16, 9)):
        whole, one_by_one = _twins(cycle_day=15)
    events = _events(seed, 60)
    with at(riga(2027, 3, 21, 9)):
        assert feed(*_rows(whole, events)).recorded == 60
        for single in _rows(one_by_one, events):
            assert feed(single).recorded == 1
    assert _counted(whole) == _counted(one_by_one)
    assert _counted(whole)["daily"]  # something was counted at all


@pytest.mark.django_db
def test_a_batch_taken_for_new_that_holds_a_recorded_id_records_and_debits_only_its_new_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A few ids of a batch are looked up before it is copied in as new; here that lookup misses the recorded one.
    connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
    now = datetime.datetime.now(datetime.UTC)
    old = row(connection.msisdn, 7 * MB, now, key="already:1")
    assert feed(old).recorded == 1
    monkeypatch.setattr(ingest_module, "_any_recorded", lambda keys: False)
    new = [row(connection.msisdn, 1 * MB, now, key=f"new\\{n}\t") for n in range(20)]
    result = feed(*new[:10], old, *new[10:])
    assert (result.recorded, result.duplicates) == (20, 1)
    assert UsageEvent.objects.count() == 21
    assert remaining_summary(connection).data.used == 27 * MB
    assert sum(DailyUsage.objects.values_list("quantity", flat=True)) == 27 * MB


def _waiting_for_a_lock(timeout: float = 10.0) -> None:
    """Until another session of the test database waits for a lock (the other import's COPY, on an id this
    transaction claimed), or `timeout` seconds: either way the result must be the same."""
    deadline = time.monotonic() + timeout
    with db.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_ids_at_once_record_and_debit_each_event_once() -> None:
    if db.vendor != "postgresql":
        pytest.skip("SQLite serialises whole transactions: two imports cannot overlap")
    connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
    now = datetime.datetime.now(datetime.UTC)
    rows = [row(connection.msisdn, 1 * MB, now, key=f"race:{n}") for n in range(50)]
    other: list[IngestResult] = []

    def the_other_import() -> None:
        try:
            other.append(feed(*rows))
        finally:
            connections.close_all()

    with transaction.atomic():
        first = feed(*rows)  # recorded, not committed yet: the other import cannot see these ids
        racer = threading.Thread(target=the_other_import)
        racer.start()
        _waiting_for_a_lock()
    racer.join(timeout=60)
    assert (first.recorded, first.duplicates) == (50, 0)
    assert [(r.recorded, r.duplicates) for r in other] == [(0, 50)]
    assert UsageEvent.objects.count() == 50
    assert remaining_summary(connection).data.used == 50 * MB
    assert sum(DailyUsage.objects.values_list("quantity", flat=True)) == 50 * MB
