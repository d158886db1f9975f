"""Small builders for customer data in tests. Each returns a saved, valid object; keyword arguments override."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from selfcare.customers.models import GB, Company, Connection, CustomerAccount, Segment, TariffPlan

_sequence = itertools.count(1)
# Valid registration numbers (checksum holds), handed out in turn.
REGISTRATION_NUMBERS = [
    "40003111115",
    "40103222224",
    "40203333333",
    "40103444454",
    "40003555556",
    "40003521600",
]


def tariff_plan(**overrides: Any) -> TariffPlan:
    n = next(_sequence)
    values: dict[str, Any] = {
        "code": f"plan-{n}",
        "name": f"Plan {n}",
        "segment": Segment.BUSINESS,
        "monthly_fee": Decimal("15.99"),
        "data_bytes": 5 * GB,
        "eu_data_bytes": 5 * GB,
    } | overrides
    plan = TariffPlan(**values)
    plan.full_clean()
    plan.save()
    return plan


def company(**overrides: Any) -> Company:
    used = set(Company.objects.values_list("registration_number", flat=True))
    free = next(number for number in REGISTRATION_NUMBERS if number not in used)
    values: dict[str, Any] = {"name": f"SIA Test {next(_sequence)}", "registration_number": free} | overrides
    obj = Company(**values)
    obj.full_clean()
    obj.save()
    return obj


def business_account(**overrides: Any) -> CustomerAccount:
    values: dict[str, Any] = {
        "account_number": f"B-{next(_sequence):08d}",
        "kind": Segment.BUSINESS,
    } | overrides
    if "company" not in values:
        values["company"] = company()
    account = CustomerAccount(**values)
    account.full_clean()
    account.save()
    return account


def private_account(personal_code: str = "161175-19997", **overrides: Any) -> CustomerAccount:
    values: dict[str, Any] = {
        "account_number": f"P-{next(_sequence):08d}",
        "kind": Segment.PRIVATE,
        "holder_country": "LV",
        "holder_personal_code": personal_code,
        "holder_name": "Jānis Bērziņš",
    } | overrides
    account = CustomerAccount(**values)
    account.full_clean()
    account.save()
    return account


def connection(**overrides: Any) -> Connection:
    values: dict[str, Any] = {
        "msisdn": f"+37126{next(_sequence):06d}",
        "activated_on": datetime.date(2024, 1, 15),
    } | overrides
    if "account" not in values:
        values["account"] = business_account()
    if "tariff_plan" not in values:
        values["tariff_plan"] = tariff_plan()
    obj = Connection(**values)
    obj.full_clean()
    obj.save()
    return obj
