"""The simulator's bills, made on each request from the accounts and plans in the database (nothing stored)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from selfcare.customers.models import ConnectionStatus, CustomerAccount
from selfcare.orders.models import OrderItem, OrderKind, OrderState
from selfcare.simulators.tmf.catalogue import OFFERINGS
from selfcare.usage.models import CycleSpend

VAT_RATE = Decimal("0.21")
MONTHS = 6
CENT = Decimal("0.01")
# The demo operator's account for payments (a valid-looking Latvian IBAN; not a real account).
IBAN = "LV44HABA0551000000001"
BENEFICIARY = "SIA Tele2 (demo)"


@dataclass(frozen=True)
class Line:
    text: str
    quantity: int
    unit_price: Decimal
    kind: str = "plan"  # plan (monthly fee), pack, usage (beyond the bundle)

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class SimBill:
    account: CustomerAccount
    year: int
    month: int
    lines: tuple[Line, ...]
    state: str
    due: datetime.date

    @property
    def id(self) -> str:
        return f"{self.account.account_number}-{self.year}{self.month:02d}"

    @property
    def bill_no(self) -> str:
        return f"{self.year}{self.month:02d}{self.account.pk:06d}"

    @property
    def period_start(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def period_end(self) -> datetime.date:
        return _next_month(self.period_start) - datetime.timedelta(days=1)

    @property
    def bill_date(self) -> datetime.date:
        return _next_month(self.period_start)

    @property
    def net(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    @property
    def vat(self) -> Decimal:
        return (self.net * VAT_RATE).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def total(self) -> Decimal:
        return self.net + self.vat

    @property
    def remaining(self) -> Decimal:
        return Decimal("0.00") if self.state == "settled" else self.total


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _lines(account: CustomerAccount, start: datetime.date, end: datetime.date) -> tuple[Line, ...]:
    """A month's bill: the plans' monthly fees, the packs, and the use beyond the bundles priced as it landed."""
    return (*_plan_lines(account, start, end), *_pack_lines(account, start, end), *_usage_lines(account, start, end))


def _plan_lines(account: CustomerAccount, start: datetime.date, end: datetime.date) -> tuple[Line, ...]:
    """One line per plan: the connections that were live in the period, at the plan's monthly fee."""
    connections = (
        account.connections.filter(activated_on__lte=end)
        .filter(~Q(status=ConnectionStatus.TERMINATED) | Q(terminated_on__gte=start))
        .select_related("tariff_plan")
    )
    counts = Counter((c.tariff_plan.name, c.tariff_plan.monthly_fee) for c in connections)
    return tuple(Line(name, count, fee) for (name, fee), count in sorted(counts.items()))


# (name, price EUR excl. VAT, recurring) of this operator's packs, from its catalogue.
_PACKS = {row[0]: (row[1], Decimal(row[4]), row[5] == "recurring") for row in OFFERINGS if row[2] == "pack"}


def _month_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[the month's first moment, the next month's first moment) in Riga."""
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    after = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    return first, after


def _pack_lines(account: CustomerAccount, start: datetime.date, end: datetime.date) -> tuple[Line, ...]:
    """Packs as the order system fulfilled them: a one-time pack in the month its order completed, a recurring one
    in every month from then until an order removing it completed (a removal in the month still bills the month)."""
    first, after = _month_bounds(start, end)
    items = (
        OrderItem.objects.filter(
            connection__account=account,
            order__state=OrderState.COMPLETED,
            order__kind__in=(OrderKind.PACK_ADD, OrderKind.PACK_REMOVE),
            order__updated_at__lt=after,
            offering__in=_PACKS,
        )
        .values_list("connection_id", "offering", "order__kind", "order__updated_at")
        .order_by("order__updated_at")
    )
    added: dict[tuple[int, str], datetime.datetime] = {}
    counts: Counter[str] = Counter()
    for connection_id, offering, kind, at in items:
        key = (connection_id, offering)
        recurring = _PACKS[offering][2]
        if kind == OrderKind.PACK_ADD:
            if not recurring:
                if at >= first:
                    counts[offering] += 1
            elif key not in added:
                added[key] = at
        elif key in added:
            if at >= first:  # removed in this month: the month is still billed
                counts[offering] += 1
            del added[key]
    counts.update(offering for _connection, offering in added)  # recurring packs still on at the month's end
    return tuple(
        Line(_PACKS[offering][0], count, _PACKS[offering][1], "pack")
        for offering, count in sorted(counts.items())
        if count
    )


def _usage_lines(account: CustomerAccount, start: datetime.date, end: datetime.date) -> tuple[Line, ...]:
    """Use beyond the bundles, one line per number, for the billing cycles that ended in the month (billed in
    arrears, at the amounts ingestion priced: the same figures the portal's spend pages showed)."""
    first, after = _month_bounds(start, end)
    spend = (
        CycleSpend.objects.filter(
            connection__account=account, cycle__ends_at__gt=first, cycle__ends_at__lte=after, amount__gt=0
        )
        .values_list("connection__msisdn", "amount")
        .order_by("connection__msisdn", "cycle__starts_at")
    )
    return tuple(Line(msisdn, 1, amount, "usage") for msisdn, amount in spend)


def bills_of(account: CustomerAccount, today: datetime.date | None = None) -> list[SimBill]:
    """The account's bills for the last six whole months, newest first."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    bills = []
    for back in range(1, MONTHS + 1):
        start = month_start
        for _ in range(back):
            start = (start - datetime.timedelta(days=1)).replace(day=1)
        end = _next_month(start) - datetime.timedelta(days=1)
        issued = _next_month(start)
        if back == 1:  # issued this month, due at its end: unpaid, not yet overdue
            state, due = "new", _next_month(issued) - datetime.timedelta(days=1)
        elif back == 2:  # due on the 20th of last month and still unpaid: overdue
            state, due = "new", issued + datetime.timedelta(days=19)
        else:
            state, due = "settled", issued + datetime.timedelta(days=19)
        bills.append(SimBill(account, start.year, start.month, _lines(account, start, end), state, due))
    return bills


def find(bill_id: str, today: datetime.date | None = None) -> SimBill | None:
    number, _, month = bill_id.rpartition("-")
    account = CustomerAccount.objects.filter(account_number=number).first()
    if account is None or not month.isdigit():
        return None
    return next((bill for bill in bills_of(account, today) if bill.id == bill_id), None)
