"""Journey in a real browser: Jānis logged in with eParaksts chooses Smart-ID to sign; the page shows a QR code
(regenerated while he looks at it), he scans it and chooses his certificate in the app, the page then shows the
code of the linked signature request, he confirms it on the phone, and the mandate is active."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.demo.loader import load_demo
from selfcare.portal.tests.pagechecks import check_page
from selfcare.portal.tests.test_mandate_browser import prepare_for_liga
from selfcare.portal.tests.test_mandate_signing_eparaksts_browser import JANIS, log_in_with_eparaksts
from selfcare.simulators.tests.browser import confirm_on_smartid_phone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _demo(settings: Any) -> None:
    settings.MANDATE_AUTO_ACTIVATE_VERIFIED = True
    settings.SMARTID_PUSH_FOR_EVERYONE = False  # production's rule: no Smart-ID login here, so a device link
    load_demo()


def test_signing_with_smartid_after_another_login_goes_by_qr_code_then_the_linked_request(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    log_in_with_eparaksts(page, eid_simulators)
    mandate_url = prepare_for_liga(page)

    page.get_by_test_id("sign-smartid").click()
    page.wait_for_url("**/sign/wait/")
    first_link = page.get_by_test_id("smartid-qr").get_attribute("data-link")
    check_page(page)
    page.wait_for_function(
        "link => document.querySelector('[data-testid=smartid-qr]')?.dataset.link !== link", arg=first_link
    )  # the QR code is regenerated while the person looks at it
    scanner = browser.new_page()
    scanner.goto(page.get_by_test_id("smartid-qr").get_attribute("data-link"))
    scanner.get_by_label(f"{JANIS.given_name} {JANIS.family_name}", exact=False).check()
    with scanner.expect_navigation():  # closing mid-navigation can hang; see confirm_on_smartid_phone
        scanner.get_by_role("button", name="Confirm").click()
    scanner.close()
    vc = page.get_by_test_id("verification-code").inner_text()
    confirm_on_smartid_phone(browser, JANIS.personal_code.replace("-", ""), vc)
    page.wait_for_url(mandate_url)

    assert page.get_by_test_id("mandate-status").inner_text().startswith("Active")
    assert "JĀNIS KALNIŅŠ — valid signature" in page.get_by_test_id("document").inner_text()
