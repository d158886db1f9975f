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
from selfcare.usage.cycles import cycle_for
from selfcare.usage.ingest import IngestResult
from selfcare.usage.models import Bucket, DailyUsage, UsageEvent, UsageEventKey, ZoneOutOfBucket
from selfcare.usage.services import ensure_plan_buckets, grant_bonus, remaining_summary
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
    monkeypatch.setattr(ingest_module, "any_recorded", lambda keys: False)
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


def _every_bucket_field(connection: Connection) -> list[tuple[Any, ...]]:
    """Everything about the connection's buckets but their ids (the cycle by its bounds)."""
    fields = ("kind", "zone", "source", "label", "allowance", "fair_use_cap", "used", "out_of_bucket", "priority")
    rows = Bucket.objects.filter(connection=connection).values_list(
        "cycle__starts_at", "cycle__ends_at", *fields, "valid_from", "valid_until", "source_key", "as_of"
    )
    return sorted(rows, key=repr)


def _opened(monkeypatch: pytest.MonkeyPatch) -> list[set[tuple[int, int]]]:
    """What each call of ingestion's `_open_with_debit` returned (the pairs whose buckets it COPYed in debited)."""
    returned: list[set[tuple[int, int]]] = []
    original = ingest_module._open_with_debit

    def spy(*args: Any, **kwargs: Any) -> set[tuple[int, int]]:
        pairs = original(*args, **kwargs)
        returned.append(pairs)
        return pairs

    monkeypatch.setattr(ingest_module, "_open_with_debit", spy)
    return returned


@pytest.mark.django_db
@pytest.mark.parametrize("unlimited", [False, True])
@pytest.mark.parametrize(
    ("probe_misses", "general_debit"), [(False, False), (False, True), (True, False)], ids=["", "general", "miss"]
)
def test_a_cycle_a_batch_opens_gets_the_buckets_and_counts_of_a_cycle_opened_before(
    monkeypatch: pytest.MonkeyPatch, unlimited: bool, probe_misses: bool, general_debit: bool
) -> None:
    # Small allowances, so that the batch goes beyond some of them; world zones, so that their use out of bucket is
    # counted per zone. One connection's cycles have their plan buckets before the batch (the SQL debit), the
    # other's are opened by the batch (the buckets COPYed in with the debit worked out in Python), in one batch.
    plan = factories.tariff_plan(
        data_bytes=None if unlimited else 300 * MB,
        fair_use_bytes=900 * MB if unlimited else None,
        eu_data_bytes=200 * MB,
        voice_minutes=30,
        sms=20,
    )
    before, by_batch = (
        factories.connection(tariff_plan=plan, account=factories.business_account(billing_cycle_day=15))
        for _ in range(2)
    )
    opened = _opened(monkeypatch)
    if general_debit:
        # No kind and zone taken for one bucket alone: every use goes through `buckets.debit`.
        shape = ingest_module._plan_shape
        monkeypatch.setattr(ingest_module, "_plan_shape", lambda *args: shape(*args)._replace(only={}))
    if probe_misses:
        # The batch takes both connections' cycles for new: the COPY meets the plan buckets made before and gives
        # way to the SQL debit for all of them.
        monkeypatch.setattr(ingest_module, "_pairs_with_buckets", lambda pairs: set())
    events = _events(1, 80)
    with at(riga(2027, 3, 21, 9)):
        for moment in (riga(2027, 3, 13), riga(2027, 3, 20)):  # the two cycles the events fall in
            ensure_plan_buckets(before, cycle_for(before.account, moment))
        result = feed(*_rows(before, events), *_rows(by_batch, events))
    assert result.recorded == 160
    assert _every_bucket_field(by_batch) == _every_bucket_field(before)
    assert _counted(by_batch) == _counted(before)
    counted = _counted(by_batch)
    assert any(out for *_rest, out in counted["buckets"])  # some use went beyond an allowance
    assert counted["out_of_bucket"]  # and some of it in a world zone
    if db.vendor == "postgresql":
        cycles = {b.cycle_id for b in Bucket.objects.filter(connection=by_batch)}
        assert opened == [set() if probe_misses else {(by_batch.pk, cycle) for cycle in cycles}]


