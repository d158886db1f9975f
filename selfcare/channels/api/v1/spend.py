"""A connection's running out-of-bundle spend in its current cycle and its spend cap — behind the `spend` scope.

The same read as the portal's spend cap page (selfcare.spend.selectors.running_spend), after
`require_connection(…, VIEW_SPEND, …)`: a private customer's connections, a company's for its main user; never an
employee's work context. Amounts are EUR excl. VAT, as strings of decimals.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from selfcare.access.contexts import Action, NotFound
from selfcare.access.policy import require_connection
from selfcare.channels.api import auth
from selfcare.channels.api.errors import REFUSALS, not_found
from selfcare.channels.api.v1.contexts import PREFIX, acting_context
from selfcare.spend.selectors import running_spend

router = Router(tags=["spend"])


class MoneyOut(Schema):
    unit: str
    value: Decimal


class CapOut(Schema):
    amount: MoneyOut
    thresholds: list[int]  # percent of the amount
    dataAlert: bool  # also at 80 % of the data bundle
    atCap: str  # at 100 %: "tell" (only tell) or "bar" (chargeable services barred until the cycle ends)


class SpendOut(Schema):
    href: str
    connection: str
    cycleStart: datetime.datetime
    cycleEnd: datetime.datetime
    asOf: datetime.datetime | None  # None: nothing charged yet this cycle
    outOfBundle: MoneyOut
    cap: CapOut | None


def _eur(value: Decimal) -> MoneyOut:
    return MoneyOut(unit="EUR", value=value)


@router.get(
    "/{context}/connections/{connection_id}/spend",
    response={200: SpendOut, **REFUSALS},
    auth=auth.SPEND,
    summary="The connection's out-of-bundle charges so far in its current cycle, and its spend cap",
)
def connection_spend(request: HttpRequest, context: str, connection_id: int) -> SpendOut:
    acting = acting_context(request, context)
    try:
        connection = require_connection(request.identity, acting, Action.VIEW_SPEND, connection_id)  # type: ignore[attr-defined]
    except NotFound:
        raise not_found() from None
    spend = running_spend(connection)
    cap = spend.cap
    connection_href = f"{PREFIX}/{acting.key}/connections/{connection.pk}"
    return SpendOut(
        href=f"{connection_href}/spend",
        connection=connection_href,
        cycleStart=spend.cycle_starts_at,
        cycleEnd=spend.cycle_ends_at,
        asOf=spend.as_of,
        outOfBundle=_eur(spend.amount),
        cap=None
        if cap is None
        else CapOut(amount=_eur(cap.amount), thresholds=cap.thresholds, dataAlert=cap.data_alert, atCap=cap.at_cap),
    )
