"""Billing cycles: local midnights on the account's cycle day (1–31), across daylight-saving changes, month ends,
leap days and year ends; and the billing clock that decides which cycle an event near midnight belongs to."""

from __future__ import annotations

import calendar
import datetime
import os
import subprocess
import sys

import pytest
from django.test import override_settings

from selfcare.tests.clock import RIGA, riga
from selfcare.usage.cycles import cycle_bounds, local_day

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


# -- cycle days past a month's end, year end, leap day, and every cycle day through two years ------------------------


@pytest.mark.parametrize(
    ("cycle_day", "moment", "starts", "ends"),
    [
        # Cycle day 31 in a 30-day month: April's cycle starts on the 30th, May's on the 31st again.
        (31, riga(2027, 4, 30, 0, 0), riga(2027, 4, 30), riga(2027, 5, 31)),
        (31, riga(2027, 4, 29, 23, 59), riga(2027, 3, 31), riga(2027, 4, 30)),
        # ... and in February: the 28th, or the 29th in a leap year.
        (31, riga(2027, 2, 28, 0, 0), riga(2027, 2, 28), riga(2027, 3, 31)),
        (31, riga(2028, 2, 28, 23, 59), riga(2028, 1, 31), riga(2028, 2, 29)),
        (30, riga(2028, 2, 29, 23, 50), riga(2028, 2, 29), riga(2028, 3, 30)),
        (29, riga(2027, 3, 1, 0, 30), riga(2027, 2, 28), riga(2027, 3, 29)),
        # Year end: the first minutes of a year belong to the cycle that starts on 1 January.
        (1, riga(2027, 1, 1, 0, 20), riga(2027, 1, 1), riga(2027, 2, 1)),
        (1, riga(2026, 12, 31, 23, 59), riga(2026, 12, 1), riga(2027, 1, 1)),
    ],
)
def test_a_cycle_day_past_the_months_end_starts_on_its_last_day(
    cycle_day: int, moment: datetime.datetime, starts: datetime.datetime, ends: datetime.datetime
) -> None:
    assert cycle_bounds(cycle_day, moment) == (starts.replace(hour=0), ends.replace(hour=0))


@pytest.mark.parametrize("cycle_day", range(1, 32))
def test_for_every_cycle_day_the_cycles_of_two_years_follow_each_other_without_gap_or_overlap(cycle_day: int) -> None:
    moment = riga(2027, 1, 15)
    start, end = cycle_bounds(cycle_day, moment)
    for _ in range(24):
        # The first and the last second of each cycle belong to it, the next second to the next cycle.
        assert cycle_bounds(cycle_day, start) == (start, end)
        assert cycle_bounds(cycle_day, end - datetime.timedelta(seconds=1)) == (start, end)
        local_start = start.astimezone(RIGA)
        assert (local_start.hour, local_start.minute) == (0, 0), "a cycle starts at Riga midnight"
        assert local_start.day == min(cycle_day, calendar.monthrange(local_start.year, local_start.month)[1])
        assert 28 <= (local_day(end) - local_day(start)).days <= 31
        start, end = cycle_bounds(cycle_day, end)


def test_an_event_at_half_past_midnight_in_riga_on_the_first_is_in_the_new_cycle_by_default() -> None:
    moment = datetime.datetime(2027, 1, 31, 22, 30, tzinfo=UTC)  # 00:30 on 1 February in Riga
    assert local_day(moment) == datetime.date(2027, 2, 1)
    assert cycle_bounds(1, moment)[0] == riga(2027, 2, 1, 0, 0)


def test_with_a_utc_billing_clock_the_same_event_stays_in_the_old_cycle() -> None:
    moment = datetime.datetime(2027, 1, 31, 22, 30, tzinfo=UTC)
    with override_settings(BILLING_TIME_ZONE="UTC"):
        assert local_day(moment) == datetime.date(2027, 1, 31)
        assert cycle_bounds(1, moment) == (
            datetime.datetime(2027, 1, 1, tzinfo=UTC),
            datetime.datetime(2027, 2, 1, tzinfo=UTC),
        )
    assert local_day(moment) == datetime.date(2027, 2, 1), "the setting is read again when it changes back"


def test_a_billing_clock_that_is_not_a_time_zone_stops_the_portal_at_start() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "selfcare.settings",
            "BILLING_TIME_ZONE": "Riga/Latvia",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "BILLING_TIME_ZONE must name a time zone" in result.stderr
