"""Journeys in a real browser with Smart-ID as SK recommends (the production default, SMARTID_PUSH_FOR_EVERYONE
off): a fresh browser is offered the QR code and the same-device link only; the personal-code field appears in a
browser the person logged in from; "forget all my browsers" takes it away. An Estonian logs in and binds a
Latvian work number."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.demo.loader import load_demo
from selfcare.portal.tests.pagechecks import check_page
from selfcare.portal.tests.test_login_smartid_browser import AFTER_LOGIN
from selfcare.simulators.tests.browser import sms_code

pytestmark = pytest.mark.django_db(transaction=True)

KADRI = "Kadri Tamm"  # the demo's Estonian: EE 49005120274


@pytest.fixture(autouse=True)
def _production_default(settings: Any) -> None:
    settings.SMARTID_PUSH_FOR_EVERYONE = False


def _log_in_with_the_qr_code(page: Any, browser: Any, base: str, name: str) -> None:
    """Scan the QR code with the simulated Smart-ID app and confirm as `name`."""
    page.goto(f"{base}/en/login/smart-id/")
    page.get_by_role("button", name="Show QR code").click()
    scanner = browser.new_page()
    scanner.goto(page.get_by_test_id("smartid-qr").get_attribute("data-link"))
    scanner.get_by_label(name, exact=False).check()
    with scanner.expect_navigation():  # closing mid-navigation can hang; see confirm_on_smartid_phone
        scanner.get_by_role("button", name="Confirm").click()
    scanner.close()


def test_a_fresh_browser_offers_the_qr_code_and_link_and_no_personal_code_field_until_the_person_logged_in_there(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    page.goto(f"{eid_simulators}/en/login/smart-id/")
    assert page.get_by_role("button", name="Show QR code").is_visible()
    assert page.get_by_role("button", name="Smart-ID app is on this phone").is_visible()
    assert page.get_by_role("textbox", name="Personal code").count() == 0
    check_page(page)

    _log_in_with_the_qr_code(page, browser, eid_simulators, "Anna Bērziņa")
    page.wait_for_url(AFTER_LOGIN)
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{eid_simulators}/en/login/smart-id/")
    assert page.get_by_role("textbox", name="Personal code").is_visible()  # this browser is now known to Anna
    check_page(page)


def test_forgetting_all_my_browsers_takes_the_personal_code_login_away(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    _log_in_with_the_qr_code(page, browser, eid_simulators, "Anna Bērziņa")
    page.wait_for_url(AFTER_LOGIN)
    page.goto(f"{eid_simulators}/en/me/security/")
    page.get_by_role("button", name="Forget all my browsers").click()
    assert "All your browsers are forgotten (1)." in page.get_by_role("status").inner_text()
    page.reload()  # the page itself, without the one-time message (base.html's <li role=status> axe flags)
    assert "You have logged in from 0 browsers." in page.get_by_role("main").inner_text()
    check_page(page)
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{eid_simulators}/en/login/smart-id/")
    assert page.get_by_role("textbox", name="Personal code").count() == 0


def test_an_estonian_person_logs_in_with_smart_id_and_binds_a_latvian_work_number(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    _log_in_with_the_qr_code(page, browser, eid_simulators, KADRI)
    page.wait_for_url("**/en/work-number/?first=1")
    page.get_by_role("textbox", name="Work phone number").fill("+371 25 100 001")
    page.get_by_role("button", name="Send the code").click()
    page.wait_for_url("**/en/work-number/confirm/")
    page.get_by_role("textbox", name="Code from the SMS").fill(sms_code(browser, "+37125100001"))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/en/dashboard/")
    group = page.locator("[data-testid^=group-]")
    assert "+371 25 100 001" in group.inner_text()
    assert "Kadri Tamm" in page.get_by_role("banner").inner_text()

    page.get_by_role("link", name="My identity").click()
    assert page.get_by_test_id("identity-codes").inner_text() == "EE 49005120274"
    check_page(page)
