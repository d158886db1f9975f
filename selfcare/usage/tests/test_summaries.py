"""A company's data summary is kept in one row and never read after a change it does not include."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from selfcare.customers.models import Company, Connection, ConnectionStatus
from selfcare.customers.tests import factories
from selfcare.usage.ingest import EventRow, ingest
from selfcare.usage.models import CompanyDataSummary
from selfcare.usage.selectors import data_summary
from selfcare.usage.summaries import company_connections, company_figures, refresh_stale

pytestmark = pytest.mark.django_db


def _company(numbers: int, prefix: str) -> tuple[Company, list[Connection]]:
    company = factories.company()
    account = factories.business_account(company=company)
    plan = factories.tariff_plan()
    connections = [
        factories.connection(account=account, tariff_plan=plan, msisdn=f"+3712{prefix}{i:05d}") for i in range(numbers)
    ]
    return company, connections


def _use(connection: Connection, share: float, key: str) -> None:
    now = timezone.now()
    allowance = connection.tariff_plan.data_bytes or 0
    ingest([EventRow(1, key, connection.msisdn, "data", "domestic", now, int(allowance * share))], now=now)


def test_a_company_summary_follows_the_use_of_its_numbers_and_no_other_company_is_summed_again() -> None:
    ours, connections = _company(3, "61")
    theirs, _ = _company(2, "62")
    allowance = connections[0].tariff_plan.data_bytes or 0
    before = company_figures([ours.pk, theirs.pk])
    assert before[ours.pk].data.left == 3 * allowance
    _use(connections[0], 0.95, "near")
    assert CompanyDataSummary.objects.get(company=ours).stale
    assert not CompanyDataSummary.objects.get(company=theirs).stale
    after = company_figures([ours.pk])[ours.pk].data
    assert after.near_limit == 1
    assert after.left == 3 * allowance - int(allowance * 0.95)
    assert after == data_summary(company_connections(ours.pk))


def test_a_terminated_number_leaves_the_count_and_the_summary_at_once() -> None:
    company, connections = _company(3, "63")
    before = company_figures([company.pk])[company.pk]
    assert (before.connections, before.data.left) == (3, 3 * (connections[0].tariff_plan.data_bytes or 0))
    Connection.objects.filter(pk=connections[0].pk).update(
        status=ConnectionStatus.TERMINATED, terminated_on=datetime.date(2025, 1, 1)
    )
    after = company_figures([company.pk])[company.pk]
    assert (after.connections, after.data.left) == (2, 2 * (connections[0].tariff_plan.data_bytes or 0))


def test_a_kept_summary_is_read_from_its_row_while_fresh_and_summed_again_once_too_old() -> None:
    company, _ = _company(2, "64")
    now = timezone.now()
    company_figures([company.pk], now=now)
    # A figure planted in the row shows that a fresh row is read rather than summed…
    CompanyDataSummary.objects.filter(company=company).update(near_limit=7)
    assert company_figures([company.pk], now=now + datetime.timedelta(seconds=10))[company.pk].data.near_limit == 7
    # …and that one older than the limit is not (a cycle or a bucket may have ended since).
    later = now + datetime.timedelta(seconds=settings.USAGE_SUMMARY_MAX_AGE_SECONDS)
    assert company_figures([company.pk], now=later)[company.pk].data.near_limit == 0


def test_the_periodic_refresh_sums_the_stale_summaries_so_readers_find_them_fresh() -> None:
    company, connections = _company(2, "65")
    company_figures([company.pk])
    _use(connections[1], 0.5, "half")
    assert refresh_stale() == 1
    row = CompanyDataSummary.objects.get(company=company)
    assert not row.stale
    assert row.left == data_summary(company_connections(company.pk)).left
    assert refresh_stale() == 0


def test_the_one_statement_of_a_refresh_counts_and_sums_what_count_and_data_summary_do() -> None:
    """The statement compiled once (summaries._COMPANY_FIGURES) against the figures read the plain way, for every
    company of the demo (unlimited plans, numbers near their limit, plan buckets and none, terminated numbers) and
    for a company with no numbers; and one statement per company."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from selfcare.demo.loader import load_demo
    from selfcare.usage.summaries import refresh

    load_demo(scale=30)
    empty, _ = _company(0, "66")
    near, connections = _company(2, "67")
    _use(connections[0], 0.97, "very-near")
    Connection.objects.filter(pk=connections[1].pk).update(
        status=ConnectionStatus.TERMINATED, terminated_on=datetime.date(2025, 1, 1)
    )
    ids = list(Company.objects.values_list("pk", flat=True))
    now = timezone.now()
    with CaptureQueriesContext(connection) as statements:
        figures = refresh(ids, now=now)
    assert sum("customers_company" in query["sql"] for query in statements.captured_queries) == len(ids)
    for company_id in ids:
        expected = (company_connections(company_id).count(), data_summary(company_connections(company_id), now=now))
        assert (figures[company_id].connections, figures[company_id].data) == expected
    assert figures[near.pk].data.near_limit == 1
    assert figures[empty.pk].connections == 0
    assert any(f.data.unlimited for f in figures.values())
    assert any(f.data.near_limit for f in figures.values())
