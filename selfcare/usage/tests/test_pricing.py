"""Out-of-bundle charges: priced at the plan's rates as usage lands, kept as the cycle's running spend."""

from __future__ import annotations

from decimal import Decimal

import pytest

from selfcare.customers.models import Connection
from selfcare.customers.tests import factories
from selfcare.tests.clock import at, riga
from selfcare.usage.models import CycleSpend, Kind, OutOfBundleRate, Zone
from selfcare.usage.pricing import charge, cycle_amount
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db
MB = 1000**2
NOW = riga(2026, 3, 20)


def _priced_connection() -> Connection:
    plan = factories.tariff_plan(data_bytes=100 * MB, eu_data_bytes=100 * MB, voice_minutes=10, sms=5)
    rates = [
        (Kind.DATA, Zone.DOMESTIC, "0.0100", MB),
        (Kind.DATA, Zone.WORLD, "0.0500", MB),
        (Kind.VOICE, Zone.DOMESTIC, "0.0450", 60),
        (Kind.VOICE, Zone.WORLD, "1.5000", 60),
        (Kind.SMS, Zone.DOMESTIC, "0.0600", 1),
    ]
    for kind, zone, price, per in rates:
        OutOfBundleRate.objects.create(plan=plan, kind=kind, zone=zone, price=Decimal(price), per=per)
    return factories.connection(tariff_plan=plan)


def _spend(connection: Connection) -> Decimal | None:
    return CycleSpend.objects.filter(connection=connection).values_list("amount", flat=True).first()


def test_data_beyond_the_bundle_is_charged_per_started_megabyte_as_it_lands() -> None:
    connection = _priced_connection()
    with at(NOW):
        feed(row(connection.msisdn, 100 * MB, riga(2026, 3, 10)))
        assert _spend(connection) is None  # the bundle covers it: nothing charged, no row
        feed(row(connection.msisdn, 2 * MB + 1, riga(2026, 3, 11)))
    assert _spend(connection) == Decimal("0.03")  # 3 started MB at 0.01


def test_calls_in_the_eu_are_charged_at_latvias_rate_and_calls_outside_at_the_world_rate() -> None:
    connection = _priced_connection()
    with at(NOW):
        feed(
            row(connection.msisdn, 10 * 60, riga(2026, 3, 10), kind="voice"),  # the 10 included minutes
            row(connection.msisdn, 61, riga(2026, 3, 11), kind="voice", zone="eu"),  # 2 started minutes at 0.045
            row(connection.msisdn, 30, riga(2026, 3, 12), kind="voice", zone="world"),  # 1 minute at 1.50
        )
    assert _spend(connection) == Decimal("1.59")


def test_the_cycle_total_is_rounded_once_to_the_cent_half_up() -> None:
    connection = _priced_connection()
    with at(NOW):
        feed(
            row(connection.msisdn, 10 * 60, riga(2026, 3, 10), kind="voice"),
            row(connection.msisdn, 60, riga(2026, 3, 11), kind="voice"),  # 0.045: half a cent, rounded up
        )
        assert _spend(connection) == Decimal("0.05")
        feed(row(connection.msisdn, 60, riga(2026, 3, 12), kind="voice"))  # 0.090, not 0.05 + 0.05
    assert _spend(connection) == Decimal("0.09")
    assert cycle_amount([charge(1, price=Decimal("0.0050"), per=1)]) == Decimal("0.01")
    assert cycle_amount([charge(1, price=Decimal("0.0049"), per=1)]) == Decimal("0.00")


def test_the_spend_is_the_same_whether_events_come_together_apart_or_twice() -> None:
    together, apart = _priced_connection(), _priced_connection()
    events = [(120 * MB, riga(2026, 3, 10)), (7, riga(2026, 3, 11)), (MB, riga(2026, 3, 12))]
    with at(NOW):
        feed(*(row(together.msisdn, q, t, key=f"t{i}") for i, (q, t) in enumerate(events)))
        for i, (quantity, started) in enumerate(reversed(events)):
            feed(row(apart.msisdn, quantity, started, key=f"a{i}"))
            feed(row(apart.msisdn, quantity, started, key=f"a{i}"))  # replayed: changes nothing
    assert _spend(together) == _spend(apart) == Decimal("0.22")  # 20 MB + 7 bytes + 1 MB: 22 started MB


def test_a_late_event_is_charged_to_the_cycle_it_happened_in() -> None:
    connection = _priced_connection()
    with at(riga(2026, 4, 2)):
        feed(row(connection.msisdn, 100 * MB, riga(2026, 4, 1, 9)))
        feed(row(connection.msisdn, 105 * MB, riga(2026, 3, 31, 23)))  # late: March's bundle, March's charge
    by_cycle = dict(CycleSpend.objects.filter(connection=connection).values_list("cycle__starts_at__month", "amount"))
    assert by_cycle == {3: Decimal("0.05")}


def test_use_beyond_a_plan_without_rates_is_not_charged() -> None:
    connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=MB, eu_data_bytes=MB))
    with at(NOW):
        feed(row(connection.msisdn, 50 * MB, riga(2026, 3, 10)))
    assert _spend(connection) is None
