"""Journeys in a real browser: a demo person logs in with each bank button, through the simulated banks."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from selfcare.portal.tests.test_login_smartid_browser import AFTER_LOGIN

pytestmark = pytest.mark.django_db(transaction=True)

BANKS = ("Swedbank", "SEB", "Citadele", "Luminor")


def _login_with_bank(page: Any, base: str, bank: str) -> str:
    page.goto(f"{base}/en/login/")
    # One portal page between the login page and the bank: the bank's button on the login page signs the request.
    page.get_by_role("button", name=bank, exact=False).filter(has_text=bank).first.click()
    page.get_by_role("button", name=f"Continue to {bank}").click()
    expect(page).to_have_title(bank)  # waits for the bank's page: the click only starts the navigation
    page.get_by_label("Anna Bērziņa").check()
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name="Return to the portal").click()
    page.wait_for_url(AFTER_LOGIN)
    page.get_by_role("link", name="My identity").click()
    return str(page.get_by_test_id("identity-id").inner_text())


def test_a_person_logs_in_with_each_bank_and_always_gets_the_same_identity(page: Any, eid_simulators: str) -> None:
    identities = []
    for bank in BANKS:
        identities.append(_login_with_bank(page, eid_simulators, bank))
        assert page.get_by_test_id("identity-name").inner_text() == "Anna Bērziņa"
        assert bank in page.get_by_test_id("login-method").inner_text()
        page.get_by_role("button", name="Log out").click()
    assert len(set(identities)) == 1


def test_a_login_cancelled_at_each_bank_says_cancelled(page: Any, eid_simulators: str) -> None:
    for bank in BANKS:
        page.goto(f"{eid_simulators}/en/login/")
        page.get_by_role("button", name=bank, exact=False).filter(has_text=bank).first.click()
        page.get_by_role("button", name=f"Continue to {bank}").click()
        expect(page).to_have_title(bank)
        page.get_by_role("button", name="Cancel").click()
        page.get_by_role("button", name="Return to the portal").click()
        page.wait_for_url(f"{eid_simulators}/en/login/")
        expect(page.get_by_role("alert")).to_have_text("The login was cancelled at the bank. You can start again.")
