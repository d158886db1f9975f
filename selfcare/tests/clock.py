"""The test suite's clock: moments that matter for dates, and travelling to them.

A test whose result depends on the date or the hour pins its clock with `at(...)` (or passes `now` explicitly); a
test meant to hold "at any moment" runs at each of `MOMENTS`. The whole suite can also be run at one moment with
`pytest --clock=2027-01-01T00:20+02:00`, which CI does for the moments below (`.ci/run`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine

CLOCK_OPTION = "--clock"
RIGA = ZoneInfo("Europe/Riga")


def riga(year: int, month: int, day: int, hour: int = 12, minute: int = 0, *, fold: int = 0) -> datetime.datetime:
    """A wall-clock moment in Riga (fold=1 is the second of the two 03:xx hours when summer time ends)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=RIGA, fold=fold)


# Moments at which dates go wrong if they are going to: the first minutes of a year and of a cycle, the last
# minutes of a leap day and of a 31st (a month later has no 31st), the nights the clocks change (a 23-hour and a
# 25-hour day), and the hours after midnight when Riga's date is a day ahead of UTC's.
MOMENTS: dict[str, datetime.datetime] = {
    "new-year": riga(2027, 1, 1, 0, 20),
    "summer-time-starts": riga(2027, 3, 28, 4, 30),
    "summer-time-ends": riga(2027, 10, 31, 3, 30, fold=1),
    "leap-day-late": riga(2028, 2, 29, 23, 50),
    "month-end": riga(2027, 1, 31, 23, 50),
    "riga-ahead-of-utc": riga(2027, 6, 15, 1, 30),
    "mid-month": riga(2026, 12, 15, 12, 0),
}


def moment_from_option(value: str | None) -> datetime.datetime | None:
    """The moment `--clock` names: ISO 8601 with an offset, or one of the names in MOMENTS."""
    if not value:
        return None
    if value in MOMENTS:
        return MOMENTS[value]
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise pytest.UsageError(f"{CLOCK_OPTION} needs a moment with its offset, e.g. 2027-01-01T00:20+02:00")
    return moment


@contextmanager
def at(moment: datetime.datetime, *, tick: bool = False) -> Iterator[time_machine.Traveller]:
    """Run the block at `moment`; the clock stands still unless `tick`."""
    with time_machine.travel(moment, tick=tick) as traveller:
        yield traveller


every_moment = pytest.mark.parametrize("moment", list(MOMENTS.values()), ids=list(MOMENTS))
