"""Reads of spend shared by the pages and the app API: a connection's running spend (one indexed read of
`CycleSpend`, kept by ingestion) and a company's costs per connection, cost centre and plan in the current cycle,
beside the cycle before (month over month)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from selfcare.customers.models import Connection, TariffPlan
from selfcare.spend.models import SpendCap
from selfcare.usage.cycles import cycle_bounds
from selfcare.usage.models import CycleSpend, Kind, OutOfBundleRate, Zone
from selfcare.usage.pricing import effective_rate
from selfcare.usage.world_zones import countries_of

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
class ZonePrices:
    """What use beyond the bundle costs in one zone: a rate per kind, None where it is not charged."""

    zone: str
    label: str
    countries: tuple[str, ...]  # world zones 1 and 2: the operator's list of countries
    data: OutOfBundleRate | None
    voice: OutOfBundleRate | None
    sms: OutOfBundleRate | None


def out_of_bundle_prices(plan: TariffPlan) -> list[ZonePrices]:
    """The plan's out-of-bundle prices per zone, as ingestion charges them (selfcare.usage.pricing): calls and SMS
    in the EU at Latvia's rates (they share its bucket), a world zone without a rate of its own at the rest of the
    world's. Empty when the plan charges for nothing."""
    rates = {(r.kind, r.zone): r for r in OutOfBundleRate.objects.filter(plan=plan)}

    def rate(kind: str, zone: str) -> OutOfBundleRate | None:
        return effective_rate(rates, kind, Zone.DOMESTIC if zone == Zone.EU and kind != Kind.DATA else zone)

    rows = [
        ZonePrices(
            str(zone),
            str(label),
            countries_of(zone),
            rate(Kind.DATA, zone),
            rate(Kind.VOICE, zone),
            rate(Kind.SMS, zone),
        )
        for zone, label in Zone.choices
    ]
    return rows if rates else []


@dataclass(frozen=True)
class ConnectionCost:
    connection: Connection
    spend: Decimal
    cap: Decimal | None
    previous_spend: Decimal = ZERO  # the extra charges of the cycle before

    @property
    def monthly_fee(self) -> Decimal:
        return self.connection.tariff_plan.monthly_fee

    @property
    def total(self) -> Decimal:
        return self.monthly_fee + self.spend

    @property
    def previous_total(self) -> Decimal:
        """The cycle before at today's plan (a plan changed since is not seen: its fee is the bill's business)."""
        return self.monthly_fee + self.previous_spend


@dataclass(frozen=True)
class CostGroup:
    """The sum of a cost centre's or a plan's connections, this cycle and the one before, and its bar's length
    (per mille of the largest total on the chart, so the page draws it without arithmetic)."""

    name: str
    total: Decimal
    previous: Decimal
    share: int = 0
    previous_share: int = 0

    @property
    def change(self) -> Decimal:
        return self.total - self.previous

    @property
    def change_percent(self) -> int | None:
        """The change against the cycle before, in whole percent; None when there was nothing to compare with."""
        if not self.previous:
            return None
        return int((self.change * 100 / self.previous).to_integral_value(rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class CompanyCosts:
    """The current cycle's costs (monthly fees and out-of-bundle charges, EUR excl. VAT) of the connections given,
    most expensive first, and their sums per cost centre and per plan, each beside the cycle before."""

    rows: list[ConnectionCost]
    by_cost_centre: list[CostGroup]
    by_plan: list[CostGroup]

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.rows), ZERO)

    @property
    def spend(self) -> Decimal:
        return sum((row.spend for row in self.rows), ZERO)

    @property
    def month_over_month(self) -> CostGroup:
        previous = sum((row.previous_total for row in self.rows), ZERO)
        return CostGroup(name="", total=self.total, previous=previous)


def _per_mille(amount: Decimal, largest: Decimal) -> int:
    return int(amount * 1000 / largest) if largest else 0


def _groups(costs: list[ConnectionCost], key: Callable[[ConnectionCost], str]) -> list[CostGroup]:
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in costs:
        totals[key(row)][0] += row.total
        totals[key(row)][1] += row.previous_total
    largest = max((max(now, before) for now, before in totals.values()), default=ZERO)
    groups = [
        CostGroup(name, now, before, _per_mille(now, largest), _per_mille(before, largest))
        for name, (now, before) in totals.items()
    ]
    return sorted(groups, key=lambda group: (-group.total, group.name))


def company_costs(connections: QuerySet[Connection], *, now: datetime.datetime | None = None) -> CompanyCosts:
    """Three queries whatever the number of connections: the connections with their plans, their spend in the
    cycle containing `now` and in the one before (each account's own cycles), and their caps."""
    moment = now or timezone.now()
    found = list(connections.select_related("tariff_plan", "account").order_by("msisdn"))
    starts: dict[int, datetime.datetime] = {}
    before: dict[int, datetime.datetime] = {}
    for c in found:
        if c.account_id not in starts:
            start = cycle_bounds(c.account.billing_cycle_day, moment)[0]
            starts[c.account_id] = start
            before[c.account_id] = cycle_bounds(c.account.billing_cycle_day, start - datetime.timedelta(seconds=1))[0]
    spend: dict[int, Decimal] = {}
    previous: dict[int, Decimal] = {}
    rows = CycleSpend.objects.filter(
        connection__in=[c.pk for c in found], cycle__starts_at__in={*starts.values(), *before.values()}
    )
    for connection_id, account_id, starts_at, amount in rows.values_list(
        "connection_id", "cycle__account_id", "cycle__starts_at", "amount"
    ):
        if starts.get(account_id) == starts_at:
            spend[connection_id] = amount
        elif before.get(account_id) == starts_at:
            previous[connection_id] = amount
    caps = dict(SpendCap.objects.filter(connection__in=[c.pk for c in found]).values_list("connection_id", "amount"))
    costs = [ConnectionCost(c, spend.get(c.pk, ZERO), caps.get(c.pk), previous.get(c.pk, ZERO)) for c in found]
    costs.sort(key=lambda row: (-row.total, row.connection.msisdn))
    return CompanyCosts(
        rows=costs,
        by_cost_centre=_groups(costs, lambda row: row.connection.cost_centre),
        by_plan=_groups(costs, lambda row: row.connection.tariff_plan.name),
    )
