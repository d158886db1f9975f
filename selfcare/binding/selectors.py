"""Reads of number bindings shared by the pages."""

from __future__ import annotations

from selfcare.binding.models import BindingStatus, ConnectionBinding
from selfcare.customers.models import Connection


def bound_users(connections: list[Connection]) -> dict[int, str]:
    """The name of the person each connection is bound to now, by connection id, in one query (the rows of a
    company's list: after an employee binds a number, the list says who uses it)."""
    bindings = ConnectionBinding.objects.filter(
        connection_id__in=[c.pk for c in connections], status=BindingStatus.ACTIVE
    ).select_related("identity")
    return {b.connection_id: b.identity.full_name for b in bindings}
