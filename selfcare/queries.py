"""Query helpers every layer uses the same way (Django only; no model of ours)."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

_M = TypeVar("_M", bound=Model)


def one_or_none(queryset: QuerySet[_M]) -> _M | None:
    """The row of a query that matches at most one (a unique key, a constraint), or None. Unlike `.first()` it adds
    no ORDER BY: Django's compiler hashes every selected column of an ordered query, which on a read with joins is
    a measurable part of a page's CPU (docs/performance.md)."""
    return next(iter(queryset.order_by()[:1]), None)
