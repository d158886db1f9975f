"""Journey in a real browser: a demo person logs in with each eParaksts button against the simulator and is the
same digital identity every time."""

from __future__ import annotations

import re
from typing import Any

import pytest

from selfcare.portal.tests.test_login_smartid_browser import AFTER_LOGIN

pytestmark = pytest.mark.django_db(transaction=True)

BUTTONS = (
    ("eParaksts Mobile", "eParaksts Mobile"),
    ("eParaksts with an eID card", "eID card"),
    ("eID Scan", "eID Scan"),
)


def test_a_person_logs_in_with_each_eparaksts_button_and_gets_the_same_identity(page: Any, eid_simulators: str) -> None:
    identities = []
    for button, provider_title in BUTTONS:
        page.goto(f"{eid_simulators}/en/login/")
        page.get_by_role("link", name=re.compile(f"^{re.escape(button)} ")).click()  # the label, then its description
        page.get_by_role("button", name="Continue to eParaksts").click()
        assert page.get_by_role("heading", level=1).inner_text() == provider_title
        page.get_by_label("Anna Bērziņa", exact=False).check()
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url(AFTER_LOGIN)
        page.get_by_role("link", name="My identity").click()
        assert page.get_by_test_id("identity-name").inner_text() == "Anna Bērziņa"
        assert button in page.get_by_test_id("login-method").inner_text()
        identities.append(page.get_by_test_id("identity-id").inner_text())
        page.get_by_role("button", name="Log out").click()
    assert len(set(identities)) == 1


def test_cancelling_at_eparaksts_comes_back_to_the_method_page_with_a_message(page: Any, eid_simulators: str) -> None:
    page.goto(f"{eid_simulators}/en/login/eid-scan/")
    page.get_by_role("button", name="Continue to eParaksts").click()
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url("**/en/login/eid-scan/")
    assert "cancelled" in page.get_by_role("alert").inner_text()
