"""Journey in a real browser: Jānis, the sole representative, logs in with eParaksts Mobile, finds eParaksts
offered first on the power of attorney, approves the document's digest on the platform, and the mandate is active
without the back office."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.mandates.models import Mandate, MandateStatus
from selfcare.mandates.signatures import validate_document
from selfcare.portal.tests.pagechecks import check_page
from selfcare.portal.tests.test_login_smartid_browser import AFTER_LOGIN
from selfcare.portal.tests.test_mandate_browser import prepare_for_liga

pytestmark = pytest.mark.django_db(transaction=True)

JANIS = next(p for p in dataset.PERSONS if p.represents)


@pytest.fixture(autouse=True)
def _demo(settings: Any) -> None:
    settings.MANDATE_AUTO_ACTIVATE_VERIFIED = True
    load_demo()


def log_in_with_eparaksts(page: Any, base: str) -> None:
    """Jānis logs in with eParaksts Mobile on the simulator's page."""
    page.goto(f"{base}/en/login/eparaksts-mobile/")
    page.get_by_role("button", name="Continue to eParaksts").click()
    page.get_by_label(f"{JANIS.given_name} {JANIS.family_name}", exact=False).check()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(AFTER_LOGIN)


def test_the_sole_representative_signs_with_eparaksts_after_an_eparaksts_login_and_the_mandate_is_active(
    page: Any, eid_simulators: str
) -> None:
    log_in_with_eparaksts(page, eid_simulators)
    mandate_url = prepare_for_liga(page)
    buttons = page.locator("#sign-here-title ~ form button")
    assert buttons.first.get_attribute("data-testid") == "sign-eparaksts"  # the method they logged in with
    check_page(page)

    page.get_by_test_id("sign-eparaksts").click()
    page.get_by_label(f"{JANIS.given_name} {JANIS.family_name}", exact=False).check()  # their signing identity
    page.get_by_role("button", name="Confirm").click()
    page.get_by_test_id("digests-summary").wait_for()  # the consent to exactly this document's digest
    page.get_by_test_id("sign-confirm").click()
    page.wait_for_url(mandate_url)

    assert page.get_by_test_id("mandate-status").inner_text().startswith("Active")
    assert page.get_by_test_id("mandate-verified").inner_text() == "yes, verified"
    assert "JĀNIS KALNIŅŠ — valid signature" in page.get_by_test_id("document").inner_text()
    check_page(page)
    with page.expect_download() as download:
        page.get_by_test_id("document-download").click()
    assert validate_document(Path(download.value.path()).read_bytes()).valid
    assert Mandate.objects.get(attorney_code="32579104511").status == MandateStatus.ACTIVE
