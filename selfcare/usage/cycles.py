"""Billing cycles: an account's allowances renew at midnight on its cycle day (1–31), on the billing clock.

The billing clock is `BILLING_TIME_ZONE` (default Europe/Riga: the customer's own day, so an event at 00:30 Riga
time on the 1st belongs to the cycle that starts on the 1st, although it is still the 31st in UTC; an operator whose
rating system cuts its cycles at UTC midnight sets `UTC`). The same clock decides the day an event is counted on.

A cycle day beyond a month's last day starts that month's cycle on its last day: cycle day 31 starts on 30 April,
on 28 February (29 in a leap year), and on 31 May again. A cycle is [start, end) in aware UTC datetimes; because
its boundaries are local midnights, a cycle that spans a daylight-saving change is an hour shorter or longer than
whole days, and the arithmetic here never adds hours to UTC.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from selfcare.customers.models import CustomerAccount
from selfcare.usage.models import BillingCycle

LAST_CYCLE_DAY = 31


@lru_cache(maxsize=1)
def billing_zone() -> ZoneInfo:
    """The clock whose midnights start cycles and days (settings.BILLING_TIME_ZONE)."""
    return ZoneInfo(settings.BILLING_TIME_ZONE)


@receiver(setting_changed)
def _forget_zone(*, setting: str, **_kwargs: object) -> None:
    if setting == "BILLING_TIME_ZONE":
        billing_zone.cache_clear()


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=billing_zone()).astimezone(datetime.UTC)


def _start_in_month(cycle_day: int, year: int, month: int) -> datetime.date:
    """The day a cycle starts in this month: the cycle day, or the month's last day when it has fewer days."""
    return datetime.date(year, month, min(cycle_day, calendar.monthrange(year, month)[1]))


def _month_after(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def cycle_start_day(cycle_day: int, local_day: datetime.date) -> datetime.date:
    """The local date the cycle containing `local_day` began on."""
    start = _start_in_month(cycle_day, local_day.year, local_day.month)
    if local_day >= start:
        return start
    return _start_in_month(cycle_day, *_month_after(local_day.year, local_day.month, -1))


def next_cycle_start_day(cycle_day: int, start: datetime.date) -> datetime.date:
    """The local date the cycle after the one that began on `start` begins on."""
    return _start_in_month(cycle_day, *_month_after(start.year, start.month, 1))


def cycle_bounds(cycle_day: int, moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) in UTC of the cycle that contains `moment` (aware)."""
    return day_cycle_bounds(cycle_day, local_day(moment))


def day_cycle_bounds(cycle_day: int, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) in UTC of the cycle that contains the local date `day` (a cycle is made of whole local days)."""
    start_day = cycle_start_day(cycle_day, day)
    return _local_midnight(start_day), _local_midnight(next_cycle_start_day(cycle_day, start_day))


def local_day(moment: datetime.datetime) -> datetime.date:
    """The day `moment` falls on by the billing clock."""
    return moment.astimezone(billing_zone()).date()


def cycle_for(account: CustomerAccount, moment: datetime.datetime) -> BillingCycle:
    """The account's cycle containing `moment`, created if it is not there yet (safe under concurrency)."""
    start, end = cycle_bounds(account.billing_cycle_day, moment)
    return ensure_cycles([(account.pk, start, end)])[(account.pk, start)]


def ensure_cycles(
    wanted: Iterable[tuple[int, datetime.datetime, datetime.datetime]],
) -> dict[tuple[int, datetime.datetime], BillingCycle]:
    """Cycles by (account id, start) for every (account id, start, end) asked for, creating the missing ones in
    one statement; concurrent creators meet on the unique constraint and both read the same row."""
    ends = {(account_id, start): end for account_id, start, end in wanted}
    if not ends:
        return {}
    account_ids = {account_id for account_id, _start in ends}
    starts = {start for _account_id, start in ends}

    def existing() -> dict[tuple[int, datetime.datetime], BillingCycle]:
        found = BillingCycle.objects.filter(account_id__in=account_ids, starts_at__in=starts)
        return {(c.account_id, c.starts_at): c for c in found if (c.account_id, c.starts_at) in ends}

    cycles = existing()
    missing = [
        BillingCycle(account_id=account_id, starts_at=start, ends_at=end)
        for (account_id, start), end in ends.items()
        if (account_id, start) not in cycles
    ]
    if missing:
        BillingCycle.objects.bulk_create(missing, ignore_conflicts=True)
        cycles = existing()
    return cycles
