"""Reads of spend shared by the pages and the app API: a connection's running spend (one indexed read of
`CycleSpend`, kept by ingestion) and a company's costs per connection, cost centre and plan in the current cycle."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from selfcare.customers.models import Connection
from selfcare.spend.models import SpendCap
from selfcare.usage.cycles import cycle_bounds
from selfcare.usage.models import CycleSpend

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RunningSpend:
    """Out-of-bundle charges of the current cycle so far, EUR excl. VAT, and the cap if one is set."""

    amount: Decimal
    cycle_starts_at: datetime.datetime
    cycle_ends_at: datetime.datetime
    as_of: datetime.datetime | None
    cap: SpendCap | None

    @property
    def percent_of_cap(self) -> int | None:
        if self.cap is None:
            return None
        return int(self.amount * 100 / self.cap.amount)


def running_spend(connection: Connection, *, now: datetime.datetime | None = None) -> RunningSpend:
    """The connection's spend in the cycle containing `now` (two indexed reads: the spend and the cap)."""
    start, end = cycle_bounds(connection.account.billing_cycle_day, now or timezone.now())
    row = (
        CycleSpend.objects.filter(
            connection=connection, cycle__account_id=connection.account_id, cycle__starts_at=start
        )
        .values_list("amount", "as_of")
        .first()
    )
    cap = SpendCap.objects.filter(connection=connection).first()
    amount, as_of = row if row is not None else (ZERO, None)
    return RunningSpend(amount=amount, cycle_starts_at=start, cycle_ends_at=end, as_of=as_of, cap=cap)


@dataclass(frozen=True)
class ConnectionCost:
    connection: Connection
    spend: Decimal
    cap: Decimal | None

    @property
    def monthly_fee(self) -> Decimal:
        return self.connection.tariff_plan.monthly_fee

    @property
    def total(self) -> Decimal:
        return self.monthly_fee + self.spend


@dataclass(frozen=True)
class CompanyCosts:
    """The current cycle's costs (monthly fees and out-of-bundle charges, EUR excl. VAT) of the connections given,
    most expensive first, and their sums per cost centre and per plan."""

    rows: list[ConnectionCost]
    by_cost_centre: list[tuple[str, Decimal]]
    by_plan: list[tuple[str, Decimal]]

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.rows), ZERO)

    @property
    def spend(self) -> Decimal:
        return sum((row.spend for row in self.rows), ZERO)


def company_costs(connections: QuerySet[Connection], *, now: datetime.datetime | None = None) -> CompanyCosts:
    """Three queries whatever the number of connections: the connections with their plans, their spend in the
    cycle containing `now` (each account's own cycle), and their caps."""
    moment = now or timezone.now()
    found = list(connections.select_related("tariff_plan", "account").order_by("msisdn"))
    starts = {c.account_id: cycle_bounds(c.account.billing_cycle_day, moment)[0] for c in found}
    spend: dict[int, Decimal] = {}
    rows = CycleSpend.objects.filter(connection__in=[c.pk for c in found], cycle__starts_at__in=set(starts.values()))
    for connection_id, account_id, starts_at, amount in rows.values_list(
        "connection_id", "cycle__account_id", "cycle__starts_at", "amount"
    ):
        if starts.get(account_id) == starts_at:
            spend[connection_id] = amount
    caps = dict(SpendCap.objects.filter(connection__in=[c.pk for c in found]).values_list("connection_id", "amount"))
    costs = [ConnectionCost(c, spend.get(c.pk, ZERO), caps.get(c.pk)) for c in found]
    costs.sort(key=lambda row: (-row.total, row.connection.msisdn))
    centres: dict[str, Decimal] = defaultdict(lambda: ZERO)
    plans: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in costs:
        centres[row.connection.cost_centre] += row.total
        plans[row.connection.tariff_plan.name] += row.total
    return CompanyCosts(
        rows=costs,
        by_cost_centre=sorted(centres.items(), key=lambda item: -item[1]),
        by_plan=sorted(plans.items(), key=lambda item: -item[1]),
    )
