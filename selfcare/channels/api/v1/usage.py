"""What is left on a connection in its current billing cycle, TMF677-like (usage consumption report): one bucket per
allowance with `remainingValue`, the cycle's national/EU/voice/SMS totals, the gifts, and the data used each day.

The same reads as the connection page (selfcare.usage.selectors), after `require_connection(…, VIEW_USAGE, …)`.
Amounts are in their base units (bytes, seconds, messages); `remainingValueName` is "Unlimited" for an unlimited
allowance and otherwise the remaining amount as the portal shows it (English).
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from selfcare.access.contexts import Action, NotFound
from selfcare.access.policy import require_connection
from selfcare.channels.api import auth
from selfcare.channels.api.errors import REFUSALS, not_found
from selfcare.channels.api.rendering import json_response
from selfcare.channels.api.v1.contexts import PREFIX, acting_context
from selfcare.usage.formatting import format_quantity
from selfcare.usage.models import Bucket, Source
from selfcare.usage.selectors import Figure, daily_data_use, remaining_summary

router = Router(tags=["usage"])


class QuantityOut(Schema):
    amount: int
    units: str  # byte, second, message


class PeriodOut(Schema):
    startDateTime: datetime.datetime
    endDateTime: datetime.datetime | None


class BucketOut(Schema):
    id: str
    type_: str = Field("Bucket", alias="@type")
    name: str
    usageType: str  # data, voice, sms
    zone: str  # domestic, eu, world, home_eu
    source: str  # plan, addon, gift
    isUnlimited: bool
    initialValue: QuantityOut | None  # None: unlimited
    usedValue: QuantityOut
    remainingValue: QuantityOut | None  # None: unlimited
    remainingValueName: str
    fairUseCap: QuantityOut | None
    validFor: PeriodOut

    model_config = ConfigDict(populate_by_name=True)


class FigureOut(Schema):
    units: str
    isUnlimited: bool
    allowance: int | None
    used: int
    remaining: int | None
    remainingValueName: str
    outOfBucket: int


class SummaryOut(Schema):
    data: FigureOut
    euData: FigureOut
    voice: FigureOut
    sms: FigureOut


class DayOut(Schema):
    day: datetime.date
    home: int
    roaming: int
    units: str = "byte"


class UsageConsumptionOut(Schema):
    id: str
    href: str
    connection: str  # href of the connection
    asOf: datetime.datetime
    billingCycle: PeriodOut
    summary: SummaryOut
    bucket: list[BucketOut]
    gifts: list[BucketOut]
    dailyUsage: list[DayOut]


def _name(value: int | None, unit: str) -> str:
    # Always English here: an app shows its own words; the name is a convenience, the amount is the figure.
    with translation.override("en"):
        return format_quantity(value, unit)


def _quantity(amount: int | None, unit: str) -> dict[str, object] | None:
    return None if amount is None else {"amount": amount, "units": unit}


# The answer is built as plain dicts in the schemas' field order and rendered by the API's own JSON renderer: the
# same bytes the models above would give (they stay the OpenAPI document's description of it), without building
# and validating some sixty pydantic models per call, a tenth of the call's time (docs/performance.md).


def _bucket(bucket: Bucket, index: int) -> dict[str, object]:
    unit = bucket.unit
    return {
        "id": str(bucket.pk) if bucket.pk else f"plan-{bucket.kind}-{bucket.zone}-{index}",
        "@type": "Bucket",
        "name": bucket.label or f"{bucket.get_source_display()}: {bucket.get_kind_display()}",
        "usageType": bucket.kind,
        "zone": bucket.zone,
        "source": bucket.source,
        "isUnlimited": bucket.is_unlimited,
        "initialValue": _quantity(bucket.allowance, unit),
        "usedValue": {"amount": bucket.used, "units": unit},
        "remainingValue": _quantity(bucket.remaining, unit),
        "remainingValueName": _name(bucket.remaining, unit),
        "fairUseCap": _quantity(bucket.fair_use_cap, unit),
        "validFor": {"startDateTime": bucket.valid_from, "endDateTime": bucket.valid_until},
    }


def _figure(figure: Figure) -> dict[str, object]:
    return {
        "units": figure.unit,
        "isUnlimited": figure.is_unlimited,
        "allowance": figure.allowance,
        "used": figure.used,
        "remaining": figure.remaining,
        "remainingValueName": _name(figure.remaining, figure.unit),
        "outOfBucket": figure.out_of_bucket,
    }


@router.get(
    "/{context}/connections/{connection_id}/usage-consumption",
    response={200: UsageConsumptionOut, **REFUSALS},
    auth=auth.USAGE,
    by_alias=True,
    summary="What is left in the current billing cycle, bucket by bucket, and the data used each day",
)
def usage_consumption(request: HttpRequest, context: str, connection_id: int) -> HttpResponse:
    acting = acting_context(request, context)
    try:
        connection = require_connection(request.identity, acting, Action.VIEW_USAGE, connection_id)  # type: ignore[attr-defined]
    except NotFound:
        raise not_found() from None
    summary = remaining_summary(connection)
    buckets = [_bucket(b, i) for i, b in enumerate(summary.buckets)]
    connection_href = f"{PREFIX}/{acting.key}/connections/{connection.pk}"
    body = {
        "id": f"{connection.pk}-{summary.cycle_starts_at:%Y%m%d}",
        "href": f"{connection_href}/usage-consumption",
        "connection": connection_href,
        "asOf": summary.as_of,
        "billingCycle": {"startDateTime": summary.cycle_starts_at, "endDateTime": summary.cycle_ends_at},
        "summary": {
            "data": _figure(summary.data),
            "euData": _figure(summary.eu_data),
            "voice": _figure(summary.voice),
            "sms": _figure(summary.sms),
        },
        "bucket": buckets,
        "gifts": [out for out, b in zip(buckets, summary.buckets, strict=True) if b.source != Source.PLAN],
        "dailyUsage": [
            {"day": d.day, "home": d.home, "roaming": d.roaming, "units": "byte"}
            for d in daily_data_use(connection, summary)
        ],
    }
    return json_response(request, body)
