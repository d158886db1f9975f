"""The simulated billing system's monthly bills: plans, packs as the order system fulfilled them, and the use beyond
the bundles as ingestion priced it (issue 21: the production path of bills runs in the demo)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from selfcare.access.tests import factories as people
from selfcare.customers.models import Connection
from selfcare.customers.tests import factories
from selfcare.identity.models import DigitalIdentity
from selfcare.orders.models import ItemAction, Order, OrderItem, OrderKind, OrderState
from selfcare.simulators.billing.bills import SimBill, bills_of
from selfcare.simulators.billing.pdf import render_bill
from selfcare.usage.models import BillingCycle, CycleSpend

pytestmark = pytest.mark.django_db
RIGA = ZoneInfo("Europe/Riga")
TODAY = datetime.date(2026, 12, 3)  # the bills of June to November 2026


def _moment(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, tzinfo=RIGA)


def _completed(connection: Connection, who: DigitalIdentity, kind: str, offering: str, at: datetime.datetime) -> None:
    order = Order.objects.create(kind=kind, context="private", ordered_by=who, state=OrderState.COMPLETED)
    action = ItemAction.ADD if kind == OrderKind.PACK_ADD else ItemAction.DELETE
    OrderItem.objects.create(order=order, connection=connection, action=action, offering=offering)
    Order.objects.filter(pk=order.pk).update(updated_at=at)  # when the operator completed it


def _bill(connection: Connection, month: int) -> SimBill:
    return next(bill for bill in bills_of(connection.account, TODAY) if bill.month == month)


def _lines(bill: SimBill) -> dict[str, tuple[int, Decimal]]:
    return {f"{line.kind}: {line.text}": (line.quantity, line.unit_price) for line in bill.lines}


def test_a_one_time_pack_is_billed_in_the_month_its_order_completed_only() -> None:
    connection = factories.connection()
    _completed(
        connection, people.person("15038512346"), OrderKind.PACK_ADD, "pack-extra-data-10gb", _moment(2026, 10, 10)
    )
    assert _lines(_bill(connection, 10))["pack: Extra 10 GB this month"] == (1, Decimal("4.99"))
    assert "pack: Extra 10 GB this month" not in _lines(_bill(connection, 11))
    assert "pack: Extra 10 GB this month" not in _lines(_bill(connection, 9))


def test_a_recurring_pack_is_billed_every_month_until_the_month_it_was_removed() -> None:
    connection = factories.connection()
    who = people.person("15038512346")
    _completed(connection, who, OrderKind.PACK_ADD, "pack-roaming-world-1gb", _moment(2026, 8, 20))
    _completed(connection, who, OrderKind.PACK_REMOVE, "pack-roaming-world-1gb", _moment(2026, 10, 5))
    billed = {bill.month for bill in bills_of(connection.account, TODAY) if "pack: Roaming World 1 GB" in _lines(bill)}
    assert billed == {8, 9, 10}
    assert _lines(_bill(connection, 9))["pack: Roaming World 1 GB"] == (1, Decimal("9.99"))


def test_use_beyond_the_bundle_is_billed_per_number_for_the_cycles_that_ended_in_the_month_with_vat() -> None:
    connection = factories.connection(msisdn="+37126999001")
    october = BillingCycle.objects.create(
        account=connection.account, starts_at=_moment(2026, 10, 1), ends_at=_moment(2026, 11, 1)
    )
    november = BillingCycle.objects.create(
        account=connection.account, starts_at=_moment(2026, 11, 1), ends_at=_moment(2026, 12, 1)
    )
    CycleSpend.objects.create(connection=connection, cycle=october, amount=Decimal("3.47"), as_of=_moment(2026, 11, 1))
    CycleSpend.objects.create(connection=connection, cycle=november, amount=Decimal("0.10"), as_of=_moment(2026, 12, 1))
    bill = _bill(connection, 10)
    assert _lines(bill)["usage: +37126999001"] == (1, Decimal("3.47"))
    fee = connection.tariff_plan.monthly_fee
    assert bill.net == fee + Decimal("3.47")
    assert bill.total == bill.net + (bill.net * Decimal("0.21")).quantize(Decimal("0.01"))
    assert _lines(_bill(connection, 11))["usage: +37126999001"] == (1, Decimal("0.10"))
    assert not [text for text in _lines(_bill(connection, 9)) if text.startswith("usage:")]


def test_the_bill_document_names_each_line_for_what_it_is() -> None:
    connection = factories.connection(msisdn="+37126999002")
    _completed(
        connection, people.person("15038512346"), OrderKind.PACK_ADD, "pack-extra-data-10gb", _moment(2026, 10, 9)
    )
    october = BillingCycle.objects.create(
        account=connection.account, starts_at=_moment(2026, 10, 1), ends_at=_moment(2026, 11, 1)
    )
    CycleSpend.objects.create(connection=connection, cycle=october, amount=Decimal("1.25"), as_of=_moment(2026, 11, 1))
    text = PdfReader(io.BytesIO(render_bill(_bill(connection, 10)))).pages[0].extract_text()
    assert f"{connection.tariff_plan.name} (abonēšanas maksa / plan)" in text
    assert "Extra 10 GB this month (papildpaka / pack)" in text
    assert "+37126999002 (ārpus paketes / beyond the bundle)" in text
