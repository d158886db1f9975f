"""Orders from the app: the same operations as the pages (selfcare/portal/orders.py), through the same access
checks and services. Placing an order needs an `Idempotency-Key` header (or `idempotencyKey`): the same key again
answers 200 with the first order instead of 201, whatever the body says the second time.

An employee's order on their own number that the company decides becomes a request (`state: requested`); the
main user approves or declines it with `POST …/orders/{id}/decision`.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from selfcare.access.contexts import Action, NotFound
from selfcare.access.policy import orders_in, require_connection_to_order, require_order
from selfcare.channels.api import auth
from selfcare.channels.api.errors import REFUSALS, ApiError, not_found
from selfcare.channels.api.v1.contexts import acting_context
from selfcare.errors import ErrorCode
from selfcare.orders.models import Order, OrderKind
from selfcare.orders.selectors import with_details
from selfcare.orders.services import KIND_ACTION, MAX_ITEMS, OrderRequest, order_decide, order_place

router = Router(tags=["orders"])
KEY_MAX = 100


class OrderItemOut(Schema):
    connection: str
    msisdn: str
    action: str  # add, modify, delete (TMF622 productOrderItem)
    productOffering: str
    characteristics: dict[str, Any]
    price: Decimal | None


class OrderOut(Schema):
    id: str
    href: str
    kind: str
    state: str  # requested, declined, acknowledged, inProgress, completed, failed, rejected
    reason: str  # why it failed or was refused, in the language the app asked for (Accept-Language)
    reasonCode: str  # the operator's code for it, or "portal:refused" / "portal:unavailable"
    orderedBy: str
    orderDate: datetime.datetime
    activationCode: str | None  # eSIM: the LPA string, for the person who ordered it
    items: list[OrderItemOut]


class DeliveryIn(Schema):
    """Where a replacement SIM card is posted (within Latvia)."""

    recipient: str = Field("", max_length=100)
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    postcode: str = Field("", max_length=20)


class OrderIn(Schema):
    kind: Literal[
        "plan",
        "pack_add",
        "pack_remove",
        "bar",
        "unbar",
        "sim_block",
        "sim_unblock",
        "esim",
        "sim_replace",
        "label",
        "suspend",
        "resume",
    ]
    connections: list[int] = Field(..., min_length=1, max_length=MAX_ITEMS)
    productOffering: str = Field("", max_length=100)
    reason: Literal["", "lost", "stolen"] = ""
    months: int | None = Field(None, ge=1, le=6)
    userLabel: str = Field("", max_length=100)
    costCentre: str = Field("", max_length=50)
    deliveryAddress: DeliveryIn | None = None  # sim_replace
    idempotencyKey: str = Field("", max_length=KEY_MAX)


class DecisionIn(Schema):
    approve: bool


def _out(order: Order, context: str, identity_pk: object) -> OrderOut:
    items = list(order.items.all())
    return OrderOut(
        id=str(order.pk),
        href=f"/api/v1/contexts/{context}/orders/{order.pk}",
        kind=order.kind,
        state=order.state,
        reason=order.reason_shown,
        reasonCode=order.reason_code,
        orderedBy=order.ordered_by.full_name,
        orderDate=order.created_at,
        activationCode=order.activation_code if order.activation_code and order.ordered_by_id == identity_pk else None,
        items=[
            OrderItemOut(
                connection=str(i.connection_id),
                msisdn=str(i.connection.msisdn),
                action=i.action,
                productOffering=i.offering,
                characteristics=i.characteristics,
                price=i.price,
            )
            for i in items
        ],
    )


@router.get("/{context}/orders", response={200: list[OrderOut], **REFUSALS}, auth=auth.ORDERS, summary="Orders")
def list_orders(request: HttpRequest, context: str) -> list[OrderOut]:
    acting = acting_context(request, context)
    identity = request.identity  # type: ignore[attr-defined]
    orders = with_details(orders_in(identity, acting))[:200]
    return [_out(order, acting.key, identity.pk) for order in orders]


@router.get("/{context}/orders/{order_id}", response={200: OrderOut, **REFUSALS}, auth=auth.ORDERS, summary="One order")
def get_order(request: HttpRequest, context: str, order_id: uuid.UUID) -> OrderOut:
    acting = acting_context(request, context)
    identity = request.identity  # type: ignore[attr-defined]
    try:
        order = require_order(identity, acting, Action.VIEW_ORDERS, order_id)
    except NotFound:
        raise not_found() from None
    return _out(order, acting.key, identity.pk)


@router.post(
    "/{context}/orders",
    response={200: OrderOut, 201: OrderOut, **REFUSALS},
    auth=auth.ORDERS,
    summary="Place an order on one or more connections (idempotent: send an Idempotency-Key header)",
    description="201 with the new order; 200 with the first order when the same key was sent before.",
)
def place(request: HttpRequest, context: str, body: OrderIn) -> Status[OrderOut]:
    acting = acting_context(request, context)
    identity = request.identity  # type: ignore[attr-defined]
    key = request.headers.get("Idempotency-Key", "") or body.idempotencyKey
    if not key.strip() or len(key) > KEY_MAX:
        raise ApiError(422, ErrorCode.INVALID_INPUT, "idempotencyKey")
    earlier = Order.objects.filter(ordered_by=identity, idempotency_key=key).first()
    if earlier is not None:
        return Status(200, _out(earlier, acting.key, identity.pk))
    action = KIND_ACTION[OrderKind(body.kind)]
    routes = set()
    connections = []
    try:
        for connection_id in dict.fromkeys(body.connections):
            connection, route = require_connection_to_order(identity, acting, action, connection_id)
            connections.append(connection)
            routes.add(route)
    except NotFound:
        raise not_found() from None
    if len(routes) != 1:
        raise not_found()
    values: dict[str, Any] = {
        "reason": body.reason,
        "months": body.months,
        "user_label": body.userLabel,
        "cost_centre": body.costCentre,
        **(body.deliveryAddress.dict() if body.deliveryAddress else {}),
    }
    order = order_place(
        request=request,
        identity=identity,
        context=acting,
        route=routes.pop(),
        connections=connections,
        wanted=OrderRequest(kind=body.kind, offering=body.productOffering, values=values),
        idempotency_key=key,
    )
    return Status(201, _out(order, acting.key, identity.pk))


@router.post(
    "/{context}/orders/{order_id}/decision",
    response={200: OrderOut, **REFUSALS},
    auth=auth.ORDERS,
    summary="The main user approves or declines an employee's request",
)
def decide(request: HttpRequest, context: str, order_id: uuid.UUID, body: DecisionIn) -> OrderOut:
    acting = acting_context(request, context)
    identity = request.identity  # type: ignore[attr-defined]
    try:
        order = require_order(identity, acting, Action.DECIDE_REQUESTS, order_id)
    except NotFound:
        raise not_found() from None
    decided = order_decide(request=request, identity=identity, context=acting, order=order, approve=body.approve)
    return _out(decided, acting.key, identity.pk)
