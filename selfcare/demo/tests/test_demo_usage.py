"""The demo's usage: believable, deterministic, visible to Pēteris and Anna, and its stories hold whenever the demo
is loaded (README: Marta near her limit, Pēteris's trip in the EU, the daily chart)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from selfcare.customers.models import Connection, CustomerAccount
from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.demo.usage import DAYS_INTO_CYCLE, MIN_DAYS_INTO_CYCLE, load_demo_usage, placed_cycle_day
from selfcare.portal.usage import daily_chart
from selfcare.tests.clock import MOMENTS, at, every_moment, riga
from selfcare.usage.cycles import cycle_bounds, local_day
from selfcare.usage.models import CycleSpend, Kind, UsageEvent, Zone, ZoneOutOfBucket
from selfcare.usage.selectors import daily_data_use
from selfcare.usage.services import remaining_summary

pytestmark = pytest.mark.django_db

PETERIS, ANNA, MARTA = "+37125500001", "+37129100001", "+37129100002"


def _connection(msisdn: str) -> Connection:
    return Connection.objects.select_related("account", "tariff_plan").get(msisdn=msisdn)


def assert_the_stories_hold() -> None:
    marta = remaining_summary(_connection(MARTA))
    assert marta.data.percent_left is not None
    assert 0 < marta.data.percent_left <= 10, "Marta is near her limit, not over it"
    assert remaining_summary(_connection(ANNA)).data.is_unlimited
    peteris = _connection(PETERIS)
    summary = remaining_summary(peteris)
    assert summary.eu_data.used > 0, "Pēteris's trip in the EU is in this cycle"
    days = daily_data_use(peteris, summary)
    assert len(days) > MIN_DAYS_INTO_CYCLE
    assert daily_chart(days).has_use


@every_moment
def test_the_demo_stories_hold_whenever_the_demo_is_loaded(moment: datetime.datetime) -> None:
    with at(moment):
        load_demo()
        assert_the_stories_hold()


def test_the_stories_still_hold_when_the_demo_is_loaded_again_days_and_weeks_later() -> None:
    first = MOMENTS["new-year"]
    with at(first):
        load_demo()
    for later in (first + datetime.timedelta(days=1), first + datetime.timedelta(days=12, hours=23)):
        with at(later):
            load_demo()
            assert_the_stories_hold()
    with at(first + datetime.timedelta(days=45)):
        load_demo()
        assert_the_stories_hold()
        assert UsageEvent.objects.filter(started_at__lt=timezone.now() - datetime.timedelta(days=70)).count() == 0


def test_a_demo_account_keeps_its_cycle_while_today_is_well_inside_it_and_moves_it_otherwise() -> None:
    now = riga(2027, 1, 1, 0, 20)
    placed = placed_cycle_day(None, now)
    assert placed == 14
    assert (local_day(now) - datetime.date(2026, 12, placed)).days == DAYS_INTO_CYCLE
    assert placed_cycle_day(placed, now + datetime.timedelta(days=10)) == placed
    # On the cycle's first days a new load would show an empty cycle: the cycle moves.
    assert placed_cycle_day(placed, riga(2027, 1, 15, 9)) == 28
    # Eighteen days before 19 March is 1 March; before 18 April, 31 March: cycle day 31 starts April's cycle on
    # the 30th, so today is eighteen days in all the same.
    assert placed_cycle_day(None, riga(2027, 3, 19, 12)) == 1
    assert placed_cycle_day(None, riga(2027, 4, 18, 12)) == 31
    assert cycle_bounds(31, riga(2027, 4, 18, 12))[0] == riga(2027, 3, 31, 0, 0)


def test_every_demo_account_gets_the_same_placed_cycle() -> None:
    with at(MOMENTS["leap-day-late"]):
        load_demo(usage=False)
        numbers = [c.account_number for c in dataset.COMPANIES] + [
            p.private_account for p in dataset.PERSONS if p.private_account
        ]
        days = set(
            CustomerAccount.objects.filter(account_number__in=numbers).values_list("billing_cycle_day", flat=True)
        )
        assert days == {placed_cycle_day(None, timezone.now())}


def test_loading_the_demo_usage_again_at_the_same_moment_records_nothing() -> None:
    with at(MOMENTS["mid-month"]):
        load_demo(usage=False)
        now = timezone.now()
        first = load_demo_usage(now=now)
        assert first.recorded > 0
        assert not first.rejected
        events = UsageEvent.objects.count()
        again = load_demo_usage(now=now)
        assert (again.recorded, again.duplicates) == (0, first.recorded)
        assert UsageEvent.objects.count() == events


def test_loading_later_adds_only_the_hours_that_passed_and_what_was_recorded_stays_as_it_was() -> None:
    with at(MOMENTS["mid-month"]):
        load_demo(usage=False)
        morning = timezone.now()
        load_demo_usage(now=morning)
        before = dict(UsageEvent.objects.values_list("source_key", "quantity"))
    evening = morning + datetime.timedelta(hours=9)
    with at(evening):
        later = load_demo_usage(now=evening)
        after = dict(UsageEvent.objects.values_list("source_key", "quantity"))
    assert later.recorded > 0
    assert {key: after[key] for key in before} == before


@every_moment
def test_peteriss_last_trip_day_in_switzerland_is_charged_at_world_zone_1s_rate(moment: datetime.datetime) -> None:
    with at(moment):
        load_demo()
    peteris = _connection(PETERIS)
    outside = ZoneOutOfBucket.objects.filter(connection=peteris, zone=Zone.WORLD_1)
    assert outside.filter(kind=Kind.DATA, quantity__gt=0).exists()
    assert not ZoneOutOfBucket.objects.filter(connection=peteris).exclude(zone=Zone.WORLD_1).exists()
    assert CycleSpend.objects.filter(connection=peteris, amount__gt=0).exists()