@pytest.mark.django_db
@pytest.mark.parametrize("probe_misses", [False, True])
def test_a_first_batch_of_a_day_and_a_later_one_give_the_totals_of_one_batch(
    monkeypatch: pytest.MonkeyPatch, probe_misses: bool
) -> None:
    plan = factories.tariff_plan(data_bytes=300 * MB, eu_data_bytes=200 * MB, voice_minutes=30, sms=20)
    in_two, in_one = (factories.connection(tariff_plan=plan) for _ in range(2))
    copied: list[str] = []
    copy_text = ingest_module._copy_text

    def spy(cursor: Any, table: str, names: str, lines: Any) -> None:
        copied.append(table)
        copy_text(cursor, table, names, lines)

    monkeypatch.setattr(ingest_module, "_copy_text", spy)
    if probe_misses:
        # The second batch's days are taken for new: the COPY meets the first batch's totals and gives way to the
        # upsert.
        monkeypatch.setattr(ingest_module, "_any_daily_total", lambda days: False)
    events = _events(2, 60)  # 13 to 21 March
    split = riga(2027, 3, 16, 12)  # the 16th is counted by both batches
    first, later = [e for e in events if e[0] < split], [e for e in events if e[0] >= split]
    with at(riga(2027, 3, 21, 9)):
        assert feed(*_rows(in_two, first)).recorded == len(first)
        first_copied, copied[:] = list(copied), []
        assert feed(*_rows(in_two, later)).recorded == len(later)
        later_copied = list(copied)
        assert feed(*_rows(in_one, events)).recorded == len(events)
    assert first
    assert later
    assert _counted(in_two)["daily"] == _counted(in_one)["daily"]
    assert len(_counted(in_one)["daily"]) > 5
    if db.vendor == "postgresql":
        # The first batch of its days: COPYed straight in. The later one: upserted from a staged copy, after a COPY
        # that met the first batch's totals if the probe missed them.
        assert "usage_dailyusage" in first_copied
        assert "usage_daily_sums" not in first_copied
        assert "usage_daily_sums" in later_copied
        assert ("usage_dailyusage" in later_copied) is probe_misses


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_batch_whose_sums_are_worked_out_alongside_its_copy_counts_what_one_worked_out_after_counts(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file's batch (ALONGSIDE_FROM events and more) has its sums worked out in a thread while its events are
    # copied in; here every batch does, beside twins whose batch has them worked out in the caller's thread.
    with at(riga(2027, 3, 16, 9)):
        alongside, after = _twins(cycle_day=15)
    events = _events(seed, 60)
    with at(riga(2027, 3, 21, 9)):
        monkeypatch.setattr(ingest_module, "ALONGSIDE_FROM", 1)
        assert feed(*_rows(alongside, events)).recorded == 60
        monkeypatch.setattr(ingest_module, "ALONGSIDE_FROM", 10**9)
        assert feed(*_rows(after, events)).recorded == 60
    assert _counted(alongside) == _counted(after)
    assert _counted(alongside)["daily"]


@pytest.mark.django_db
def test_an_error_while_the_sums_are_worked_out_alongside_reaches_the_caller_and_records_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if db.vendor != "postgresql":
        pytest.skip("SQLite debits in Python as it goes: the sums alongside the COPY are PostgreSQL's")
    connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
    now = datetime.datetime.now(datetime.UTC)
    in_thread: list[str] = []

    def failing(fresh: Any) -> Any:
        in_thread.append(threading.current_thread().name)
        raise ValueError("the sums failed")

    monkeypatch.setattr(ingest_module, "ALONGSIDE_FROM", 1)
    monkeypatch.setattr(ingest_module, "_sums", failing)
    with pytest.raises(ValueError, match="the sums failed"):
        feed(*(row(connection.msisdn, MB, now) for _ in range(5)))
    assert in_thread
    assert in_thread[0].startswith("usage-sums")
    assert UsageEvent.objects.count() == 0
    assert not DailyUsage.objects.exists()
    assert not Bucket.objects.filter(connection=connection, used__gt=0).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_batch_prepared_ahead_with_its_copy_lines_counts_what_the_same_rows_ingested_count(seed: int) -> None:
    # A file's batch is prepared in the parser thread (ids repeated in it told apart, the events' COPY lines made
    # before the numbers are resolved) and ingested after; twins fed the same rows through `ingest` count the same.
    with at(riga(2027, 3, 16, 9)):
        prepared, fed = _twins(cycle_day=15)
    events = _events(seed, 60)
    with at(riga(2027, 3, 21, 9)):
        now = datetime.datetime.now(datetime.UTC)
        results = []
        for connection in (prepared, fed):
            rows = _rows(connection, events)
            rows[3][0] = f"odd\\id\\{connection.pk}"  # a character COPY's text format escapes
            rows += [rows[5], row("+37120000000", MB, now), [rows[6][0], "not a number", "data", "domestic"]]
            parse = ingest_module.row_parser(now)
            parsed = [parse(values, line) for line, values in enumerate(rows, start=2)]
            if connection is prepared:
                batch = ingest_module.prepare(parsed, copy_lines=db.vendor == "postgresql")
                results.append(ingest_module.ingest_prepared(batch, now=now))
            else:
                results.append(ingest_module.ingest(parsed, now=now))
    assert (results[0].received, results[0].recorded, results[0].duplicates) == (63, 60, 1)
    assert [(r.line, r.code) for r in results[0].rejected] == [(r.line, r.code) for r in results[1].rejected]
    assert (results[1].received, results[1].recorded, results[1].duplicates) == (63, 60, 1)
    assert UsageEvent.objects.filter(source_key=f"odd\\id\\{prepared.pk}").exists()
    assert _counted(prepared) == _counted(fed)
    assert _counted(prepared)["daily"]


@pytest.mark.django_db
def test_a_batch_whose_groups_reach_one_bucket_or_several_counts_what_its_events_fed_one_at_a_time_count() -> None:
    # Most of a batch's sums reach one bucket each, some reach several (an add-on over the whole cycle beside the
    # plan's bucket: filled in debit order); the two kinds in one batch, over the allowances, count what the events
    # fed one at a time count.
    plan = factories.tariff_plan(data_bytes=300 * MB, eu_data_bytes=200 * MB, voice_minutes=30, sms=20)
    now = datetime.datetime.now(datetime.UTC)
    twins = []
    for _ in range(2):
        connection = factories.connection(tariff_plan=plan)
        cycle = cycle_for(connection.account, now)
        ensure_plan_buckets(connection, cycle)
        Bucket.objects.create(
            connection=connection,
            cycle=cycle,
            kind="data",
            zone="domestic",
            source="addon",
            allowance=100 * MB,
            priority=10,
            valid_from=cycle.starts_at,
            valid_until=cycle.ends_at,
            as_of=now,
        )
        twins.append(connection)
    whole, one_by_one = twins
    events: list[tuple[datetime.datetime, str, str, int, str | None]] = [
        (now - datetime.timedelta(minutes=m), kind, zone, quantity, None)
        for m, (kind, zone, quantity) in enumerate(
            [
                ("data", "domestic", 250 * MB),
                ("data", "domestic", 200 * MB),
                ("data", "eu", 150 * MB),
                ("data", "eu", 90 * MB),
                ("voice", "domestic", 1500),
                ("voice", "domestic", 600),
                ("sms", "eu", 1),
            ]
        )
    ]
    assert feed(*_rows(whole, events)).recorded == len(events)
    for single in _rows(one_by_one, events):
        assert feed(single).recorded == 1
    assert _counted(whole) == _counted(one_by_one)
    counted = {
        (kind, zone, source): (used, over) for _c, kind, zone, source, _l, used, over in _counted(whole)["buckets"]
    }
    assert counted[("data", "domestic", "addon")] == (100 * MB, 0)
    assert counted[("data", "domestic", "plan")] == (300 * MB, 50 * MB)


@pytest.mark.django_db
def test_a_prepared_batch_claims_its_ids_in_their_order_and_only_those_of_the_events_it_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if db.vendor != "postgresql":
        pytest.skip("the key table and its COPY are PostgreSQL's")
    connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
    copied: dict[str, list[str]] = {}
    copy_text = ingest_module._copy_text

    def spy(cursor: Any, table: str, names: str, lines: Any) -> None:
        lines = list(lines)
        copied[table] = lines
        copy_text(cursor, table, names, lines)

    monkeypatch.setattr(ingest_module, "_copy_text", spy)
    # Ids out of their order in the file, ids that differ only in case or an accent (three ids in both the
    # database's collation and "C"), one with a character COPY's text format escapes, and one of an unknown number.
    keys = ["k-9", "k-10", "k-1", "Z", "a", "A", "á", "b\\c", "k-0"]
    now = datetime.datetime.now(datetime.UTC)
    rows = [row(connection.msisdn, MB, now - datetime.timedelta(minutes=n), key=key) for n, key in enumerate(keys)]
    rows.insert(4, row("+37120000000", MB, now, key="k-unknown"))
    parse = ingest_module.row_parser(now)
    parsed = [parse(values, line) for line, values in enumerate(rows, start=2)]
    result = ingest_module.ingest_prepared(ingest_module.prepare(parsed, copy_lines=True), now=now)
    assert (result.received, result.recorded, result.duplicates) == (10, 9, 0)
    assert [(r.source_key, r.code.value) for r in result.rejected] == [("k-unknown", "usage_unknown_number")]
    # The key table's COPY: the recorded ids only, in code point order (the "C" collation's, its index's order).
    claimed = [line.split("\t")[0] for line in copied["usage_usageeventkey"]]
    assert claimed == sorted(key.replace("\\", "\\\\") for key in keys)
    assert set(UsageEventKey.objects.values_list("source_key", flat=True)) == set(keys)
    assert set(UsageEvent.objects.values_list("source_key", flat=True)) == set(keys)
    # The same rows again: every id is recorded, the unknown number's still is not.
    again = feed(*rows)
    assert (again.recorded, again.duplicates) == (0, 9)
    # The unknown number's id was never claimed: sent again with a live number, it is recorded.
    assert feed(row(connection.msisdn, MB, now, key="k-unknown")).recorded == 1


@pytest.mark.django_db
def test_the_key_table_compares_ids_byte_by_byte() -> None:
    if db.vendor != "postgresql":
        pytest.skip("the key table is PostgreSQL's")
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'usage_usageeventkey' AND column_name = 'source_key'"
        )
        assert cursor.fetchone() == ("C",)
        # The look-ups still find an id through the index, from a parameter and from a staged column alike.
        UsageEventKey.objects.create(source_key="Ā-1", started_at=datetime.datetime.now(datetime.UTC))
    assert ingest_module.any_recorded(["Ā-1"])
    assert not ingest_module.any_recorded(["ā-1"])
    with transaction.atomic():
        assert ingest_module.unrecorded(["Ā-1", "ā-1", "A-1"]) == {"ā-1", "A-1"}


