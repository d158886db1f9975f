"""Journeys in a real browser (issue 22 "Done when"): Jānis, the sole representative, signs a power of attorney with
Smart-ID in the portal and it is active without the back office; a company with joint representation needs two
signatures: the second representative is told, finds it waiting on their dashboard, signs from their own session,
and the mandate activates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from selfcare.binding.models import SmsMessage
from selfcare.customers.models import Company
from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.mandates.models import Mandate, MandateStatus, Representation, Representative
from selfcare.portal.tests.pagechecks import check_page
from selfcare.portal.tests.test_login_smartid_browser import log_in
from selfcare.portal.tests.test_mandate_browser import prepare_for_liga
from selfcare.simulators.tests.browser import confirm_on_smartid_phone

pytestmark = pytest.mark.django_db(transaction=True)

JANIS = next(p for p in dataset.PERSONS if p.represents)
JANIS_CODE = JANIS.personal_code.replace("-", "")
ANNA_CODE = "15038512346"
ANNA_PRIVATE_NUMBER = "+37129100001"
COMPANY = "SIA Rīgas Kafija"


@pytest.fixture(autouse=True)
def _demo(settings: Any) -> None:
    settings.MANDATE_AUTO_ACTIVATE_VERIFIED = True
    load_demo()


def _sign(page: Any, browser: Any, code: str, mandate_url: str, *, check: bool = False) -> None:
    """Press "Sign with Smart-ID", compare the code on the phone, confirm there, and wait to be back."""
    page.get_by_test_id("sign-smartid").click()
    page.wait_for_url("**/sign/wait/")
    vc = page.get_by_test_id("verification-code").inner_text()  # shown once the signing certificate is chosen
    if check:
        check_page(page)
    confirm_on_smartid_phone(browser, code, vc)
    page.wait_for_url(mandate_url)


def test_the_sole_representative_signs_in_the_portal_and_the_mandate_is_active_at_once(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    log_in(page, browser, eid_simulators, JANIS_CODE)
    mandate_url = prepare_for_liga(page)
    check_page(page)

    _sign(page, browser, JANIS_CODE, mandate_url, check=True)

    assert page.get_by_test_id("mandate-status").inner_text().startswith("Active")
    assert page.get_by_test_id("mandate-verified").inner_text() == "yes, verified"
    assert "JĀNIS KALNIŅŠ — valid signature" in page.get_by_test_id("document").inner_text()
    check_page(page)
    with page.expect_download() as download:
        page.get_by_test_id("document-download").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    assert Mandate.objects.get(attorney_code="32579104511").status == MandateStatus.ACTIVE


def test_joint_representatives_sign_one_after_the_other_and_the_second_is_told_and_finds_it_waiting(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    company = Company.objects.get(name=COMPANY)
    company.representatives.update(representation=Representation.JOINT, signatures_required=2)
    Representative.objects.create(
        company=company,
        name="Anna Bērziņa",
        code_prefix=ANNA_CODE[:6],
        representation=Representation.JOINT,
        signatures_required=2,
    )
    anna = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    anna.set_default_timeout(15_000)
    log_in(anna, browser, eid_simulators, ANNA_CODE)  # she has used the portal: it knows her number

    log_in(page, browser, eid_simulators, JANIS_CODE)
    mandate_url = prepare_for_liga(page)
    _sign(page, browser, JANIS_CODE, mandate_url)

    assert page.get_by_test_id("mandate-status").inner_text().startswith("Submitted")
    assert page.get_by_test_id("document-waiting").is_visible()
    assert SmsMessage.objects.filter(to=ANNA_PRIVATE_NUMBER, text__contains=COMPANY).exists()

    anna.goto(f"{eid_simulators}/en/dashboard/")
    waiting = anna.get_by_test_id("awaiting-signature")
    check_page(anna)
    waiting.get_by_role("link", name=f"{COMPANY}: power of attorney for Līga Liepa").click()
    anna.wait_for_url("**/mandates/*/")
    anna_url = str(anna.url)
    _sign(anna, browser, ANNA_CODE, anna_url)

    assert anna.get_by_test_id("mandate-status").inner_text().startswith("Active")
    assert "ANNA BĒRZIŅA — valid signature" in anna.get_by_test_id("document").first.inner_text()
    assert "JĀNIS KALNIŅŠ — valid signature" in anna.get_by_test_id("document").first.inner_text()
    page.reload()
    assert page.get_by_test_id("mandate-status").inner_text().startswith("Active")
