"""Reads for the order pages and the API: the catalogue as a connection sees it, and orders with their items."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from selfcare.customers.models import Connection
from selfcare.orders import client
from selfcare.orders.models import Order


@dataclass(frozen=True, slots=True)
class Choices:
    """What a connection can be given, from the operator's catalogue; `available` is False when it does not answer."""

    plans: list[client.Offering]
    packs: list[client.Offering]
    barrings: list[client.Offering]
    names: dict[str, str]
    available: bool = True


def choices_for(connection: Connection) -> Choices:
    try:
        offerings = client.offerings()
    except client.OrderingError:
        return Choices([], [], [], {}, available=False)
    segment = connection.account.kind
    fits = [o for o in offerings if segment in o.segments]
    return Choices(
        plans=[o for o in fits if o.category == "plan" and o.id != connection.tariff_plan.code],
        packs=[o for o in fits if o.category == "pack"],
        barrings=[o for o in fits if o.category == "barring"],
        names={o.id: o.name for o in offerings},
    )


def offering_names() -> dict[str, str]:
    try:
        return {o.id: o.name for o in client.offerings()}
    except client.OrderingError:
        return {}


def with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("ordered_by", "decided_by").prefetch_related("items__connection")


def services_shown(connection: Connection) -> dict[str, list[str]]:
    """The connection's packs and barrings by their catalogue names (the ids when the catalogue does not answer)."""
    if not connection.packs and not connection.barrings:
        return {"packs": [], "barrings": []}
    names = offering_names()
    return {
        "packs": [names.get(p, p) for p in connection.packs],
        "barrings": [names.get(b, b) for b in connection.barrings],
    }


def catalogue_plans(segment: str) -> list[client.Offering] | None:
    """The plans on sale to `segment` ("private", "business"), cheapest first; None when the catalogue does not
    answer."""
    try:
        offerings = client.offerings()
    except client.OrderingError:
        return None
    plans = [o for o in offerings if o.category == "plan" and segment in o.segments]
    return sorted(plans, key=lambda o: (o.price, o.name))
