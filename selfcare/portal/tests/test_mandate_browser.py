"""Journey in a real browser (issue 6 "Done when"): a company's representative logs in with Smart-ID, prepares a
power of attorney for Līga, downloads the prefilled form, signs it (test CA), uploads it and sees it verified;
staff activate it in the back office; Līga logs in and acts for the company; the representative revokes it and
Līga's open session loses the company at its next request."""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from selfcare.backoffice.tests.browser import ILZE, staff_log_in
from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.mandates.models import Mandate, MandateStatus
from selfcare.portal.tests.test_login_smartid_browser import LIGA, log_in
from selfcare.simulators.pki.documents import person_signer, sign_pdf
from selfcare.simulators.pki.testca import TestCA

pytestmark = pytest.mark.django_db(transaction=True)

JANIS = next(p for p in dataset.PERSONS if p.represents)
JANIS_CODE = JANIS.personal_code.replace("-", "")
COMPANY = "SIA Rīgas Kafija"


def prepare_for_liga(page: Any) -> str:
    """From a representative's context: a power of attorney for Līga for 180 days, prepared; its page's URL."""
    page.get_by_role("link", name="Powers of attorney").click()
    page.get_by_role("link", name="Give main user rights").click()
    page.get_by_role("textbox", name="Attorney's personal code").fill("325791-04511")
    page.get_by_role("textbox", name="Attorney's name and surname").fill("Līga Liepa")
    today = timezone.localdate()
    page.get_by_label("Valid from").fill(today.isoformat())
    page.get_by_label("Valid until").fill((today + datetime.timedelta(days=180)).isoformat())
    page.get_by_role("textbox", name="Attorney's mobile number (for the activation SMS)").fill("25100001")
    page.get_by_role("button", name="Prepare the power of attorney").click()
    page.wait_for_url("**/mandates/*/")
    return str(page.url)


def test_a_representative_gives_main_user_rights_staff_activate_and_a_revocation_cuts_the_open_session(
    page: Any, browser: Any, eid_simulators: str, settings: Any
) -> None:
    load_demo()
    base = eid_simulators

    # The representative prepares the power of attorney.
    log_in(page, browser, base, JANIS_CODE)
    assert f"{COMPANY} — representative" in page.locator("main").inner_text()
    prepare_for_liga(page)
    assert page.get_by_test_id("mandate-status").inner_text().startswith("Draft")
    mandate_url = page.url

    # Download the prefilled form, sign it with the representative's (test) qualified certificate, upload it.
    with page.expect_download() as download:
        page.get_by_test_id("form-lv").click()
    form = Path(download.value.path()).read_bytes()
    assert form.startswith(b"%PDF-")
    signer = person_signer(TestCA(settings.SELFCARE_PKI_DIR), JANIS_CODE, JANIS.given_name, JANIS.family_name)
    # pyHanko signs with asyncio.run, which cannot run in this thread: Playwright's sync API keeps a loop here.
    with ThreadPoolExecutor(1) as pool:
        signed = pool.submit(sign_pdf, form, signer).result()
    page.get_by_label("Signed document (PDF or .edoc)").set_input_files(
        files=[{"name": "pilnvara.pdf", "mimeType": "application/pdf", "buffer": signed}]
    )
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(mandate_url)
    assert page.get_by_test_id("mandate-status").inner_text().startswith("Submitted")
    assert page.get_by_test_id("mandate-verified").inner_text() == "yes, verified"
    assert "JĀNIS KALNIŅŠ" in page.get_by_test_id("document").inner_text()

    # Staff (a mandate officer, logged in with Smart-ID) activate it from the queue.
    staff = browser.new_context(locale="en-GB").new_page()
    staff_log_in(staff, browser, base, ILZE)
    staff.goto(f"{base}/backoffice/mandates/mandate/")
    staff.get_by_role("link", name="Līga Liepa").click()
    staff.wait_for_url("**/change/**")
    staff.get_by_test_id("decisions").wait_for()
    with translation.override("lv"):  # the back office speaks Latvian (no language prefix in its URLs)
        assert (
            translation.gettext("signatures valid, signed by the representatives") in staff.locator("body").inner_text()
        )
    staff.get_by_test_id("decide-activate").click()
    staff.wait_for_url("**/change/")
    assert Mandate.objects.get(attorney_code=LIGA).status == MandateStatus.ACTIVE

    # The attorney logs in (her own browser) and acts for the company.
    attorney = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    attorney.set_default_timeout(15_000)
    log_in(attorney, browser, base, LIGA)
    group = attorney.locator("[data-testid^=group-company-]")
    assert f"{COMPANY} — main user" in group.inner_text()
    # A company of eight numbers is a summary on the dashboard; its list is one click away.
    group.get_by_role("link", name="All 8 connections, search and filters").click()
    attorney.wait_for_url("**/connections/")
    attorney.locator("tbody a").first.click()
    attorney.wait_for_url("**/connections/*/")
    connection_url = attorney.url
    assert attorney.goto(connection_url).status == 200

    # The representative revokes it, with a confirm step; the attorney's open session loses the company.
    page.goto(mandate_url)
    page.get_by_test_id("mandate-revoke").click()
    page.get_by_label("Reason").fill("Works elsewhere now")
    page.get_by_test_id("confirm-revoke").click()
    page.wait_for_url(mandate_url)
    assert page.get_by_test_id("mandate-status").inner_text().startswith("Revoked")
    assert attorney.goto(connection_url).status == 404
    attorney.goto(f"{base}/en/dashboard/")
    assert COMPANY not in attorney.locator("main").inner_text()
