"""Journeys in a real browser: Anna chooses to bar chargeable services at a number's 20 € cap, usage fed through the
feed API reaches it and the connection page says the number is being barred and why; and she takes the whole
company's itemised usage of the month as CSV from the bills."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.identifiers.msisdn import format_msisdn
from selfcare.orders.models import Order, OrderKind
from selfcare.portal.tests.pagechecks import check_page
from selfcare.portal.tests.test_login_smartid_browser import log_in
from selfcare.usage.feedkeys import feed_key_create

pytestmark = pytest.mark.django_db(transaction=True)
ANNA = "15038512346"
NUMBER = "+37125500001"  # the first company's named connection, 15 GB of data, extra data 0.01 € per MB
GB = 1000**3


def _company_page(page: Any, link: str) -> None:
    group = page.locator("[data-testid^=group-company-]").filter(has_text=dataset.COMPANIES[0].name)
    group.get_by_role("link", name=link).click()


def test_anna_bars_chargeable_services_at_the_cap_and_the_connection_page_says_why(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, ANNA)
    _company_page(page, "Costs")
    page.wait_for_url("**/en/acting/company-*/costs/")
    page.get_by_test_id("costs-per-connection").get_by_role("link", name=format_msisdn(NUMBER)).click()
    page.wait_for_url("**/spend-cap/")
    page.get_by_label("Monthly cap, € excl. VAT").fill("20")
    page.get_by_label("Bar chargeable services until the cycle ends").check()
    page.get_by_test_id("save-cap").click()
    page.wait_for_selector("text=The spend cap is saved.")
    check_page(page)

    _record, key = feed_key_create(name="browser-barring")
    event = {
        "event_id": "barring:1",
        "msisdn": NUMBER,
        "type": "data",
        "zone": "domestic",
        "started_at": (timezone.now() - datetime.timedelta(minutes=1)).isoformat(),
        "quantity": 30 * GB,  # 15 GB beyond the bundle: 150 €, over the cap
    }
    answer = page.request.post(
        f"{eid_simulators}/feeds/v1/usage-events",
        data={"events": [event]},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.ok, answer.text()
    assert Order.objects.filter(kind=OrderKind.CAP_BAR).count() == 1  # placed with the operator as the batch ended

    page.get_by_role("link", name="Back to the connection").click()
    page.wait_for_url("**/connections/*/")
    notice = page.get_by_test_id("cap-barring")
    assert notice.get_attribute("data-stage") in ("barring", "barred")  # the simulator completes it in seconds
    assert "monthly cap of €20.00" in notice.inner_text()
    check_page(page)


def test_anna_takes_the_whole_companys_itemised_usage_from_the_bills(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, ANNA)
    _company_page(page, "Bills")
    page.wait_for_url("**/en/acting/company-*/bills/")
    page.get_by_test_id("company-usage-exports").click()
    page.wait_for_url("**/usage-exports/")
    check_page(page)
    page.get_by_label("CSV").check()
    page.get_by_test_id("usage-export-submit").click()
    page.wait_for_url("**/usage-exports/")
    link = page.get_by_test_id("usage-exports").get_by_role("link", name="Download")
    with page.expect_download() as info:
        link.first.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as handle:
        assert handle.readline().startswith("Number,Started,Kind,Zone,Quantity,Unit")
    check_page(page)
