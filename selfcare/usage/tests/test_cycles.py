"""Billing cycles: local midnights on the account's cycle day, across daylight-saving changes."""

from __future__ import annotations

import datetime

import pytest

from selfcare.usage.cycles import cycle_bounds

UTC = datetime.UTC


def test_a_calendar_month_cycle_starts_at_riga_midnight_in_summer_and_winter_time() -> None:
    start, end = cycle_bounds(1, datetime.datetime(2026, 3, 15, 12, tzinfo=UTC))
    assert start == datetime.datetime(2026, 2, 28, 22, tzinfo=UTC)  # 1 March 00:00 EET (+02)
    assert end == datetime.datetime(2026, 3, 31, 21, tzinfo=UTC)  # 1 April 00:00 EEST (+03)
    # The spring change on 29 March makes this cycle one hour shorter than 31 days.
    assert end - start == datetime.timedelta(days=31, hours=-1)


def test_the_autumn_change_makes_the_october_cycle_an_hour_longer() -> None:
    start, end = cycle_bounds(1, datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 03:30 EEST, just before
    assert start == datetime.datetime(2026, 9, 30, 21, tzinfo=UTC)
    assert end == datetime.datetime(2026, 10, 31, 22, tzinfo=UTC)
    assert end - start == datetime.timedelta(days=31, hours=1)


@pytest.mark.parametrize(
    ("moment", "expected_start"),
    [
        (datetime.datetime(2026, 3, 31, 20, 59, 59, tzinfo=UTC), datetime.datetime(2026, 2, 28, 22, tzinfo=UTC)),
        (datetime.datetime(2026, 3, 31, 21, 0, 0, tzinfo=UTC), datetime.datetime(2026, 3, 31, 21, tzinfo=UTC)),
    ],
)
def test_the_last_second_of_a_cycle_and_the_first_of_the_next(
    moment: datetime.datetime, expected_start: datetime.datetime
) -> None:
    assert cycle_bounds(1, moment)[0] == expected_start


def test_a_cycle_day_of_15_runs_from_the_15th_to_the_14th() -> None:
    start, end = cycle_bounds(15, datetime.datetime(2026, 1, 14, 12, tzinfo=UTC))
    assert start == datetime.datetime(2025, 12, 14, 22, tzinfo=UTC)
    assert end == datetime.datetime(2026, 1, 14, 22, tzinfo=UTC)