@pytest.mark.django_db
def test_the_recorded_ids_are_told_apart_by_index_and_the_batch_goes_on_with_the_planners_settings() -> None:
    if db.vendor != "postgresql":
        pytest.skip("the key table is PostgreSQL's")
    now = datetime.datetime.now(datetime.UTC)
    UsageEventKey.objects.bulk_create(UsageEventKey(source_key=f"seen-{n}", started_at=now) for n in range(50))
    plans: list[str] = []
    with transaction.atomic(), db.cursor() as cursor:

        def explained(execute: Any, sql: str, *rest: Any) -> Any:
            if sql.startswith("SELECT count(*) FROM usage_raw_key_stage"):
                cursor.execute(f"EXPLAIN {sql}")
                plans.append("\n".join(line for (line,) in cursor.fetchall()))
            return execute(sql, *rest)

        # A look-up in the middle of a batch's transaction (a part that holds recorded ids) ...
        with db.execute_wrapper(explained):
            new = ingest_module.unrecorded([f"seen-{n}" for n in range(40, 60)])
        assert new == {f"seen-{n}" for n in range(50, 60)}
        cursor.execute("SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin')")
        # ... leaves the batch's counters' statements the joins they plan with.
        assert cursor.fetchone() == ("on", "on")
    assert plans
    assert all("Nested Loop" in plan and "Hash" not in plan for plan in plans)
