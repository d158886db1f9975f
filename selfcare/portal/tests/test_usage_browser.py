"""Journey in a real browser: Pēteris, an employee, logs in with Smart-ID and sees the remaining data and the daily
chart of his work number."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.demo.loader import load_demo
from selfcare.portal.tests.test_login_smartid_browser import _confirm_on_phone, _login_with_code

pytestmark = pytest.mark.django_db(transaction=True)
PETERIS = "22079018761"


def test_the_employee_sees_his_remaining_data_and_the_daily_chart(page: Any, browser: Any, eid_simulators: str) -> None:
    load_demo()
    vc = _login_with_code(page, eid_simulators, PETERIS)
    _confirm_on_phone(browser, eid_simulators, PETERIS, vc)
    page.wait_for_url("**/en/dashboard/")
    row = page.locator("[data-testid^=group-] tbody tr")
    assert row.count() == 1
    assert "GB" in row.get_by_test_id("row-data-left").inner_text()
    row.get_by_role("link", name="+371 25 500 001").click()
    page.wait_for_url("**/en/acting/work-*/connections/*/")
    headline = page.get_by_test_id("data-left").inner_text()
    assert "of 15 GB left" in headline
    chart = page.get_by_role("img", name="Bars of data used per day")
    assert chart.is_visible()
    page.get_by_text("Show as a table").click()
    table = page.get_by_test_id("usage-table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() >= 1
    assert "Renews on" in page.get_by_test_id("usage").inner_text()
