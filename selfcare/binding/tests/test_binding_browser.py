"""Journey in a real browser: a person with no connections logs in with Smart-ID, binds their work number with
the code from the demo phone, sees only that connection, and is not asked again at the next login."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.demo.loader import load_demo
from selfcare.portal.tests.test_login_smartid_browser import LIGA, _confirm_on_phone, _login_with_code
from selfcare.simulators.tests.browser import sms_code

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in_as_liga(page: Any, browser: Any, base: str) -> None:
    vc = _login_with_code(page, base, LIGA)
    _confirm_on_phone(browser, base, LIGA, vc)


def test_a_new_employee_binds_their_work_number_with_the_code_from_the_phone(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    _log_in_as_liga(page, browser, eid_simulators)
    page.wait_for_url("**/en/work-number/?first=1")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in with your work number"
    page.get_by_role("textbox", name="Work phone number").fill("+371 25 100 001")
    page.get_by_role("button", name="Send the code").click()
    page.wait_for_url("**/en/work-number/confirm/")
    assert "If this number can be bound, we sent a code to it" in page.get_by_test_id("code-sent").inner_text()

    page.get_by_role("textbox", name="Code from the SMS").fill(sms_code(browser, "+37125100001"))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/en/dashboard/")
    group = page.locator("[data-testid^=group-]")
    assert group.count() == 1
    assert "SIA Ziemeļu Loģistika" in group.inner_text()
    assert "+371 25 100 001" in group.inner_text()
    assert group.locator("tbody tr").count() == 1

    page.get_by_role("button", name="Log out").click()
    _log_in_as_liga(page, browser, eid_simulators)
    page.wait_for_url("**/en/dashboard/")  # no second step: the work number is already there
    assert "+371 25 100 001" in page.locator("[data-testid^=group-]").inner_text()
