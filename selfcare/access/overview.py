"""The dashboard's reads: every context of a person with its connection count and first connections.

The number of SQL queries depends on the number of contexts a person has (a handful), never on the number of
connections: a company with 10,000 connections costs what one with 10 does (a test counts the queries). Each
count and each first page is one indexed query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Value

from selfcare.access.contexts import Context, ContextKind, contexts_of
from selfcare.access.policy import connections_in, connections_in_for
from selfcare.customers.models import Connection
from selfcare.identity.models import DigitalIdentity
from selfcare.queries import MARK_IDS, MARK_UUID, Prepared

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


def _private(account_ids: list[int]) -> QuerySet[Connection]:
    return connections_in_for(MARK_UUID, Context(ContextKind.PRIVATE, account_ids=tuple(account_ids)))


# A private context's count and rows (every dashboard of a person with a contract) compiled once per number of the
# person's accounts (selfcare.queries.Prepared): two of the three statements a dashboard still compiled anew
# (docs/performance.md). The count is grouped by a constant, which Django leaves out of the GROUP BY: the very
# SELECT COUNT(*) that `count()` runs, one row even over no rows.
_PRIVATE_COUNT = Prepared(
    Connection,
    lambda account_ids: (
        _private(account_ids).order_by().annotate(_all=Value(1)).values("_all").annotate(n=Count("*")).values_list("n")
    ),
    account_ids=MARK_IDS,
)
_PRIVATE_ROWS = Prepared(
    Connection,
    lambda account_ids: _private(account_ids).select_related("tariff_plan").order_by(),
    account_ids=MARK_IDS,
)


def _count_and_rows(
    identity: DigitalIdentity, context: Context, counts: Mapping[str, int] | None
) -> tuple[int, list[Connection]]:
    """The context's connection count (kept by the caller, or counted) and, unless it is summarised, its rows."""
    kept = counts[context.key] if counts is not None and context.key in counts else None
    if context.kind == ContextKind.PRIVATE:
        ids = list(context.account_ids)
        count = kept if kept is not None else next(iter(_PRIVATE_COUNT.rows(account_ids=ids)), (0,))[0]
        return count, [] if count > SUMMARY_ABOVE else _PRIVATE_ROWS.models(account_ids=ids)
    connections = connections_in(identity, context)
    count = kept if kept is not None else connections.count()
    return count, [] if count > SUMMARY_ABOVE else list(connections.select_related("tariff_plan").order_by())


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
        count, rows = _count_and_rows(identity, context, counts)
        # At most SUMMARY_ABOVE rows, put in number order here: an ORDER BY would have the compiler hash each of the
        # two tables' selected columns (docs/performance.md). Numbers are "+" and digits, so Python's order is the
        # database's.
        rows.sort(key=lambda c: c.msisdn)
        groups.append(Group(context, count=count, connections=rows[:preview]))
    return groups
