"""Journeys in a real browser (issue 23 "Done when"): Līga, with no connection yet, orders a private connection
keeping her number from another operator, confirms it with the code sent to it, signs the contract with Smart-ID,
follows the order to active and finds the number on her dashboard; Anna orders three eSIM connections for SIA Rīgas
Kafija and each QR code decodes to an LPA activation code. Real HTTP both ways to the simulators."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
import time_machine
import zxingcpp
from PIL import Image

from selfcare.customers.models import Company, Connection
from selfcare.demo.loader import load_demo
from selfcare.portal.tests.pagechecks import check_page
from selfcare.portal.tests.test_login_smartid_browser import ANNA, log_in
from selfcare.simulators.tests.browser import confirm_on_smartid_phone, sms_code

pytestmark = pytest.mark.django_db(transaction=True)

LIGA = "32579104511"
# Pinned to a Monday morning: with no days' notice configured, the number can move today.
MONDAY = datetime.datetime(2027, 3, 8, 8, 0, tzinfo=datetime.UTC)
KEPT = "+37126543210"


@pytest.fixture
def ordering(eid_simulators: str, settings: Any) -> Any:
    settings.ORDERING_REGISTER_HUB = True
    settings.SIMULATOR_TMF_ORDER_SECONDS = 2.0
    settings.NEW_CONNECTION_PORTING_MIN_DAYS = 0
    with time_machine.travel(MONDAY, tick=True):
        load_demo()
        yield eid_simulators


def _sign(page: Any, browser: Any, code: str) -> None:
    page.get_by_test_id("sign-smartid").click()
    page.wait_for_url("**/sign/wait/")
    vc = page.get_by_test_id("verification-code").inner_text()  # shown once the signing certificate is chosen
    confirm_on_smartid_phone(browser, code, vc)
    page.wait_for_url(re.compile(r".*/new-connection/[0-9a-f-]{36}/$"))


def _wait_for_state(page: Any, state: str) -> None:
    page.get_by_test_id("state").filter(has_text=re.compile(f"^{state}$")).wait_for(timeout=30_000)


def test_liga_keeps_her_number_signs_with_smartid_and_follows_it_to_active_on_her_dashboard(
    page: Any, browser: Any, ordering: str
) -> None:
    # A person with no connection is first offered to add a work number; she goes to her dashboard instead.
    log_in(page, browser, ordering, LIGA, landing=re.compile(r".*/en/work-number/.*"))
    page.goto(f"{ordering}/en/dashboard/")
    page.get_by_test_id("new-connection").click()
    check_page(page)
    # She browses the plans first, with the welcome gift new customers get, and comes back to order.
    page.get_by_role("link", name="What each plan includes, side by side").click()
    page.wait_for_url("**/en/plans/")
    assert "Privāts 10 GB" in page.get_by_test_id("plan-privats-10").inner_text()
    assert "Welcome: 10 GB as a gift" in page.get_by_test_id("welcome-offers").inner_text()
    page.go_back()
    page.get_by_test_id("start").click()
    page.locator("input[name=plan][value=privats-10]").check()
    page.get_by_test_id("plan-next").click()
    check_page(page)
    page.get_by_label("Your number").fill("26 543 210")
    page.get_by_label("Your operator now").select_option("LMT")
    page.get_by_label("Porting date (a working day)").fill("2027-03-08")
    page.get_by_test_id("port-next").click()
    page.get_by_label("Code from the SMS").fill(sms_code(browser, KEPT))
    page.get_by_test_id("confirm-next").click()
    page.get_by_label("Recipient").fill("Līga Liepa")
    page.get_by_label("Street, house and flat").fill("Brīvības iela 1 - 7")
    page.get_by_label("City or parish").fill("Rīga")
    page.get_by_label("Postcode").fill("LV-1010")
    page.get_by_test_id("sim-next").click()
    assert "+371 26 543 210" in page.get_by_test_id("summary-number").inner_text()
    assert "€" in page.get_by_test_id("monthly-price").inner_text()
    check_page(page)

    _sign(page, browser, LIGA)
    _wait_for_state(page, "Number active")
    check_page(page)
    assert page.get_by_test_id("contract-download").is_visible()
    page.get_by_test_id("to-dashboard").click()
    assert "+371 26 543 210" in page.get_by_test_id("group-private").inner_text()
    assert Connection.objects.get(msisdn=KEPT).ported_in_at is not None


def test_anna_orders_three_esim_connections_for_a_company_and_each_qr_decodes_to_an_lpa_code(
    page: Any, browser: Any, ordering: str
) -> None:
    company = Company.objects.get(name="SIA Rīgas Kafija")
    log_in(page, browser, ordering, ANNA)
    codes: list[str] = []
    for _ in range(3):
        page.goto(f"{ordering}/en/new-connection/")
        page.locator(f"input[name=for][value=company-{company.pk}]").check()
        page.get_by_test_id("start").click()
        page.locator("input[name=plan][value=bizness-eiropa-5]").check()
        page.get_by_test_id("plan-next").click()
        page.locator("input[name=msisdn]").first.check()
        page.get_by_test_id("new-number-next").click()
        page.get_by_test_id("esim-next").click()
        _sign(page, browser, ANNA)
        page.get_by_test_id("esim-code").wait_for(timeout=30_000)
        code = page.get_by_test_id("esim-code").inner_text()
        assert code.startswith("LPA:1$")
        picture = Image.open(io.BytesIO(page.get_by_test_id("esim-qr").screenshot()))
        assert [found.text for found in zxingcpp.read_barcodes(picture)] == [code]
        codes.append(code)
    check_page(page)
    assert len(set(codes)) == 3
    page.goto(f"{ordering}/en/acting/company-{company.pk}/connections/")
    assert Connection.objects.filter(account__company=company, activated_on=MONDAY.date()).count() == 3
