"""Managing a connection: orders to the operator (plan, packs, barrings, SIM, eSIM, user and cost centre,
suspension), in bulk for a company, the orders pages and the main user's decision on an employee's request.

Views only parse input, ask selfcare.access and call selfcare.orders. Costly or irreversible orders show what they
cost on a confirmation page first; blocking a lost SIM is one step.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from selfcare.access.contexts import Action, Context, ContextKind
from selfcare.access.policy import (
    OrderRoute,
    connections_in,
    employee_direct_actions,
    may,
    order_route,
    orders_in,
    require_connection,
    require_connection_to_order,
    require_order,
)
from selfcare.access.web import context_page
from selfcare.customers.models import Connection
from selfcare.customers.selectors import SEARCH_MAX_LENGTH, search_connections
from selfcare.orders.models import OrderItem, OrderKind, OrderState
from selfcare.orders.selectors import choices_for, offering_names, with_details
from selfcare.orders.services import (
    DELIVERY_FIELDS,
    EMPLOYEE_RIGHT_LABELS,
    KIND_ACTION,
    MAX_ITEMS,
    OrderRequest,
    StaleLogin,
    order_decide,
    order_follow_up,
    order_place,
    order_prepare,
    puk_reveal,
    set_employee_order_rights,
)

# Orders that cost money or cannot be taken back are confirmed on a page that shows the price first.
CONFIRM_FIRST = frozenset(
    {OrderKind.PLAN, OrderKind.PACK_ADD, OrderKind.ESIM, OrderKind.SIM_REPLACE, OrderKind.SUSPEND}
)
BULK_KINDS = (OrderKind.BAR, OrderKind.UNBAR, OrderKind.PACK_ADD)


def _key() -> str:
    return secrets.token_urlsafe(18)


def _wanted(data: Any) -> OrderRequest:
    kind = str(data.get("kind", ""))
    if kind not in KIND_ACTION:  # the kinds a person orders (not those the portal places itself)
        raise Http404
    values: dict[str, Any] = {}
    if kind == OrderKind.SIM_BLOCK:
        values["reason"] = data.get("reason", "")
    if kind == OrderKind.LABEL:
        values["user_label"] = data.get("user_label", "")
        values["cost_centre"] = data.get("cost_centre", "")
    if kind == OrderKind.SIM_REPLACE:
        values.update({name: str(data.get(name, ""))[:300] for name in DELIVERY_FIELDS})
    if kind == OrderKind.SUSPEND:
        months = str(data.get("months", ""))
        values["months"] = int(months) if months.isdigit() else None
    return OrderRequest(kind=kind, offering=str(data.get("offering", ""))[:100], values=values)


def _routes(acting: Context) -> dict[str, str]:
    direct = employee_direct_actions(acting.company_id) if acting.kind == ContextKind.WORK else frozenset()
    return {kind: order_route(acting, action, employee_direct=direct).value for kind, action in KIND_ACTION.items()}


@require_safe
@context_page
def manage(request: HttpRequest, connection_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    connection = require_connection(identity, acting, Action.VIEW_CONNECTION, connection_id)
    return _manage_page(request, acting, connection)


# The replacement SIM's address fields: name, label, the browser's autocomplete token.
_DELIVERY_FIELDS = (
    ("recipient", gettext_lazy("Recipient"), "name"),
    ("street", gettext_lazy("Street, house and flat"), "street-address"),
    ("city", gettext_lazy("City or parish"), "address-level2"),
    ("postcode", gettext_lazy("Postcode"), "postal-code"),
)


def _delivery_fields(wanted: OrderRequest | None, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    typed = wanted.values if wanted and wanted.kind == OrderKind.SIM_REPLACE else {}
    assert tuple(name for name, _label, _auto in _DELIVERY_FIELDS) == DELIVERY_FIELDS
    return [
        {"name": name, "label": label, "autocomplete": auto, "value": typed.get(name, ""), "errors": errors.get(name)}
        for name, label, auto in _DELIVERY_FIELDS
    ]


def _manage_page(
    request: HttpRequest,
    acting: Context,
    connection: Connection,
    *,
    wanted: OrderRequest | None = None,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """The connection's manage page; after refused input, with what was typed and the errors next to the fields."""
    identity = request.identity  # type: ignore[attr-defined]
    routes = _routes(acting)
    if all(route == OrderRoute.DENY for route in routes.values()):
        raise Http404
    recent = with_details(orders_in(identity, acting).filter(items__connection=connection))[:5]
    return render(
        request,
        "portal/orders/manage.html",
        {
            "connection": connection,
            "choices": choices_for(connection),
            "routes": routes,
            "recent": recent,
            "new_key": _key(),
            "months": range(1, 7),
            "delivery_fields": _delivery_fields(wanted, errors or {}),
        },
        status=400 if errors else 200,
    )


