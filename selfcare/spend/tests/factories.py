"""Caps and priced connections for tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from selfcare.customers.models import Connection
from selfcare.customers.tests import factories
from selfcare.spend.models import SpendCap
from selfcare.usage.models import Kind, OutOfBundleRate, Zone

MB = 1000**2


def priced_connection(**overrides: Any) -> Connection:
    """A connection with 100 MB of data whose extra data costs 0.10 € per MB (so 1 € is 10 MB beyond the bundle)."""
    plan = factories.tariff_plan(data_bytes=100 * MB, eu_data_bytes=100 * MB)
    OutOfBundleRate.objects.create(plan=plan, kind=Kind.DATA, zone=Zone.DOMESTIC, price=Decimal("0.10"), per=MB)
    return factories.connection(tariff_plan=plan, **overrides)


def cap(connection: Connection, amount: str = "20", **overrides: Any) -> SpendCap:
    values: dict[str, Any] = {"amount": Decimal(amount), "thresholds": [70, 100], "tell_main_user": False} | overrides
    return SpendCap.objects.create(connection=connection, **values)
