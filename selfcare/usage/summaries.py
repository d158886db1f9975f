"""Company summaries: the dashboard's connection count, "data left in total" and "near their limit" of a whole
company, read from one row per company (CompanyDataSummary) instead of counted and summed on every view.

A row is used while it is fresh: not marked stale by the triggers (a bucket, connection, account or plan changed
since) and computed less than USAGE_SUMMARY_MAX_AGE_SECONDS ago (cycles and buckets also end by time alone).
Otherwise it is computed again, by the periodic `refresh_company_summaries` task or by the first reader, in this
order so that no change is lost: the row is claimed (stale cleared) and committed, then the figures are summed,
then stored. A change committed after the claim marks the row stale again, so the next reader sums again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Aggregate, Count, QuerySet, Subquery, Value
from django.utils import timezone

from selfcare.customers.models import Company, Connection, ConnectionStatus
from selfcare.queries import MARK_ID, MARK_IDS, MARK_MOMENT, Prepared
from selfcare.usage.models import CompanyDataSummary
from selfcare.usage.selectors import DataSummary, data_summary_parts, summed


@dataclass(frozen=True)
class CompanyFigures:
    connections: int  # not terminated
    data: DataSummary


def company_connections(company_id: int) -> QuerySet[Connection]:
    """The connections a company's summary sums: the company's, terminated ones left out (the same set as the
    company context's own, selfcare.access.policy.connections_in, which the layers keep out of reach here)."""
    return Connection.objects.exclude(status=ConnectionStatus.TERMINATED).filter(account__company_id=company_id)


def _scalar(rows: QuerySet[Any], figure: Aggregate) -> Subquery:
    """`figure` over `rows` as a scalar subquery: grouped by a constant, which Django leaves out of the GROUP BY, so
    it is the very SELECT COUNT(…) or SUM(…) that `count()` and `aggregate()` run, one row even over no rows."""
    return Subquery(rows.order_by().annotate(_all=Value(1)).values("_all").annotate(figure=figure).values("figure"))


def _figures_statement(company_id: int, now: datetime.datetime) -> QuerySet[Company]:
    """A company's connection count and its `data_summary` in one statement (the same conditions:
    `company_connections`, `data_summary_parts`)."""
    connections = company_connections(company_id)
    figures = {name: _scalar(rows, figure) for name, (rows, figure) in data_summary_parts(connections, now).items()}
    return (
        Company.objects.filter(pk=company_id)
        .order_by()
        .annotate(connections=_scalar(connections, Count("pk")), **figures)
        .values_list("connections", *figures)
    )


# Compiled once (selfcare.queries.Prepared): under `make load` the usage feed marks the companies' summaries stale
# every few seconds and the next dashboard sums them again; its five statements per company, compiled anew each
# time, were about a fifth of the dashboard's CPU under load (docs/performance.md). One statement per company now.
_COMPANY_FIGURES = Prepared(Company, _figures_statement, company_id=MARK_ID, now=MARK_MOMENT)
_NAMES = ("connections", *data_summary_parts(Connection.objects.none(), MARK_MOMENT))


# Every dashboard with a company reads the kept rows: compiled once per number of companies.
_KEPT = Prepared(
    CompanyDataSummary,
    lambda company_ids: CompanyDataSummary.objects.filter(company_id__in=company_ids),
    company_ids=MARK_IDS,
)


def _counted(company_id: int, now: datetime.datetime) -> CompanyFigures:
    """The company's figures summed now (nothing for a company that is gone)."""
    rows = _COMPANY_FIGURES.rows(company_id=company_id, now=now)
    figures = dict(zip(_NAMES, rows[0], strict=True)) if rows else {}
    return CompanyFigures(connections=int(figures.get("connections") or 0), data=summed(figures))


def _fresh(row: CompanyDataSummary, now: datetime.datetime) -> bool:
    if row.stale or row.computed_at is None:
        return False
    # A clock set back (the tests travel) makes a later figure as unusable as an old one.
    age = now - row.computed_at
    return datetime.timedelta(0) <= age < datetime.timedelta(seconds=settings.USAGE_SUMMARY_MAX_AGE_SECONDS)


def company_figures(company_ids: list[int], *, now: datetime.datetime | None = None) -> dict[int, CompanyFigures]:
    """The figures of each company: one query when every row is fresh, the sums of the others otherwise."""
    now = now or timezone.now()
    rows = {row.company_id: row for row in _KEPT.models(company_ids=company_ids)}
    found = {
        company_id: CompanyFigures(
            connections=row.connections,
            data=DataSummary(left=row.left, unlimited=row.unlimited, near_limit=row.near_limit),
        )
        for company_id, row in rows.items()
        if _fresh(row, now)
    }
    missing = [company_id for company_id in company_ids if company_id not in found]
    if missing:
        found |= refresh(missing, now=now)
    return found


def refresh(company_ids: list[int], *, now: datetime.datetime | None = None) -> dict[int, CompanyFigures]:
    """Count and sum the companies' figures again and store them; returns them all. A row another transaction
    holds (an import marking it stale) is summed but not stored: the reader does not wait for the import."""
    now = now or timezone.now()
    claimed = _claim(company_ids)
    figures = {company_id: _counted(company_id, now) for company_id in company_ids}
    for company_id in claimed:
        counted = figures[company_id]
        CompanyDataSummary.objects.filter(company_id=company_id).update(
            connections=counted.connections,
            left=counted.data.left,
            unlimited=counted.data.unlimited,
            near_limit=counted.data.near_limit,
            computed_at=now,
        )
    return figures


def _claim(company_ids: list[int]) -> list[int]:
    """Rows made (or cleared of `stale`) and committed before the sums are read, so that a change committed
    meanwhile marks them stale again. Inside an outer transaction (a test, a caller's atomic block) the claim
    commits with it, which is as safe: the sums then read that transaction's own view."""
    CompanyDataSummary.objects.bulk_create(
        [CompanyDataSummary(company_id=company_id) for company_id in company_ids], ignore_conflicts=True
    )
    with transaction.atomic():
        claimed = list(
            CompanyDataSummary.objects.select_for_update(skip_locked=True)
            .filter(company_id__in=company_ids)
            .values_list("company_id", flat=True)
        )
        CompanyDataSummary.objects.filter(company_id__in=claimed).update(stale=False)
    return claimed


def refresh_stale(*, now: datetime.datetime | None = None) -> int:
    """Every summary that is no longer fresh, summed again (the periodic task); returns how many."""
    now = now or timezone.now()
    due = [row.company_id for row in CompanyDataSummary.objects.all() if not _fresh(row, now)]
    if due:
        refresh(due, now=now)
    return len(due)
