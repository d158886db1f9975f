"""grant_bonus: the door Komplimenti uses to give data, minutes or SMS."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from selfcare.customers.models import GB
from selfcare.customers.tests import factories
from selfcare.usage.models import Bucket, Source
from selfcare.usage.services import grant_bonus, remaining_summary

pytestmark = pytest.mark.django_db


def test_a_gift_adds_a_bucket_to_the_current_cycle_and_to_the_remaining_data() -> None:
    connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
    bucket = grant_bonus(connection, unit="byte", amount=5 * GB, label="Komplimenti +5 GB", source_key="claim-1")
    assert bucket.source == Source.GIFT
    assert bucket.allowance == 5 * GB
    assert bucket.cycle.starts_at <= timezone.now() < bucket.cycle.ends_at
    summary = remaining_summary(connection)
    assert summary.data.allowance == 15 * GB
    assert summary.data.remaining == 15 * GB
    assert [b.label for b in summary.gifts] == ["Komplimenti +5 GB"]
    # The plan's own buckets were created with the cycle, so the gift sits beside them.
    assert Bucket.objects.filter(connection=connection, source=Source.PLAN).count() == 7


def test_granting_twice_with_the_same_key_grants_once() -> None:
    connection = factories.connection()
    first = grant_bonus(connection, unit="byte", amount=GB, label="Gift", source_key="claim-2")
    second = grant_bonus(connection, unit="byte", amount=GB, label="Gift", source_key="claim-2")
    assert first.pk == second.pk
    assert Bucket.objects.filter(source=Source.GIFT).count() == 1


def test_a_key_used_for_another_connection_is_refused() -> None:
    grant_bonus(factories.connection(), unit="byte", amount=GB, label="Gift", source_key="claim-3")
    with pytest.raises(ValueError, match="another connection"):
        grant_bonus(factories.connection(), unit="byte", amount=GB, label="Gift", source_key="claim-3")


def test_minutes_and_sms_can_be_given_too() -> None:
    connection = factories.connection(tariff_plan=factories.tariff_plan(voice_minutes=100, sms=50))
    grant_bonus(connection, unit="second", amount=600, label="10 min", source_key="v")
    grant_bonus(connection, unit="message", amount=10, label="10 SMS", source_key="s")
    summary = remaining_summary(connection)
    assert summary.voice.allowance == 100 * 60 + 600
    assert summary.sms.allowance == 60


@pytest.mark.parametrize(("unit", "amount"), [("litre", 1), ("byte", 0), ("byte", -5)])
def test_an_unknown_unit_or_a_non_positive_amount_is_refused(unit: str, amount: int) -> None:
    with pytest.raises(ValueError, match=r"unit|amount"):
        grant_bonus(factories.connection(), unit=unit, amount=amount, label="x", source_key=f"{unit}{amount}")


def test_a_gift_never_outlives_the_cycle_it_was_given_in() -> None:
    connection = factories.connection()
    later = timezone.now() + datetime.timedelta(days=90)
    bucket = grant_bonus(connection, unit="byte", amount=GB, label="Gift", source_key="long", valid_until=later)
    assert bucket.valid_until == bucket.cycle.ends_at


def test_a_gift_that_has_expired_is_not_counted_in_the_remaining_data() -> None:
    connection = factories.connection(tariff_plan=factories.tariff_plan(data_bytes=10 * GB))
    soon = timezone.now() + datetime.timedelta(minutes=5)
    grant_bonus(connection, unit="byte", amount=GB, label="Gift", source_key="short", valid_until=soon)
    assert remaining_summary(connection).data.allowance == 11 * GB
    assert remaining_summary(connection, now=soon + datetime.timedelta(seconds=1)).data.allowance == 10 * GB
