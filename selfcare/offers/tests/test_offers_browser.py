"""The issue's "Done when", in a real browser against the demo: the employee claims the data gift and his
remaining data grows by it; a private customer gets a partner code and finds it again after a reload."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.customers.models import GB, Connection
from selfcare.demo.loader import load_demo
from selfcare.portal.tests.test_login_smartid_browser import ANNA, log_in
from selfcare.usage.selectors import remaining_summary

pytestmark = pytest.mark.django_db(transaction=True)

PETERIS = "22079018761"


def test_the_employee_claims_the_data_gift_and_his_remaining_data_grows_by_it(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    work_phone = Connection.objects.select_related("account", "tariff_plan").get(msisdn="+37125500001")
    before = remaining_summary(work_phone).data.remaining
    assert before is not None

    log_in(page, browser, eid_simulators, PETERIS)
    page.get_by_test_id("offers-teaser").get_by_role("link").click()
    page.wait_for_url("**/en/acting/work-*/offers/")
    assert page.get_by_role("heading", level=1).inner_text() == "Tele2 Komplimenti"
    page.get_by_role("link", name="+371 25 500 001").click()
    left_before = page.get_by_test_id("data-left").inner_text()
    offers = page.get_by_test_id("offers")
    gift = offers.get_by_test_id("offer-dati-5gb-7-dienas")
    assert "A gift of 5 GB for 7 days" in gift.inner_text()
    assert offers.get_by_test_id("offer-galaxy-0-eur").count() == 0  # not an offer for employees
    gift.get_by_role("button", name="Claim").click()
    result = page.get_by_test_id("offer-dati-5gb-7-dienas").get_by_test_id("offer-result")
    assert "5 GB added, valid until" in result.inner_text()

    after = remaining_summary(work_phone).data.remaining
    assert after == before + 5 * GB
    page.reload()
    assert "5 GB added, valid until" in page.get_by_test_id("offer-dati-5gb-7-dienas").inner_text()
    assert page.get_by_test_id("data-left").inner_text() != left_before
    assert "5 GB" in page.get_by_test_id("gift").inner_text()


def test_a_private_customer_gets_a_partner_code_and_sees_it_again_after_a_reload(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, ANNA)
    page.get_by_test_id("group-private").get_by_role("link", name="+371 29 100 001").click()
    coffee = page.get_by_test_id("offers").get_by_test_id("offer-kafijas-biedriba-20")
    coffee.get_by_role("button", name="Get the code").click()
    code = page.get_by_test_id("offer-kafijas-biedriba-20").get_by_test_id("partner-code").inner_text()
    assert code.startswith("KB-")
    page.reload()
    assert page.get_by_test_id("offer-kafijas-biedriba-20").get_by_test_id("partner-code").inner_text() == code
    page.goto(f"{eid_simulators}/en/acting/private/offers/")
    marta = page.locator("section.offers-connection", has_text="Marta (meita)")
    other = marta.get_by_test_id("offer-kafijas-biedriba-20")
    assert other.get_by_test_id("partner-code").inner_text() == code  # one per person: the same code, not a second
    assert "Claimed on +371 29 100 001." in other.inner_text()
