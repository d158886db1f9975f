"""Journey in a real browser (issue 16 "Done when"): a mandate officer logs in to the back office with Smart-ID
and works the mandate queue, asking to activate a power of attorney that failed verification; a second mandate
officer logs in and approves it; the attorney logs in and sees both steps on My security, by role."""

from __future__ import annotations

import re
from typing import Any

import pytest

from selfcare.backoffice.tests.browser import ILZE, MARTINS, staff_log_in
from selfcare.customers.models import Company
from selfcare.demo.loader import load_demo
from selfcare.mandates import services
from selfcare.mandates.documents import document_attach
from selfcare.mandates.models import DocumentChannel, Mandate, MandateStatus
from selfcare.mandates.tests import builders
from selfcare.portal.tests.test_login_smartid_browser import AFTER_LOGIN, LIGA, _confirm_on_phone, _login_with_code

pytestmark = pytest.mark.django_db(transaction=True)

APPROVAL_PAGE = re.compile(r"/approvalrequest/\d+/change/")
REASON = "Paper original signed by the board member, checked at the Riga office"


def _unverified_mandate_for_liga() -> Mandate:
    """A scan received by e-mail: kept, but its signatures do not verify, so activating it needs four eyes."""
    company = Company.objects.get(name="SIA Rīgas Kafija")
    mandate = builders.draft(company, attorney_code=LIGA, attorney_name="Līga Liepa")
    document_attach(
        request=None,
        mandate=mandate,
        data=builders.MINIMAL_PDF,
        original_name="pilnvara-skenets.pdf",
        channel=DocumentChannel.EMAIL,
        by=services.SYSTEM,
        context=None,
    )
    mandate.refresh_from_db()
    assert (mandate.status, mandate.verified) == (MandateStatus.SUBMITTED, False)
    return mandate


def test_two_staff_members_activate_an_unverified_mandate_and_the_attorney_sees_both_on_my_security(
    browser: Any, eid_simulators: str
) -> None:
    load_demo()
    base = eid_simulators
    mandate = _unverified_mandate_for_liga()

    # Ilze (mandate officer) logs in with Smart-ID and works the queue.
    ilze = browser.new_context(locale="en-GB").new_page()
    ilze.set_default_timeout(15_000)
    staff_log_in(ilze, browser, base, ILZE)
    ilze.goto(f"{base}/backoffice/mandates/mandate/")
    ilze.get_by_role("link", name="Līga Liepa").click()
    ilze.wait_for_url(re.compile(r"/mandates/mandate/\d+/change/"))
    assert ilze.get_by_role("heading", level=1).inner_text() == "Labot pilnvaru"
    ilze.get_by_test_id("four-eyes-note").wait_for()
    ilze.locator("#reason-activate").fill(REASON)
    ilze.get_by_test_id("decide-activate").click()
    ilze.wait_for_url(APPROVAL_PAGE)
    ilze.get_by_test_id("own-request").wait_for()  # she cannot approve her own request
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.SUBMITTED

    # Mārtiņš (a second mandate officer) logs in and approves.
    martins = browser.new_context(locale="en-GB").new_page()
    martins.set_default_timeout(15_000)
    staff_log_in(martins, browser, base, MARTINS)
    martins.goto(f"{base}/backoffice/access/approvalrequest/")
    martins.locator("#result_list tbody tr a").first.click()
    martins.wait_for_url(APPROVAL_PAGE)
    assert REASON in martins.locator("#content").inner_text()
    martins.get_by_test_id("approve").click()
    martins.wait_for_url(APPROVAL_PAGE)
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.ACTIVE

    # Līga logs in (her own browser) and sees who acted on her data: by role, not by name.
    liga = browser.new_context(locale="en-GB").new_page()
    liga.set_default_timeout(15_000)
    vc = _login_with_code(liga, base, LIGA)
    _confirm_on_phone(browser, base, LIGA, vc)
    liga.wait_for_url(AFTER_LOGIN)
    liga.goto(f"{base}/en/me/security/")
    staff_actions = liga.get_by_test_id("staff-actions").inner_text()
    assert "Activation of an unverified power of attorney asked (waits for a second staff member)" in staff_actions
    assert "Activation of an unverified power of attorney approved by a second staff member" in staff_actions
    assert "Tele2 staff: mandate officer" in staff_actions
    assert "Ilze" not in staff_actions
    assert "Mārtiņš" not in staff_actions
