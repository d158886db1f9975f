"""Ingestion: events debit the right cycle's buckets, in the right order, once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from selfcare.customers.models import GB, ConnectionStatus
from selfcare.customers.tests import factories
from selfcare.errors import ErrorCode
from selfcare.tests.clock import at, riga
from selfcare.usage.buckets import debit, debit_order
from selfcare.usage.ingest import Rejected, parse_row
from selfcare.usage.models import BillingCycle, Bucket, BucketZone, DailyUsage, Kind, Source, UsageEvent
from selfcare.usage.roaming import eu_data_allowance
from selfcare.usage.selectors import daily_data_use
from selfcare.usage.services import grant_bonus, remaining_summary
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
MB = 1000**2


def _plan_bucket(connection_id: int, zone: str, starts_at: datetime.datetime) -> Bucket:
    return Bucket.objects.get(
        connection_id=connection_id, kind=Kind.DATA, zone=zone, source=Source.PLAN, cycle__starts_at=starts_at
    )


def test_an_event_in_the_last_second_of_a_cycle_debits_that_cycle_not_the_next() -> None:
    connection = factories.connection()
    result = feed(
        row(connection.msisdn, 100 * MB, "2026-03-31T23:59:59+03:00"),
        row(connection.msisdn, 30 * MB, "2026-04-01T00:00:00+03:00"),
    )
    assert result.recorded == 2
    march = _plan_bucket(connection.pk, BucketZone.DOMESTIC, datetime.datetime(2026, 2, 28, 22, tzinfo=UTC))
    april = _plan_bucket(connection.pk, BucketZone.DOMESTIC, datetime.datetime(2026, 3, 31, 21, tzinfo=UTC))
    assert (march.used, april.used) == (100 * MB, 30 * MB)


def test_events_on_the_night_of_a_daylight_saving_change_fall_on_their_local_day() -> None:
    connection = factories.connection()
    # 29 March 2026: 03:00 EET becomes 04:00 EEST. 00:30Z is 02:30 local, 01:30Z is 04:30 local: the same day.
    feed(
        row(connection.msisdn, 10 * MB, "2026-03-29T00:30:00Z"),
        row(connection.msisdn, 20 * MB, "2026-03-29T01:30:00Z"),
        row(connection.msisdn, 40 * MB, "2026-03-28T21:59:00Z"),  # 23:59 local on the 28th
    )
    days = dict(DailyUsage.objects.filter(connection=connection).values_list("day", "quantity"))
    assert days == {datetime.date(2026, 3, 29): 30 * MB, datetime.date(2026, 3, 28): 40 * MB}


def test_a_late_roaming_record_is_booked_in_the_month_it_happened() -> None:
    connection = factories.connection()
    now = timezone.now()
    feed(row(connection.msisdn, 5 * MB, now - datetime.timedelta(minutes=1), zone="eu"))
    feed(row(connection.msisdn, 70 * MB, now - datetime.timedelta(days=62), zone="eu"))
    summary = remaining_summary(connection)
    assert summary.eu_data.used == 5 * MB
    earlier = Bucket.objects.filter(connection=connection, zone=BucketZone.EU).exclude(
        cycle__starts_at=summary.cycle_starts_at
    )
    assert [b.used for b in earlier] == [70 * MB]


def test_remaining_never_goes_below_zero_and_the_excess_is_out_of_bucket() -> None:
    connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=1 * GB))
    feed(row(connection.msisdn, 1500 * MB, timezone.now()))
    summary = remaining_summary(connection)
    assert summary.data.remaining == 0
    assert summary.data.used == 1 * GB
    assert summary.data.out_of_bucket == 500 * MB


def test_roaming_in_the_eu_uses_the_eu_bucket_and_outside_the_eu_nothing_is_included() -> None:
    connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=5 * GB, eu_data_bytes=5 * GB))
    now = timezone.now()
    feed(
        row(connection.msisdn, 300 * MB, now, zone="eu"),
        row(connection.msisdn, 20 * MB, now, zone="world"),
        row(connection.msisdn, 100 * MB, now, zone="domestic"),
    )
    summary = remaining_summary(connection)
    assert summary.data.used == 100 * MB
    assert summary.eu_data.used == 300 * MB
    world = Bucket.objects.get(connection=connection, kind=Kind.DATA, zone=BucketZone.WORLD)
    assert (world.used, world.out_of_bucket) == (0, 20 * MB)


@override_settings(USAGE_RLAH_CAPS_EUR_PER_GB="2025:1.30,2026:1.10,2027:1.00")
def test_the_eu_allowance_follows_the_roam_like_at_home_formula_per_year() -> None:
    unlimited = factories.tariff_plan(
        data_bytes=None, fair_use_bytes=500 * GB, monthly_fee=Decimal("23.99"), eu_data_bytes=0
    )
    # 2 × 23.99 / 1.10 = 43.618… GB in 2026, and 47.98 GB in 2027 and later.
    assert eu_data_allowance(unlimited, 2026) == 43_618_181_818
    assert eu_data_allowance(unlimited, 2030) == 47_980_000_000
    small = factories.tariff_plan(data_bytes=5 * GB, monthly_fee=Decimal("15.99"), eu_data_bytes=0)
    assert eu_data_allowance(small, 2026) == 5 * GB  # the whole domestic volume: less than the formula
    generous = factories.tariff_plan(data_bytes=None, fair_use_bytes=GB, monthly_fee=Decimal("23.99"))
    generous.eu_data_bytes = 47 * GB
    assert eu_data_allowance(generous, 2026) == 47 * GB  # the operator may give more than the floor


def test_an_unlimited_plan_shows_unlimited_with_its_fair_use_cap() -> None:
    plan = factories.tariff_plan(data_bytes=None, fair_use_bytes=100 * GB, eu_data_bytes=40 * GB)
    connection = factories.connection(tariff_plan=plan)
    feed(row(connection.msisdn, 150 * GB, timezone.now()))
    summary = remaining_summary(connection)
    assert summary.data.is_unlimited
    assert summary.data.remaining is None
    assert summary.data.fair_use_cap == 100 * GB
    assert summary.data.used == 150 * GB
    assert summary.eu_data.remaining is not None


def test_gifts_are_used_before_the_plan_the_one_expiring_first_first() -> None:
    # Mid-cycle: the gift valid for a day expires before the one valid to the cycle's end.
    with at(riga(2027, 2, 14, 23, 50)):
        connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
        soon = timezone.now() + datetime.timedelta(days=1)
        later = grant_bonus(connection, unit="byte", amount=1 * GB, label="Later", source_key="later")
        first = grant_bonus(connection, unit="byte", amount=1 * GB, label="Soon", source_key="soon", valid_until=soon)
        feed(row(connection.msisdn, 1500 * MB, timezone.now() + datetime.timedelta(seconds=1)))
        first.refresh_from_db()
        later.refresh_from_db()
        assert (first.used, later.used) == (1 * GB, 500 * MB)
        assert remaining_summary(connection).data.remaining == 10 * GB + 500 * MB


def test_in_a_cycles_last_minutes_gifts_end_with_the_cycle_and_the_older_one_is_used_first() -> None:
    # 29 February 23:50 with cycle day 1: both gifts are cut to the cycle's end ten minutes later, so they expire
    # together and the one granted first is used first.
    with at(riga(2028, 2, 29, 23, 50)):
        connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
        older = grant_bonus(connection, unit="byte", amount=1 * GB, label="Older", source_key="older")
        newer = grant_bonus(
            connection,
            unit="byte",
            amount=1 * GB,
            label="Newer",
            source_key="newer",
            valid_until=timezone.now() + datetime.timedelta(days=1),
        )
        assert older.valid_until == newer.valid_until == riga(2028, 3, 1, 0, 0)
        feed(row(connection.msisdn, 1500 * MB, timezone.now() + datetime.timedelta(seconds=1)))
        older.refresh_from_db()
        newer.refresh_from_db()
        assert (older.used, newer.used) == (1 * GB, 500 * MB)


def test_a_lower_priority_number_wins_over_an_earlier_expiry() -> None:
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    common = {"kind": Kind.DATA, "zone": BucketZone.HOME_AND_EU, "valid_from": start, "as_of": start}
    early = Bucket(pk=1, source=Source.GIFT, allowance=100, priority=20, valid_until=start.replace(day=2), **common)
    urgent = Bucket(pk=2, source=Source.GIFT, allowance=100, priority=5, valid_until=start.replace(day=20), **common)
    plan = Bucket(pk=3, source=Source.PLAN, allowance=100, priority=100, valid_until=start.replace(day=31), **common)
    ordered = debit_order([plan, early, urgent])
    assert ordered == [urgent, early, plan]
    debit(ordered, Kind.DATA, "domestic", start, 150)
    assert (urgent.used, early.used, plan.used) == (100, 50, 0)


def test_a_gift_does_not_take_use_from_before_it_was_given() -> None:
    connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
    gift = grant_bonus(connection, unit="byte", amount=1 * GB, label="Gift", source_key="g")
    feed(row(connection.msisdn, 100 * MB, gift.valid_from - datetime.timedelta(seconds=1)))
    gift.refresh_from_db()
    assert gift.used == 0
    assert remaining_summary(connection).data.used == 100 * MB


def test_a_replayed_batch_changes_nothing() -> None:
    connection = factories.connection()
    rows = [row(connection.msisdn, 10 * MB, timezone.now(), key=f"k{n}") for n in range(5)]
    assert feed(*rows).recorded == 5
    again = feed(*rows)
    assert (again.recorded, again.duplicates) == (0, 5)
    assert UsageEvent.objects.count() == 5
    assert remaining_summary(connection).data.used == 50 * MB
    assert sum(DailyUsage.objects.values_list("quantity", flat=True)) == 50 * MB


def test_an_event_twice_in_one_batch_is_counted_once() -> None:
    connection = factories.connection()
    same = row(connection.msisdn, 10 * MB, timezone.now(), key="twice")
    result = feed(same, same)
    assert (result.recorded, result.duplicates) == (1, 1)
    assert remaining_summary(connection).data.used == 10 * MB


def test_a_replay_mixed_with_new_rows_records_only_the_new_ones_and_debits_them_once() -> None:
    connection = factories.connection()
    now = timezone.now()
    old = [row(connection.msisdn, 10 * MB, now, key=f"old{n}") for n in range(3)]
    assert feed(*old).recorded == 3
    new = [row(connection.msisdn, 1 * MB, now, key=f"new{n}") for n in range(2)]
    # The new rows among the replayed ones, one new id twice, and a bad row: each counted as before.
    result = feed(old[0], new[0], old[1], new[1], new[0], row(connection.msisdn, 1, now, kind="fax"), old[2])
    assert (result.received, result.recorded, result.duplicates) == (7, 2, 4)
    assert [(r.line, r.code) for r in result.rejected] == [(7, ErrorCode.USAGE_KIND)]
    assert UsageEvent.objects.count() == 5
    assert remaining_summary(connection).data.used == 32 * MB
    assert sum(DailyUsage.objects.values_list("quantity", flat=True)) == 32 * MB


def test_a_replay_still_rejects_its_bad_rows_and_numbers_no_longer_live() -> None:
    connection = factories.connection()
    other = factories.connection()
    now = timezone.now()
    rows = [row(connection.msisdn, 10 * MB, now, key="a"), row(other.msisdn, 10 * MB, now, key="b")]
    assert feed(*rows, row(connection.msisdn, 1, now, zone="moon")).recorded == 2
    other.status, other.terminated_on = ConnectionStatus.TERMINATED, timezone.localdate()
    other.save(update_fields=["status", "terminated_on"])
    again = feed(*rows, row(connection.msisdn, 1, now, zone="moon"))
    assert (again.recorded, again.duplicates) == (0, 1)
    assert [(r.line, r.code) for r in again.rejected] == [
        (3, ErrorCode.USAGE_UNKNOWN_NUMBER),
        (4, ErrorCode.USAGE_ZONE),
    ]


def test_ids_with_backslashes_and_quotes_are_recorded_as_sent_and_replayed_as_duplicates() -> None:
    # A backslash is what COPY's text format escapes: such a batch is staged row by row instead, with the same result.
    connection = factories.connection()
    now = timezone.now()
    keys = ["msc\\7:1", 'pgw "1":2', "smsc\\n3"]
    rows = [row(connection.msisdn, 1 * MB, now, key=key) for key in keys]
    assert feed(*rows).recorded == 3
    assert sorted(UsageEvent.objects.values_list("source_key", flat=True)) == sorted(keys)
    again = feed(*rows, row(connection.msisdn, 1 * MB, now, key="plain:4"))
    assert (again.recorded, again.duplicates) == (1, 3)
    assert remaining_summary(connection).data.used == 4 * MB


def test_bad_rows_are_rejected_with_their_line_and_the_good_rows_are_kept() -> None:
    connection = factories.connection()
    now = timezone.now()
    result = feed(
        row(connection.msisdn, 10 * MB, now),
        row("+37129999999", 10 * MB, now),
        row(connection.msisdn, 10 * MB, now, kind="fax"),
        row(connection.msisdn, 10 * MB, now),
    )
    assert result.recorded == 2
    assert [(r.line, r.code) for r in result.rejected] == [
        (3, ErrorCode.USAGE_UNKNOWN_NUMBER),
        (4, ErrorCode.USAGE_KIND),
    ]


@pytest.mark.parametrize(
    ("values", "code"),
    [
        (["k", "+37125500001", "data", "domestic", "2026-01-01T00:00:00Z"], ErrorCode.USAGE_ROW_SHAPE),
        (["", "+37125500001", "data", "domestic", "2026-01-01T00:00:00Z", "1"], ErrorCode.USAGE_SOURCE_KEY),
        (["k", "25500001", "data", "domestic", "2026-01-01T00:00:00Z", "1"], ErrorCode.USAGE_MSISDN),
        (["k", "+37125500001", "mms", "domestic", "2026-01-01T00:00:00Z", "1"], ErrorCode.USAGE_KIND),
        (["k", "+37125500001", "data", "moon", "2026-01-01T00:00:00Z", "1"], ErrorCode.USAGE_ZONE),
        (["k", "+37125500001", "data", "eu", "2026-01-01 00:00", "1"], ErrorCode.USAGE_STARTED_AT),
        (["k", "+37125500001", "data", "eu", "yesterday", "1"], ErrorCode.USAGE_STARTED_AT),
        (["k", "+37125500001", "data", "eu", "2099-01-01T00:00:00Z", "1"], ErrorCode.USAGE_IN_FUTURE),
        (["k", "+37125500001", "data", "eu", "2026-01-01T00:00:00Z", "-1"], ErrorCode.USAGE_QUANTITY),
        (["k", "+37125500001", "data", "eu", "2026-01-01T00:00:00Z", "1.5"], ErrorCode.USAGE_QUANTITY),
        (["k", "+37125500001", "data", "eu", "2026-01-01T00:00:00Z", "1²"], ErrorCode.USAGE_QUANTITY),
    ],
)
def test_each_kind_of_bad_row_gets_its_reason(values: list[str], code: ErrorCode) -> None:
    parsed = parse_row(values, 2, now=datetime.datetime(2026, 6, 1, tzinfo=UTC))
    assert isinstance(parsed, Rejected)
    assert parsed.code == code
    assert parsed.reason


# -- moments that matter: the first minutes of a cycle, month ends, daylight-saving days ------------------------------


def test_an_event_at_half_past_midnight_in_riga_on_the_first_counts_on_that_day_in_the_new_cycle() -> None:
    connection = factories.connection()
    with at(riga(2027, 2, 1, 1, 0)):
        feed(row(connection.msisdn, 10 * MB, "2027-01-31T22:30:00Z"))  # 00:30 on 1 February in Riga
    assert _plan_bucket(connection.pk, BucketZone.DOMESTIC, riga(2027, 2, 1, 0, 0)).used == 10 * MB
    assert DailyUsage.objects.get(connection=connection).day == datetime.date(2027, 2, 1)


@override_settings(BILLING_TIME_ZONE="UTC")
def test_with_a_utc_billing_clock_the_same_event_counts_in_the_old_cycle_on_the_31st() -> None:
    connection = factories.connection()
    with at(riga(2027, 2, 1, 1, 0)):
        feed(row(connection.msisdn, 10 * MB, "2027-01-31T22:30:00Z"))
    january = datetime.datetime(2027, 1, 1, tzinfo=UTC)
    assert _plan_bucket(connection.pk, BucketZone.DOMESTIC, january).used == 10 * MB
    assert DailyUsage.objects.get(connection=connection).day == datetime.date(2027, 1, 31)


def test_with_cycle_day_31_februarys_cycle_starts_on_its_last_day_and_a_leap_year_on_the_29th() -> None:
    connection = factories.connection(account=factories.business_account(billing_cycle_day=31))
    with at(riga(2028, 3, 1)):
        feed(
            row(connection.msisdn, 1 * MB, "2027-02-27T23:59:00+02:00"),
            row(connection.msisdn, 2 * MB, "2027-02-28T00:00:00+02:00"),
            row(connection.msisdn, 4 * MB, "2028-02-28T23:59:00+02:00"),
            row(connection.msisdn, 8 * MB, "2028-02-29T00:10:00+02:00"),
        )
    used = {
        b.cycle.starts_at: b.used
        for b in Bucket.objects.filter(
            connection=connection, kind=Kind.DATA, zone=BucketZone.DOMESTIC, source=Source.PLAN
        ).select_related("cycle")
    }
    assert used == {
        riga(2027, 1, 31, 0, 0): 1 * MB,
        riga(2027, 2, 28, 0, 0): 2 * MB,
        riga(2028, 1, 31, 0, 0): 4 * MB,
        riga(2028, 2, 29, 0, 0): 8 * MB,
    }
    ends = dict(BillingCycle.objects.filter(account=connection.account).values_list("starts_at", "ends_at"))
    assert ends[riga(2027, 2, 28, 0, 0)] == riga(2027, 3, 31, 0, 0)


def test_the_25_hour_day_when_summer_time_ends_is_one_day_in_the_totals_and_the_chart() -> None:
    connection = factories.connection()
    with at(riga(2027, 11, 1, 0, 5)):
        feed(
            row(connection.msisdn, 1 * MB, riga(2027, 10, 31, 3, 30, fold=0)),  # 00:30Z, summer time
            row(connection.msisdn, 2 * MB, riga(2027, 10, 31, 3, 30, fold=1)),  # 01:30Z, an hour later, winter time
            row(connection.msisdn, 4 * MB, riga(2027, 10, 31, 23, 59)),
            row(connection.msisdn, 8 * MB, riga(2027, 11, 1, 0, 0)),
        )
    days = dict(DailyUsage.objects.filter(connection=connection).values_list("day", "quantity"))
    assert days == {datetime.date(2027, 10, 31): 7 * MB, datetime.date(2027, 11, 1): 8 * MB}
    with at(riga(2027, 10, 31, 23, 0)):
        summary = remaining_summary(connection)
        chart_days = daily_data_use(connection, summary)
    assert summary.cycle_ends_at - summary.cycle_starts_at == datetime.timedelta(days=31, hours=1)
    assert [d.day for d in chart_days] == [datetime.date(2027, 10, d) for d in range(1, 32)]
    assert chart_days[-1].total == 7 * MB


def test_the_23_hour_day_when_summer_time_starts_is_one_day_in_the_chart_and_today_is_riga_today() -> None:
    connection = factories.connection()
    with at(datetime.datetime(2027, 3, 28, 21, 30, tzinfo=UTC)):  # 00:30 on the 29th in Riga
        feed(
            row(connection.msisdn, 3 * MB, riga(2027, 3, 28, 2, 30)),
            row(connection.msisdn, 5 * MB, riga(2027, 3, 28, 4, 30)),  # 02:30Z: 03:xx never happened that night
        )
        chart_days = daily_data_use(connection, remaining_summary(connection))
    assert [d.day for d in chart_days][-2:] == [datetime.date(2027, 3, 28), datetime.date(2027, 3, 29)]
    assert (chart_days[-2].total, chart_days[-1].total) == (8 * MB, 0)


# --- Where the set-based debit must decide (the same results on SQLite's Python path and PostgreSQL's SQL) -------
def _bucket(connection_id: int, kind: str, zone: str, source: str = Source.PLAN) -> Bucket:
    return Bucket.objects.get(connection_id=connection_id, kind=kind, zone=zone, source=source)


def test_a_gift_for_latvia_and_the_eu_is_used_in_the_order_the_events_happened() -> None:
    with at(riga(2027, 2, 14, 12, 0)):
        plan = factories.tariff_plan(data_bytes=10 * GB, eu_data_bytes=10 * GB)
        connection = factories.connection(tariff_plan=plan)
        gift = grant_bonus(connection, unit="byte", amount=100 * MB, label="Gift", source_key="shared")
        feed(
            row(connection.msisdn, 80 * MB, riga(2027, 2, 14, 12, 3), zone="domestic"),  # sent first, happened later
            row(connection.msisdn, 80 * MB, riga(2027, 2, 14, 12, 1), zone="eu"),
        )
    gift.refresh_from_db()
    assert gift.used == 100 * MB
    assert _bucket(connection.pk, Kind.DATA, BucketZone.EU).used == 0
    assert _bucket(connection.pk, Kind.DATA, BucketZone.DOMESTIC).used == 60 * MB


def test_an_addon_for_latvia_and_the_eu_over_the_whole_cycle_is_shared_in_the_order_the_events_happened() -> None:
    from selfcare.usage.cycles import cycle_for

    with at(riga(2027, 2, 14, 12, 0)):
        plan = factories.tariff_plan(data_bytes=10 * GB, eu_data_bytes=10 * GB)
        connection = factories.connection(tariff_plan=plan)
        cycle = cycle_for(connection.account, timezone.now())
        addon = Bucket.objects.create(
            connection=connection,
            cycle=cycle,
            kind=Kind.DATA,
            zone=BucketZone.HOME_AND_EU,
            source=Source.ADDON,
            allowance=100 * MB,
            priority=10,
            valid_from=cycle.starts_at,
            valid_until=cycle.ends_at,
            as_of=timezone.now(),
        )
        feed(
            row(connection.msisdn, 80 * MB, riga(2027, 2, 14, 11, 0), zone="eu"),
            row(connection.msisdn, 80 * MB, riga(2027, 2, 14, 10, 0), zone="domestic"),
        )
    addon.refresh_from_db()
    assert addon.used == 100 * MB
    assert _bucket(connection.pk, Kind.DATA, BucketZone.DOMESTIC).used == 0
    assert _bucket(connection.pk, Kind.DATA, BucketZone.EU).used == 60 * MB


def test_a_gift_ending_inside_the_cycle_takes_only_what_happened_before_its_end() -> None:
    with at(riga(2027, 2, 14, 10, 0)):
        connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
        gift = grant_bonus(
            connection, unit="byte", amount=100 * MB, label="Hour", source_key="hour", valid_until=riga(2027, 2, 14, 11)
        )
    with at(riga(2027, 2, 14, 13, 0)):
        feed(
            row(connection.msisdn, 70 * MB, riga(2027, 2, 14, 12, 0)),
            row(connection.msisdn, 50 * MB, riga(2027, 2, 14, 10, 30)),
            row(connection.msisdn, 10 * MB, riga(2027, 2, 14, 9, 0)),  # before the gift
        )
    gift.refresh_from_db()
    assert gift.used == 50 * MB
    assert _bucket(connection.pk, Kind.DATA, BucketZone.DOMESTIC).used == 80 * MB


def test_gifts_with_different_expiry_in_one_batch_each_take_their_own_hours() -> None:
    with at(riga(2027, 2, 14, 10, 0)):
        connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
        short = grant_bonus(
            connection, unit="byte", amount=60 * MB, label="Short", source_key="s", valid_until=riga(2027, 2, 14, 11)
        )
        long = grant_bonus(connection, unit="byte", amount=60 * MB, label="Long", source_key="l")
    with at(riga(2027, 2, 14, 13, 0)):
        feed(
            row(connection.msisdn, 50 * MB, riga(2027, 2, 14, 12, 0)),
            row(connection.msisdn, 50 * MB, riga(2027, 2, 14, 10, 10)),
            row(connection.msisdn, 50 * MB, riga(2027, 2, 14, 10, 20)),
        )
    short.refresh_from_db()
    long.refresh_from_db()
    # 10:10 takes 50 of the short gift; 10:20 its last 10 and 40 of the long one; 12:00 the long one's last 20.
    assert (short.used, long.used) == (60 * MB, 60 * MB)
    assert _bucket(connection.pk, Kind.DATA, BucketZone.DOMESTIC).used == 30 * MB


def test_calls_in_latvia_and_the_eu_share_the_plans_minutes_and_the_rest_is_out_of_bucket() -> None:
    connection = factories.connection(tariff_plan=factories.tariff_plan(voice_minutes=10))
    now = timezone.now()
    feed(
        row(connection.msisdn, 400, now, kind="voice", zone="domestic"),
        row(connection.msisdn, 300, now, kind="voice", zone="eu"),
        row(connection.msisdn, 2, now, kind="sms", zone="eu"),
    )
    voice = _bucket(connection.pk, Kind.VOICE, BucketZone.HOME_AND_EU)
    assert (voice.used, voice.out_of_bucket) == (600, 100)
    assert _bucket(connection.pk, Kind.SMS, BucketZone.HOME_AND_EU).used == 2


def test_on_an_unlimited_plan_an_addon_over_the_whole_cycle_is_used_first_and_the_plan_takes_the_rest() -> None:
    from selfcare.usage.cycles import cycle_for

    plan = factories.tariff_plan(data_bytes=None, fair_use_bytes=100 * GB, eu_data_bytes=40 * GB)
    connection = factories.connection(tariff_plan=plan)
    now = timezone.now()
    cycle = cycle_for(connection.account, now)
    addon = Bucket.objects.create(
        connection=connection,
        cycle=cycle,
        kind=Kind.DATA,
        zone=BucketZone.DOMESTIC,
        source=Source.ADDON,
        allowance=1 * GB,
        priority=10,
        valid_from=cycle.starts_at,
        valid_until=cycle.ends_at,
        as_of=now,
    )
    feed(row(connection.msisdn, 3 * GB, now), row(connection.msisdn, 1 * GB, now, zone="world"))
    addon.refresh_from_db()
    unlimited = _bucket(connection.pk, Kind.DATA, BucketZone.DOMESTIC)
    assert addon.used == 1 * GB
    assert (unlimited.used, unlimited.out_of_bucket) == (2 * GB, 0)
    world = _bucket(connection.pk, Kind.DATA, BucketZone.WORLD)
    assert (world.used, world.out_of_bucket) == (0, 1 * GB)
