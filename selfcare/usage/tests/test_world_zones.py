"""Roaming outside the EU priced by zone: the visited country picks the zone, each zone has its own rate and counter.

These tests run the Python path on SQLite and the SQL path on PostgreSQL with the same expected amounts.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.utils import timezone, translation

from selfcare.customers.models import Connection
from selfcare.customers.tests import factories
from selfcare.errors import ErrorCode
from selfcare.tests.clock import at, riga
from selfcare.usage.csvfile import import_file
from selfcare.usage.feedkeys import feed_key_create
from selfcare.usage.ingest import EventRow, Rejected, parse_row
from selfcare.usage.models import (
    Bucket,
    BucketZone,
    CycleSpend,
    DailyUsage,
    Kind,
    OutOfBundleRate,
    Source,
    UsageEvent,
    Zone,
    ZoneOutOfBucket,
)
from selfcare.usage.tests.helpers import feed, row
from selfcare.usage.world_zones import zone_of_country

pytestmark = pytest.mark.django_db
MB = 1000**2
NOW = riga(2026, 3, 20)


def _plan_with_zone_rates(*, zone_rates: bool = True) -> Connection:
    """Extra data outside the EU: zone 1 at 0.02 €, zone 2 at 0.10 €, the rest of the world at 0.50 € per MB;
    calls: zone 2 at 0.30 € per minute, elsewhere outside the EU 1.50 €."""
    plan = factories.tariff_plan(data_bytes=100 * MB, eu_data_bytes=100 * MB, voice_minutes=10, sms=5)
    rates = [(Kind.DATA, Zone.WORLD, "0.5000", MB), (Kind.VOICE, Zone.WORLD, "1.5000", 60)]
    if zone_rates:
        rates += [
            (Kind.DATA, Zone.WORLD_1, "0.0200", MB),
            (Kind.DATA, Zone.WORLD_2, "0.1000", MB),
            (Kind.VOICE, Zone.WORLD_2, "0.3000", 60),
        ]
    for kind, zone, price, per in rates:
        OutOfBundleRate.objects.create(plan=plan, kind=kind, zone=zone, price=Decimal(price), per=per)
    return factories.connection(tariff_plan=plan)


def _spend(connection: Connection) -> Decimal | None:
    return CycleSpend.objects.filter(connection=connection).values_list("amount", flat=True).first()


def _parse(*values: str) -> EventRow | Rejected:
    now = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    return parse_row(["k", "+37125500001", "data", *values[:1], "2026-05-01T00:00:00Z", "1", *values[1:]], 2, now=now)


# --- the country and its zone ------------------------------------------------------------------------------------


def test_the_default_lists_put_switzerland_in_zone_1_the_usa_in_zone_2_and_any_other_country_in_the_last() -> None:
    assert zone_of_country("CH") == zone_of_country("GB") == zone_of_country("TR") == Zone.WORLD_1
    assert zone_of_country("US") == zone_of_country("CA") == Zone.WORLD_2
    assert zone_of_country("JP") == zone_of_country("ZZ") == zone_of_country(None) == Zone.WORLD


@override_settings(USAGE_WORLD_ZONE_1_COUNTRIES="us", USAGE_WORLD_ZONE_2_COUNTRIES="JP, CH")
def test_the_zone_lists_are_the_operators_configuration() -> None:
    assert zone_of_country("US") == Zone.WORLD_1
    assert zone_of_country("CH") == Zone.WORLD_2
    assert zone_of_country("GB") == Zone.WORLD


def test_a_world_event_takes_the_zone_of_its_country_in_either_case_and_one_without_a_country_the_last() -> None:
    countries = [("ch",), (" US ",), ("JP",), ("",), ()]
    zones = [_parse("world", *country) for country in countries]
    assert [z.zone if isinstance(z, EventRow) else z for z in zones] == [
        Zone.WORLD_1,
        Zone.WORLD_2,
        Zone.WORLD,
        Zone.WORLD,
        Zone.WORLD,
    ]


def test_the_country_of_an_event_in_latvia_or_the_eu_changes_nothing() -> None:
    parsed = _parse("eu", "CH")
    assert isinstance(parsed, EventRow)
    assert parsed.zone == Zone.EU


@pytest.mark.parametrize("country", ["CHE", "C", "1A", "ÜS", "C H"])
def test_a_country_that_is_not_an_alpha_2_code_is_rejected_with_a_translated_reason(country: str) -> None:
    parsed = _parse("world", country)
    assert isinstance(parsed, Rejected)
    assert parsed.code == ErrorCode.USAGE_COUNTRY
    reasons = set()
    for language in ("en", "lv", "ru"):
        with translation.override(language):
            reasons.add(parsed.reason)
    assert len(reasons) == 3


def test_a_source_may_not_send_a_world_zone_itself() -> None:
    parsed = _parse("world1")
    assert isinstance(parsed, Rejected)
    assert parsed.code == ErrorCode.USAGE_ZONE


# --- pricing per zone ----------------------------------------------------------------------------------------------


def test_data_outside_the_eu_is_charged_at_the_rate_of_the_visited_countrys_zone() -> None:
    connection = _plan_with_zone_rates()
    with at(NOW):
        feed(
            row(connection.msisdn, MB + 1, riga(2026, 3, 10), zone="world", country="CH"),  # 2 MB at 0.02
            row(connection.msisdn, MB + 1, riga(2026, 3, 11), zone="world", country="US"),  # 2 MB at 0.10
            row(connection.msisdn, MB + 1, riga(2026, 3, 12), zone="world", country="JP"),  # 2 MB at 0.50
            row(connection.msisdn, MB, riga(2026, 3, 13), zone="world"),  # no country: the last zone, 1 MB at 0.50
        )
    assert _spend(connection) == Decimal("1.74")
    world = Bucket.objects.get(connection=connection, kind=Kind.DATA, zone=BucketZone.WORLD, source=Source.PLAN)
    assert world.out_of_bucket == 4 * MB + 3  # the whole world's, as before zones
    counters = dict(ZoneOutOfBucket.objects.filter(connection=connection).values_list("zone", "quantity"))
    assert counters == {Zone.WORLD_1: MB + 1, Zone.WORLD_2: MB + 1}
    assert set(UsageEvent.objects.filter(connection=connection).values_list("zone", flat=True)) == {
        Zone.WORLD_1,
        Zone.WORLD_2,
        Zone.WORLD,
    }
    assert DailyUsage.objects.filter(connection=connection, zone=Zone.WORLD_2).get().quantity == MB + 1


def test_each_zone_counts_its_own_started_units_and_the_cycle_total_is_rounded_once() -> None:
    connection = _plan_with_zone_rates()
    with at(NOW):
        feed(row(connection.msisdn, 30, riga(2026, 3, 10), kind="voice", zone="world", country="US"))
        assert _spend(connection) == Decimal("0.30")  # one started minute in zone 2
        feed(row(connection.msisdn, 30, riga(2026, 3, 11), kind="voice", zone="world", country="CA"))
        assert _spend(connection) == Decimal("0.30")  # still one minute: 60 s in zone 2 so far
        feed(row(connection.msisdn, 1, riga(2026, 3, 12), kind="voice", zone="world", country="CH"))
    # Zone 1 has no rate for calls: the rest of the world's, 1.50 for the started minute.
    assert _spend(connection) == Decimal("1.80")
    with at(NOW):
        feed(row(connection.msisdn, 1, riga(2026, 3, 13), zone="world", country="CH"))
    assert _spend(connection) == Decimal("1.82")  # a started MB in zone 1 at 0.02


def test_the_spend_per_zone_is_the_same_whether_events_come_together_apart_late_or_twice() -> None:
    together, apart = _plan_with_zone_rates(), _plan_with_zone_rates()
    events = [
        (MB // 2, riga(2026, 3, 10), "CH"),
        (MB // 2, riga(2026, 3, 11), "CH"),
        (3 * MB, riga(2026, 3, 12), "US"),
        (7, riga(2026, 3, 13), None),
        (MB, riga(2026, 3, 31, 23), "GB"),  # arrives in April: late, charged in March
    ]
    with at(riga(2026, 4, 2)):
        feed(*(row(together.msisdn, q, t, zone="world", country=c, key=f"t{i}") for i, (q, t, c) in enumerate(events)))
        for i, (quantity, started, country) in enumerate(reversed(events)):
            feed(row(apart.msisdn, quantity, started, zone="world", country=country, key=f"a{i}"))
            feed(row(apart.msisdn, quantity, started, zone="world", country=country, key=f"a{i}"))  # replay
    # Zone 1: 2 MB at 0.02; zone 2: 3 MB at 0.10; the rest: 7 bytes, a started MB at 0.50.
    assert _spend(together) == _spend(apart) == Decimal("0.84")
    assert ZoneOutOfBucket.objects.filter(connection=apart).count() == 2


def test_a_plan_without_zone_rates_charges_what_it_did_before_zones() -> None:
    connection = _plan_with_zone_rates(zone_rates=False)
    with at(NOW):
        feed(
            row(connection.msisdn, MB // 2, riga(2026, 3, 10), zone="world", country="CH"),
            row(connection.msisdn, MB // 2, riga(2026, 3, 11), zone="world"),
        )
    # One rate, one counter: 1 MB in all, not a started MB in each zone.
    assert _spend(connection) == Decimal("0.50")


@pytest.mark.parametrize("together", [True, False], ids=["one batch", "two batches"])
def test_a_world_pack_takes_use_in_every_zone_before_anything_is_charged(together: bool) -> None:
    connection = _plan_with_zone_rates()
    with at(NOW):
        feed(row(connection.msisdn, 1, riga(2026, 3, 9)))  # the cycle and the plan's buckets
        cycle = Bucket.objects.filter(connection=connection).select_related("cycle").first().cycle  # type: ignore[union-attr]
        Bucket.objects.create(
            connection=connection,
            cycle=cycle,
            kind=Kind.DATA,
            zone=BucketZone.WORLD,
            source=Source.ADDON,
            label="World 2 MB",
            allowance=2 * MB,
            priority=50,
            valid_from=cycle.starts_at,
            as_of=timezone.now(),
        )
        first = row(connection.msisdn, MB, riga(2026, 3, 10), zone="world", country="CH")
        second = row(connection.msisdn, MB + MB // 2, riga(2026, 3, 11), zone="world", country="US")
        if together:
            feed(second, first)  # in the order they happened, whatever the order in the batch
        else:
            feed(first)
            feed(second)
    pack = Bucket.objects.get(connection=connection, source=Source.ADDON)
    assert pack.used == 2 * MB
    # Zone 1's MB fitted; half of zone 2's did not: a started MB at 0.10.
    assert dict(ZoneOutOfBucket.objects.filter(connection=connection).values_list("zone", "quantity")) == {
        Zone.WORLD_2: MB // 2
    }
    assert _spend(connection) == Decimal("0.10")


# --- the feed and the file ---------------------------------------------------------------------------------------


def test_the_feed_api_takes_the_visited_country(client: Client) -> None:
    connection = _plan_with_zone_rates()
    key = feed_key_create(name="mediation")[1]
    event = {
        "msisdn": connection.msisdn,
        "type": "data",
        "zone": "world",
        "started_at": timezone.now().isoformat(),
        "quantity": MB,
    }
    body = {
        "events": [
            event | {"event_id": "a", "country": "US"},
            event | {"event_id": "b", "country": "USA"},
            event | {"event_id": "c", "country": None},
            {"event_id": "d", "msisdn": connection.msisdn, "country": "US"},
        ]
    }
    response = client.post(
        "/feeds/v1/usage-events", body, content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )
    data = response.json()
    assert data["recorded"] == 2
    assert [(r["index"], r["code"]) for r in data["rejected"]] == [(1, "usage_country"), (3, "usage_row_shape")]
    assert dict(UsageEvent.objects.values_list("source_key", "zone")) == {"a": Zone.WORLD_2, "c": Zone.WORLD}


def test_a_usage_file_may_carry_the_country_as_a_seventh_column(tmp_path: Path) -> None:
    connection = _plan_with_zone_rates()
    path = tmp_path / "roaming.csv"
    started = timezone.now().isoformat()
    path.write_text(
        "event_id,msisdn,type,zone,started_at,quantity,country\n"
        f"r1,{connection.msisdn},data,world,{started},{MB},CH\n"
        f"r2,{connection.msisdn},data,world,{started},{MB},\n"
        f"r3,{connection.msisdn},data,world,{started},{MB},SUI\n"
        f"r4,{connection.msisdn},data,world,{started},{MB}\n",
        encoding="utf-8",
    )
    result = import_file(path)
    assert (result.recorded, [(r.line, r.code) for r in result.rejected]) == (
        2,
        [(4, ErrorCode.USAGE_COUNTRY), (5, ErrorCode.USAGE_ROW_SHAPE)],
    )
    assert dict(UsageEvent.objects.values_list("source_key", "zone")) == {"r1": Zone.WORLD_1, "r2": Zone.WORLD}
