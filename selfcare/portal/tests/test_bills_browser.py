"""Journey in a real browser: Anna opens a company's bills, sees the overdue one marked, opens it and downloads its
PDF, which the portal serves as an attachment (the browser never talks to the billing system)."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.portal.tests.pagechecks import check_page
from selfcare.portal.tests.test_login_smartid_browser import _confirm_on_phone, _login_with_code

pytestmark = pytest.mark.django_db(transaction=True)
ANNA = "15038512346"


def test_anna_downloads_an_overdue_company_bill(page: Any, browser: Any, eid_simulators: str) -> None:
    load_demo()
    vc = _login_with_code(page, eid_simulators, ANNA)
    _confirm_on_phone(browser, eid_simulators, ANNA, vc)
    page.wait_for_url("**/en/dashboard/")
    company = dataset.COMPANIES[0]
    group = page.locator("[data-testid^=group-company-]").filter(has_text=company.name)
    group.get_by_role("link", name="Bills").click()
    page.wait_for_url("**/en/acting/company-*/bills/")
    overdue = page.locator("tr.bill-overdue")
    assert overdue.count() == 1
    assert overdue.get_by_test_id("bill-status").inner_text() == "Overdue"
    check_page(page)
    overdue.get_by_role("link").click()
    page.wait_for_url("**/en/acting/company-*/bills/*/")
    assert page.get_by_test_id("payment-iban").inner_text().startswith("LV")
    assert page.get_by_test_id("bill-status").inner_text() == "Overdue"
    with page.expect_download() as info:
        page.get_by_test_id("bill-pdf").click()
    download = info.value
    assert download.suggested_filename.startswith("invoice-")
    assert download.suggested_filename.endswith(".pdf")
    assert download.url.startswith(eid_simulators)
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
