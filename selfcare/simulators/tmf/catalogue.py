"""The simulated operator's catalogue (TMF620 productOffering): plans, packs and barrings, with prices excl. VAT.

Plan ids are the operator's plan codes, the same the demo's connections carry (selfcare/demo/dataset.py).
`changeEffective` says when a plan change takes effect: at once, or at the start of the next billing month.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from selfcare.demo.dataset import PLANS

VAT_RATE = Decimal("0.21")  # Latvia's standard rate: the catalogue states each price with and without it
# What each plan includes, from the demo's plans (the same the demo's connections carry).
PLAN_INCLUDES = {plan.code: plan for plan in PLANS}

# (id, name, category, segments, price EUR excl. VAT, priceType, changeEffective)
OFFERINGS: tuple[tuple[str, str, str, tuple[str, ...], str, str, str], ...] = (
    ("bizness-eiropa-1-5", "Bizness Eiropa 1,5 GB", "plan", ("business",), "12.99", "recurring", "nextCycle"),
    ("bizness-eiropa-5", "Bizness Eiropa 5 GB", "plan", ("business",), "15.99", "recurring", "now"),
    ("bizness-eiropa-15", "Bizness Eiropa 15 GB", "plan", ("business",), "19.99", "recurring", "now"),
    ("bizness-eiropa-bezlimits", "Bizness Eiropa Bezlimits", "plan", ("business",), "23.99", "recurring", "now"),
    ("datu-20", "Datu 20 GB", "plan", ("business",), "7.99", "recurring", "nextCycle"),
    ("privats-10", "Privāts 10 GB", "plan", ("private",), "9.99", "recurring", "nextCycle"),
    ("privats-bezlimits", "Privāts Bezlimits", "plan", ("private",), "19.99", "recurring", "now"),
    ("pack-extra-data-10gb", "Extra 10 GB this month", "pack", ("business", "private"), "4.99", "oneTime", "now"),
    ("pack-roaming-world-1gb", "Roaming World 1 GB", "pack", ("business", "private"), "9.99", "recurring", "now"),
    ("pack-roaming-usa-500mb", "Roaming USA 500 MB", "pack", ("business", "private"), "6.99", "recurring", "now"),
    ("bar-roaming-outside-eu", "Roaming outside the EU", "barring", ("business", "private"), "0", "recurring", "now"),
    ("bar-premium-numbers", "Premium-rate numbers", "barring", ("business", "private"), "0", "recurring", "now"),
    ("bar-international-calls", "International calls", "barring", ("business", "private"), "0", "recurring", "now"),
    ("bar-data-abroad", "Data abroad", "barring", ("business", "private"), "0", "recurring", "now"),
    # Barred by the portal itself when a spend cap is reached (selfcare/spend/barring.py): its own category, so it is
    # not among the barrings a person chooses.
    (
        "bar-chargeable-services",
        "Chargeable services",
        "spend-control",
        ("business", "private"),
        "0",
        "recurring",
        "now",
    ),
    ("esim-replacement", "eSIM profile", "sim", ("business", "private"), "0", "oneTime", "now"),
    ("sim-replacement", "Replacement SIM card, delivered", "sim", ("business", "private"), "3.00", "oneTime", "now"),
)


def _characteristic(name: str, value: int | None, unit: str) -> dict[str, Any]:
    """A TMF620 prodSpecCharValueUse with one value; "unlimited" where the plan has no limit."""
    shown: int | str = "unlimited" if value is None else value
    return {
        "name": name,
        "valueType": "string" if value is None else "number",
        "productSpecCharacteristicValue": [{"value": shown, "unitOfMeasure": unit, "isDefault": True}],
    }


def _plan_details(offering_id: str) -> dict[str, Any]:
    plan = PLAN_INCLUDES.get(offering_id)
    if plan is None:
        return {}
    return {
        "prodSpecCharValueUse": [
            _characteristic("dataAllowance", plan.data_bytes, "byte"),
            _characteristic("euRoamingData", plan.eu_data_bytes, "byte"),
            _characteristic("voiceMinutes", plan.voice_minutes, "minute"),
            _characteristic("sms", plan.sms, "message"),
        ],
        "productOfferingTerm": [{"name": "noFixedTerm", "duration": {"amount": 0, "units": "month"}}],
    }


def product_offering(row: tuple[str, str, str, tuple[str, ...], str, str, str], href: str) -> dict[str, Any]:
    offering_id, name, category, segments, price, price_type, effective = row
    with_vat = (Decimal(price) * (1 + VAT_RATE)).quantize(Decimal("0.01"))
    return {
        "id": offering_id,
        "href": f"{href}{offering_id}",
        "@type": "ProductOffering",
        "name": name,
        "isSellable": True,
        "lifecycleStatus": "Active",
        "category": [{"id": category, "name": category}],
        "marketSegment": [{"id": segment} for segment in segments],
        "productOfferingPrice": [
            {
                "priceType": price_type,
                "recurringChargePeriodType": "month" if price_type == "recurring" else None,
                "price": {
                    "dutyFreeAmount": {"unit": "EUR", "value": float(price)},
                    "taxIncludedAmount": {"unit": "EUR", "value": float(with_vat)},
                    "taxRate": float(VAT_RATE * 100),
                },
            }
        ],
        "changeEffective": effective,
        **(_plan_details(offering_id) if category == "plan" else {}),
    }


SEGMENT_OF: dict[str, tuple[str, ...]] = {row[0]: row[3] for row in OFFERINGS}
