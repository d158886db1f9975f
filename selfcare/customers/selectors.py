"""Reads of connections shared by the pages and the app API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from selfcare.customers.models import Connection

SEARCH_MAX_LENGTH = 50


def search_connections(connections: QuerySet[Connection], query: str) -> QuerySet[Connection]:
    """Narrow `connections` to those whose label or cost centre contains `query`, or whose number contains its
    digits (three or more, so that "2" does not match every number)."""
    query = query.strip()[:SEARCH_MAX_LENGTH]
    if not query:
        return connections
    digits = "".join(ch for ch in query if ch.isdigit())
    condition = Q(user_label__icontains=query) | Q(cost_centre__icontains=query)
    if len(digits) >= 3:
        condition |= Q(msisdn__contains=digits)
    return connections.filter(condition)
