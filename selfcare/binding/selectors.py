"""Reads of number bindings shared by the pages."""

from __future__ import annotations

from selfcare.binding.models import BindingStatus, ConnectionBinding
from selfcare.customers.models import Connection
from selfcare.queries import MARK_ID, Prepared


def bound_users(connections: list[Connection]) -> dict[int, str]:
    """The name of the person each connection is bound to now, by connection id, in one query (the rows of a
    company's list: after an employee binds a number, the list says who uses it)."""
    bindings = ConnectionBinding.objects.filter(
        connection_id__in=[c.pk for c in connections], status=BindingStatus.ACTIVE
    ).select_related("identity")
    return {b.connection_id: b.identity.full_name for b in bindings}


# Read on every connection page a main user or the number's user opens: compiled once (selfcare.queries.Prepared).
_ACTIVE_BINDING = Prepared(
    ConnectionBinding,
    lambda connection_id: (
        ConnectionBinding.objects.filter(connection_id=connection_id, status=BindingStatus.ACTIVE)
        .select_related("identity")
        .order_by()[:1]
    ),
    connection_id=MARK_ID,
)


def active_binding(connection: Connection) -> ConnectionBinding | None:
    """The connection's active binding with the bound person's identity, or None (at most one: a constraint)."""
    found = _ACTIVE_BINDING.models(connection_id=connection.pk)
    return found[0] if found else None
