"""The demo's usage: believable, deterministic, and visible to Pēteris and Anna."""

from __future__ import annotations

import pytest
from django.utils import timezone

from selfcare.customers.models import Connection
from selfcare.demo.loader import load_demo
from selfcare.demo.usage import load_demo_usage
from selfcare.usage.models import DailyUsage, UsageEvent
from selfcare.usage.services import remaining_summary

pytestmark = pytest.mark.django_db


def test_loading_the_demo_usage_again_at_the_same_moment_records_nothing() -> None:
    load_demo(usage=False)
    now = timezone.now()
    first = load_demo_usage(now=now)
    assert first.recorded > 0
    assert not first.rejected
    events = UsageEvent.objects.count()
    again = load_demo_usage(now=now)
    assert (again.recorded, again.duplicates) == (0, first.recorded)
    assert UsageEvent.objects.count() == events


def test_peteris_and_annas_numbers_have_remaining_data_and_daily_use() -> None:
    load_demo()
    for msisdn in ("+37125500001", "+37129100001", "+37129100002"):
        connection = Connection.objects.select_related("account", "tariff_plan").get(msisdn=msisdn)
        summary = remaining_summary(connection)
        assert summary.data.used > 0 or summary.eu_data.used > 0, msisdn
        assert DailyUsage.objects.filter(connection=connection).exists(), msisdn


def test_martas_number_is_near_its_limit_and_anna_has_unlimited_data() -> None:
    load_demo()
    marta = Connection.objects.select_related("account", "tariff_plan").get(msisdn="+37129100002")
    summary = remaining_summary(marta)
    assert summary.data.percent_left is not None
    assert summary.data.percent_left <= 10
    anna = Connection.objects.select_related("account", "tariff_plan").get(msisdn="+37129100001")
    assert remaining_summary(anna).data.is_unlimited
