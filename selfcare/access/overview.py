"""The dashboard's reads: every context of a person with its connection count and first connections.

The number of SQL queries depends on the number of contexts a person has (a handful), never on the number of
connections: a company with 10,000 connections costs what one with 10 does (a test counts the queries). Each
count and each first page is one indexed query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from selfcare.access.contexts import Context, contexts_of
from selfcare.access.policy import connections_in
from selfcare.customers.models import Connection
from selfcare.identity.models import DigitalIdentity

PREVIEW = 10
# A context with more connections than this is shown as a summary; its list is one click away.
SUMMARY_ABOVE = 3


@dataclass
class Group:
    context: Context
    count: int = 0
    connections: list[Connection] = field(default_factory=list)

    @property
    def has_more(self) -> bool:
        return self.count > len(self.connections)

    @property
    def summarised(self) -> bool:
        """Shown as a summary (count, data left, numbers near their limit, pending actions), not as rows: ten
        companies of a hundred numbers each must still leave a first screen that says something."""
        return self.count > SUMMARY_ABOVE


def overview(
    identity: DigitalIdentity,
    contexts: list[Context] | None = None,
    *,
    preview: int = PREVIEW,
    counts: Mapping[str, int] | None = None,
) -> list[Group]:
    """The person's contexts (read here unless the caller has them from this request), each with its connection
    count and, unless it is summarised, its connections by number (at most `preview`). `counts`, by context key,
    are counts the caller keeps (a whole company's, selfcare.usage.summaries): those contexts are not counted."""
    groups = []
    for context in contexts_of(identity) if contexts is None else contexts:
        if counts is not None and counts.get(context.key, 0) > SUMMARY_ABOVE:
            groups.append(Group(context, count=counts[context.key]))  # a summary: no rows to read
            continue
        connections = connections_in(identity, context)
        count = counts[context.key] if counts is not None and context.key in counts else connections.count()
        # At most SUMMARY_ABOVE rows, put in number order here: an ORDER BY would have the compiler hash each of the
        # two tables' selected columns (docs/performance.md). Numbers are "+" and digits, so Python's order is the
        # database's.
        rows = (
            []
            if count > SUMMARY_ABOVE
            else sorted(connections.select_related("tariff_plan").order_by(), key=lambda c: c.msisdn)
        )
        groups.append(Group(context, count=count, connections=rows[:preview]))
    return groups