def _confirm(
    request: HttpRequest, acting: Context, connections: list[Connection], wanted: OrderRequest, route: OrderRoute
) -> HttpResponse:
    items = order_prepare(connections=connections, wanted=wanted)
    total = sum((item.price or Decimal(0) for item in items), Decimal(0))
    return render(
        request,
        "portal/orders/confirm.html",
        {
            "items": items,
            "first": items[0],
            "wanted": wanted,
            "kind_label": OrderKind(wanted.kind).label,
            "offering_name": offering_names().get(items[0].offering, items[0].offering),
            "total": total,
            "request_only": route == OrderRoute.REQUEST,
            "data": request.POST,
            "new_key": request.POST.get("idempotency_key") or _key(),
            "bulk": len(connections) > 1 or "ids" in request.POST,
            "ids": [c.pk for c in connections],
        },
    )


@require_POST
@context_page
def order_new(request: HttpRequest, connection_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    wanted = _wanted(request.POST)
    connection, route = require_connection_to_order(identity, acting, KIND_ACTION[wanted.kind], connection_id)
    try:
        if wanted.kind in CONFIRM_FIRST and request.POST.get("confirm") != "yes":
            return _confirm(request, acting, [connection], wanted, route)
        order = order_place(
            request=request,
            identity=identity,
            context=acting,
            route=route,
            connections=[connection],
            wanted=wanted,
            idempotency_key=request.POST.get("idempotency_key", "")[:100],
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):  # field by field (the delivery address): shown at the fields, input kept
            return _manage_page(request, acting, connection, wanted=wanted, errors=error.message_dict)
        messages.error(request, " ".join(error.messages))
        return redirect("portal:connection-manage", context=acting.key, connection_id=connection.pk)
    return redirect("portal:order", context=acting.key, order_id=order.pk)


BULK_PAGE_SIZE = 100


@require_http_methods(["GET", "POST"])
@context_page
def bulk(request: HttpRequest) -> HttpResponse:
    """A company's main user: one change on many numbers at once, as one order.

    A big company finds its numbers by a search (number, user, cost centre) and ticks them page by page, or takes
    every number the search found (up to the order's limit) at once.
    """
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    if acting.kind != ContextKind.COMPANY or not may(acting, Action.MANAGE_BARRINGS):
        raise Http404
    connections = connections_in(identity, acting).select_related("account", "tariff_plan").order_by("msisdn")
    data = request.POST if request.method == "POST" else request.GET
    query = str(data.get("q", "")).strip()[:SEARCH_MAX_LENGTH]
    found = search_connections(connections, query)
    if request.method == "POST":
        wanted = _wanted(request.POST)
        if wanted.kind not in BULK_KINDS or not may(acting, KIND_ACTION[wanted.kind]):
            raise Http404
        try:
            if request.POST.get("scope") == "found":
                count = found.count()
                if count > MAX_ITEMS:
                    raise ValidationError(
                        gettext("The search found %(count)s numbers; one order takes at most %(most)s. Narrow it.")
                        % {"count": count, "most": MAX_ITEMS}
                    )
                chosen = list(found)
            else:
                ids = {int(i) for i in request.POST.getlist("ids") if i.isdigit()}
                chosen = list(connections.filter(pk__in=ids))
                if len(chosen) != len(ids):
                    raise Http404
            if request.POST.get("confirm") != "yes":
                return _confirm(request, acting, chosen, wanted, OrderRoute.DIRECT)
            order = order_place(
                request=request,
                identity=identity,
                context=acting,
                route=OrderRoute.DIRECT,
                connections=chosen,
                wanted=wanted,
                idempotency_key=request.POST.get("idempotency_key", "")[:100],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("portal:order", context=acting.key, order_id=order.pk)
    page = Paginator(found, BULK_PAGE_SIZE).get_page(request.GET.get("page"))
    first = connections.first()
    return render(
        request,
        "portal/orders/bulk.html",
        {
            "page": page,
            "query": query,
            "most": MAX_ITEMS,
            "choices": choices_for(first) if first else None,
            "new_key": _key(),
        },
    )


@require_safe
@context_page
def order_list(request: HttpRequest) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    if not may(acting, Action.VIEW_ORDERS):
        raise Http404
    orders = with_details(orders_in(identity, acting))
    connection_id = request.GET.get("connection", "")
    if connection_id.isdigit():
        orders = orders.filter(items__connection_id=int(connection_id))
    waiting = orders.filter(state=OrderState.REQUESTED) if may(acting, Action.DECIDE_REQUESTS) else orders.none()
    rights: list[tuple[str, Any, bool]] = []
    if may(acting, Action.MANAGE_EMPLOYEE_ORDER_RIGHTS):
        direct = employee_direct_actions(acting.company_id)
        rights = [(action.value, label, action in direct) for action, label in EMPLOYEE_RIGHT_LABELS.items()]
    return render(
        request,
        "portal/orders/list.html",
        {
            "orders": orders[:200],
            "waiting": waiting,
            "may_decide": may(acting, Action.DECIDE_REQUESTS),
            "employee_rights": rights,
        },
    )


@require_POST
@context_page
def employee_rights(request: HttpRequest) -> HttpResponse:
    """The main user: which orders employees place on their own work number without approval."""
    acting: Context = request.acting  # type: ignore[attr-defined]
    try:
        set_employee_order_rights(
            request=request,
            identity=request.identity,  # type: ignore[attr-defined]
            context=acting,
            actions=[str(a)[:40] for a in request.POST.getlist("actions")],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("The setting is saved."))
    return redirect("portal:orders", context=acting.key)


def _qr_svg(code: str) -> str:
    return str(segno.make(code, error="m").svg_inline(scale=6, border=4, title=code))


@require_safe
@context_page
def order_detail(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    order = require_order(identity, acting, Action.VIEW_ORDERS, order_id)
    # The fallback when no event came: ask the operator, if not asked lately.
    order = order_follow_up(order)
    items: list[OrderItem] = list(order.items.select_related("connection"))
    names = offering_names()
    for item in items:
        item.offering_name = names.get(item.offering, item.offering)  # type: ignore[attr-defined]
    shown = order.activation_code and order.ordered_by_id == identity.pk
    return render(
        request,
        "portal/orders/detail.html",
        {
            "order": order,
            "items": items[:100],
            "more": max(0, len(items) - 100),
            "qr": _qr_svg(order.activation_code) if shown else "",
            "show_code": shown,
            "may_decide": may(acting, Action.DECIDE_REQUESTS) and order.state == OrderState.REQUESTED,
            "partial": bool(getattr(request, "htmx", False)),
        },
    )


@require_POST
@context_page
def order_decide_view(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    order = require_order(identity, acting, Action.DECIDE_REQUESTS, order_id)
    try:
        order_decide(
            request=request,
            identity=identity,
            context=acting,
            order=order,
            approve=request.POST.get("decision") == "approve",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("portal:order", context=acting.key, order_id=order.pk)


@require_POST
@context_page
def puk(request: HttpRequest, connection_id: int) -> HttpResponse:
    """The SIM's PUK after a fresh eID login; otherwise the way to confirm with eID first."""
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    connection = require_connection(identity, acting, Action.VIEW_PUK, connection_id)
    code, stale, error = "", False, ""
    try:
        code = puk_reveal(request=request, identity=identity, context=acting, connection=connection)
    except StaleLogin:
        stale = True
    except ValidationError as refused:
        error = " ".join(refused.messages)
    manage_url = reverse("portal:connection-manage", kwargs={"context": acting.key, "connection_id": connection.pk})
    return render(
        request,
        "portal/orders/puk.html",
        {"connection": connection, "puk": code, "stale": stale, "error": error, "manage_url": manage_url},
    )
