"""Alerts as usage lands: each threshold once per cycle, whatever the order, lateness or repetition of events."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import pytest

from selfcare.binding.models import SmsMessage
from selfcare.spend.models import Reason, SpendAlert
from selfcare.spend.notices import send
from selfcare.spend.tests.factories import MB, cap, priced_connection
from selfcare.tests.clock import at, riga
from selfcare.usage.models import Kind, OutOfBundleRate, Zone
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
NOW = riga(2026, 3, 20)


def _alerts(connection_id: int) -> list[tuple[int, str, int]]:
    return sorted(
        SpendAlert.objects.filter(connection_id=connection_id).values_list(
            "cycle__starts_at__month", "reason", "threshold"
        )
    )


def test_one_event_that_crosses_two_thresholds_raises_both_and_texts_the_number(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    connection = priced_connection()
    cap(connection, "20")
    with at(NOW), django_capture_on_commit_callbacks(execute=True):
        feed(row(connection.msisdn, 100 * MB, riga(2026, 3, 10)))  # the bundle: nothing charged
        assert _alerts(connection.pk) == [(3, Reason.DATA, 80)]
        feed(row(connection.msisdn, 250 * MB, riga(2026, 3, 11)))  # 25 € of extra data at once
    assert _alerts(connection.pk) == [(3, Reason.DATA, 80), (3, Reason.SPEND, 70), (3, Reason.SPEND, 100)]
    texts = list(SmsMessage.objects.filter(to=connection.msisdn).values_list("text", flat=True))
    assert len(texts) == 3
    assert any("100%" in text and "25,00" in text and "20,00" in text for text in texts)


def test_late_events_that_cross_a_threshold_raise_it_for_the_cycle_they_happened_in() -> None:
    connection = priced_connection()
    cap(connection, "1", data_alert=False)
    with at(riga(2026, 4, 2)):
        feed(row(connection.msisdn, 100 * MB, riga(2026, 3, 30)))
        feed(row(connection.msisdn, 5 * MB, riga(2026, 4, 1, 9)))  # April's bundle: nothing charged
        assert _alerts(connection.pk) == []
        feed(row(connection.msisdn, 8 * MB, riga(2026, 3, 31, 23)))  # late, 0.80 € in March
    assert _alerts(connection.pk) == [(3, Reason.SPEND, 70)]


def test_a_replayed_or_repeated_crossing_raises_no_second_alert(django_capture_on_commit_callbacks: Capture) -> None:
    connection = priced_connection()
    cap(connection, "1", data_alert=False)
    events = [row(connection.msisdn, 108 * MB, riga(2026, 3, 10), key="e1")]
    with at(NOW), django_capture_on_commit_callbacks(execute=True):
        feed(*events)
        feed(*events)  # the same file again
        feed(row(connection.msisdn, MB, riga(2026, 3, 11)))  # more use, still between 70 % and 100 %
    assert _alerts(connection.pk) == [(3, Reason.SPEND, 70)]
    assert SmsMessage.objects.filter(to=connection.msisdn).count() == 1
    alert = SpendAlert.objects.get(connection=connection)
    assert send(alert.pk) is False  # a task run twice sends nothing more
    assert SmsMessage.objects.filter(to=connection.msisdn).count() == 1


def test_a_new_cycle_starts_its_thresholds_afresh() -> None:
    connection = priced_connection()
    cap(connection, "1", thresholds=[100], data_alert=False)
    with at(riga(2026, 4, 20)):
        feed(row(connection.msisdn, 120 * MB, riga(2026, 3, 10)))
        feed(row(connection.msisdn, 120 * MB, riga(2026, 4, 10)))
    assert _alerts(connection.pk) == [(3, Reason.SPEND, 100), (4, Reason.SPEND, 100)]


def test_use_below_every_threshold_raises_nothing() -> None:
    connection = priced_connection()
    cap(connection, "20")
    with at(NOW):
        feed(row(connection.msisdn, 79 * MB, riga(2026, 3, 10)), row(connection.msisdn, 13 * MB, riga(2026, 3, 10)))
    assert _alerts(connection.pk) == [(3, Reason.DATA, 80)]  # 92 MB of 100: the data alert only
    other = priced_connection()
    cap(other, "20", data_alert=False)
    with at(NOW):
        feed(row(other.msisdn, 200 * MB, riga(2026, 3, 10)))  # 10 € of 20: under 70 %
    assert _alerts(other.pk) == []


def test_a_connection_without_a_cap_raises_no_alert() -> None:
    connection = priced_connection()
    with at(NOW):
        feed(row(connection.msisdn, 500 * MB, riga(2026, 3, 10)))
    assert _alerts(connection.pk) == []


def test_a_roaming_event_in_world_zone_2_crosses_a_threshold_at_its_zones_rate() -> None:
    connection = priced_connection()
    plan = connection.tariff_plan
    OutOfBundleRate.objects.create(plan=plan, kind=Kind.DATA, zone=Zone.WORLD, price=Decimal("0.05"), per=MB)
    OutOfBundleRate.objects.create(plan=plan, kind=Kind.DATA, zone=Zone.WORLD_2, price=Decimal("1.00"), per=MB)
    cap(connection, "10", data_alert=False)
    with at(NOW):
        feed(row(connection.msisdn, 10 * MB, riga(2026, 3, 10), zone="world", country="JP"))  # 0.50 €: under 70 %
        assert _alerts(connection.pk) == []
        feed(row(connection.msisdn, 7 * MB, riga(2026, 3, 11), zone="world", country="US"))  # 7 € in zone 2
    assert _alerts(connection.pk) == [(3, Reason.SPEND, 70)]
