"""Billing cycles: an account's allowances renew at midnight in Europe/Riga on its cycle day (1–28).

A cycle is [start, end) in aware UTC datetimes. Because the boundaries are local midnights, a cycle that spans a
daylight-saving change is an hour shorter or longer than whole days; the arithmetic here never adds hours to UTC.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from selfcare.customers.models import CustomerAccount
from selfcare.usage.models import BillingCycle

RIGA = ZoneInfo("Europe/Riga")


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=RIGA).astimezone(datetime.UTC)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


def cycle_start_day(cycle_day: int, local_day: datetime.date) -> datetime.date:
    """The local date the cycle containing `local_day` began on (cycle_day ≤ 28, so it exists in every month)."""
    start = local_day.replace(day=cycle_day)
    return start if local_day.day >= cycle_day else _add_months(start, -1)


def cycle_bounds(cycle_day: int, moment: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) in UTC of the cycle that contains `moment` (aware)."""
    start_day = cycle_start_day(cycle_day, moment.astimezone(RIGA).date())
    return _local_midnight(start_day), _local_midnight(_add_months(start_day, 1))


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(RIGA).date()


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
