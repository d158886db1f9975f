"""A company's costs per cost centre and per plan, this cycle against the cycle before (month over month)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from selfcare.access.tests import factories as people
from selfcare.customers.models import Connection
from selfcare.customers.tests import factories
from selfcare.spend.selectors import company_costs
from selfcare.spend.tests.factories import MB, priced_connection
from selfcare.tests.clock import at, riga
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db
NOW = riga(2026, 3, 20)


def _company() -> tuple[Connection, Connection]:
    company = factories.company(name="SIA Alfa")
    account = factories.business_account(company=company)
    sales = priced_connection(account=account, cost_centre="Sales", msisdn="+37126500001")
    office = priced_connection(account=account, cost_centre="Office", msisdn="+37126500002")
    return sales, office


def test_each_cost_centre_shows_this_cycle_the_cycle_before_and_the_change() -> None:
    sales, office = _company()
    fee = sales.tariff_plan.monthly_fee
    with at(NOW):
        feed(row(sales.msisdn, 150 * MB, riga(2026, 2, 10)))  # February: 5.00 € extra
        feed(row(sales.msisdn, 200 * MB, riga(2026, 3, 10)))  # March: 10.00 € extra
        feed(row(office.msisdn, 50 * MB, riga(2026, 3, 10)))  # within the bundle
        costs = company_costs(Connection.objects.filter(pk__in=[sales.pk, office.pk]))
    centres = {group.name: group for group in costs.by_cost_centre}
    assert (centres["Sales"].total, centres["Sales"].previous) == (fee + Decimal("10.00"), fee + Decimal("5.00"))
    assert centres["Sales"].change == Decimal("5.00")
    assert centres["Office"].change == Decimal("0.00")
    assert [group.name for group in costs.by_cost_centre] == ["Sales", "Office"]  # the largest first
    assert centres["Sales"].share == 1000  # the longest bar
    assert 0 < centres["Office"].share < 1000
    assert costs.month_over_month.change == Decimal("5.00")
    assert [row.connection for row in costs.rows] == [sales, office]  # top spenders kept


def test_the_change_in_percent_is_rounded_half_up_and_absent_with_nothing_before() -> None:
    sales, _office = _company()
    sales.tariff_plan.monthly_fee = Decimal("0")
    sales.tariff_plan.save()
    with at(NOW):
        feed(row(sales.msisdn, 108 * MB, riga(2026, 2, 10)))  # 0.80 €
        feed(row(sales.msisdn, 110 * MB, riga(2026, 3, 10)))  # 1.00 €: +25 %
        group = company_costs(Connection.objects.filter(pk=sales.pk)).by_plan[0]
    assert (group.previous, group.total, group.change_percent) == (Decimal("0.80"), Decimal("1.00"), 25)
    with at(riga(2026, 5, 20)):
        group = company_costs(Connection.objects.filter(pk=sales.pk)).by_plan[0]
    assert group.change_percent is None  # April and May cost nothing: no percentage of nothing


def test_the_costs_page_draws_the_chart_as_a_table_with_bars_and_no_script() -> None:
    sales, _office = _company()
    anna = people.person("15038512346", "ANNA")
    assert sales.account.company is not None
    people.mandate(sales.account.company, anna, valid_from=datetime.date(2026, 1, 1))
    client = Client()
    client.force_login(anna.user)
    with at(NOW):
        feed(row(sales.msisdn, 150 * MB, riga(2026, 2, 10)))
        feed(row(sales.msisdn, 200 * MB, riga(2026, 3, 10)))
        page = client.get(f"/en/acting/company-{sales.account.company_id}/costs/").content.decode()
    assert 'data-testid="costs-per-centre"' in page
    assert 'data-testid="costs-per-plan"' in page
    assert "The cycle before" in page
    assert "+€5.00" in page  # Sales against February
    assert '<svg class="cost-bar"' in page
    assert 'width="1000"' in page
    assert "<script" not in page.split("<main", 1)[1]
