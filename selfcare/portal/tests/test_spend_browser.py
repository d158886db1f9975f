"""Journey in a real browser: Anna looks at a company's costs, sets a 20 € cap with an alert at 70 % on a number,
usage fed through the feed API makes the alert arrive on the demo phone of that number, and she downloads that
use itemised as CSV."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.identifiers.msisdn import format_msisdn
from selfcare.portal.tests.pagechecks import check_page
from selfcare.portal.tests.test_login_smartid_browser import log_in
from selfcare.usage.feedkeys import feed_key_create

pytestmark = pytest.mark.django_db(transaction=True)
ANNA = "15038512346"
NUMBER = "+37125500001"  # the first company's named connection, 15 GB of data, extra data 0.01 € per MB
GB = 1000**3


def test_anna_caps_a_number_at_20_euros_and_the_70_percent_alert_reaches_its_phone(
    page: Any, browser: Any, eid_simulators: str, settings: Any
) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, ANNA)
    company = dataset.COMPANIES[0]
    group = page.locator("[data-testid^=group-company-]").filter(has_text=company.name)
    group.get_by_role("link", name="Costs").click()
    page.wait_for_url("**/en/acting/company-*/costs/")
    check_page(page)
    page.get_by_test_id("costs-per-connection").get_by_role("link", name=format_msisdn(NUMBER)).click()
    page.wait_for_url("**/spend-cap/")
    check_page(page)
    page.get_by_label("Monthly cap, € excl. VAT").fill("20")
    page.get_by_label("First alert at, %").fill("70")
    page.get_by_label("Second alert at, %").fill("")
    page.get_by_test_id("save-cap").click()
    page.wait_for_selector("text=The spend cap is saved.")

    # The operator's mediation system sends the number's use: its whole bundle and 15 GB beyond it (150 €).
    _record, key = feed_key_create(name="browser-journey")
    event = {
        "event_id": "journey:1",
        "msisdn": NUMBER,
        "type": "data",
        "zone": "domestic",
        "started_at": (timezone.now() - datetime.timedelta(minutes=1)).isoformat(),
        "quantity": 30 * GB,
    }
    answer = page.request.post(
        f"{eid_simulators}/feeds/v1/usage-events",
        data={"events": [event]},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.ok, answer.text()
    assert answer.json()["recorded"] == 1

    phone = browser.new_page()
    phone.goto(f"{settings.SELFCARE_SIMULATORS_URL}/simulators/sms/{NUMBER}/")
    texts = phone.get_by_test_id("sms").all_inner_texts()
    assert any("70%" in text and "20,00" in text for text in texts), texts
    phone.close()
    page.reload()
    assert "€20.00" in page.get_by_test_id("running-spend").inner_text()

    # The same use, itemised, from the connection's page: this month's CSV holds the record the feed sent.
    page.get_by_role("link", name="Back to the connection").click()
    page.wait_for_url("**/connections/*/")
    with page.expect_download() as info:
        page.get_by_test_id("itemised").get_by_role("link", name="CSV").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as handle:
        assert str(30 * GB) in handle.read()
