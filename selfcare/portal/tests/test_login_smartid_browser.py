"""Journeys in a real browser: a demo person logs in with Smart-ID through both flows, against the simulator."""

from __future__ import annotations

import re
from typing import Any

import pytest

from selfcare.simulators.tests.browser import confirm_on_smartid_phone

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "15038512346"
LIGA = "32579104511"
ADVANCED_ONLY = "01059011113"
# A person's first page after login: the dashboard, or the work-number step for a person with no connections.
AFTER_LOGIN = re.compile(r"/en/(dashboard/|work-number/\?first=1)$")


def _login_with_code(page: Any, base: str, code: str) -> str:
    page.goto(f"{base}/en/login/")
    page.get_by_role("link", name="Smart-ID").click()
    page.get_by_role("textbox", name="Personal code").fill(f"{code[:6]}-{code[6:]}")
    page.get_by_role("button", name="Continue").click()
    vc = page.get_by_test_id("verification-code").inner_text()
    assert len(vc) == 4
    assert vc.isdigit()
    return str(vc)


def _confirm_on_phone(browser: Any, base: str, code: str, vc: str) -> None:
    confirm_on_smartid_phone(browser, code, vc)


def log_in(page: Any, browser: Any, base: str, code: str, landing: Any = "**/en/dashboard/") -> None:
    """Log `code` in with Smart-ID in English, confirming on the simulated phone, and wait for `landing`."""
    vc = _login_with_code(page, base, code)  # the wait page polls with HTMX until the phone answers
    _confirm_on_phone(browser, base, code, vc)
    page.wait_for_url(landing)


def _identity_after_login(page: Any) -> str:
    page.wait_for_url(AFTER_LOGIN)
    page.get_by_role("link", name="My identity").click()
    return str(page.get_by_test_id("identity-id").inner_text())


def test_a_person_logs_in_with_a_notification_and_with_a_qr_code_and_gets_the_same_identity(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    vc = _login_with_code(page, eid_simulators, ANNA)
    _confirm_on_phone(browser, eid_simulators, ANNA, vc)
    first = _identity_after_login(page)
    assert page.get_by_test_id("identity-name").inner_text() == "Anna Bērziņa"
    assert "Smart-ID" in page.get_by_test_id("login-method").inner_text()
    assert "Anna Bērziņa" in page.locator("header").inner_text()

    page.get_by_role("button", name="Log out").click()
    page.goto(f"{eid_simulators}/en/login/smart-id/")
    page.get_by_role("button", name="Show QR code").click()
    qr = page.get_by_test_id("smartid-qr")
    first_link = qr.get_attribute("data-link")
    page.wait_for_function(
        "link => document.querySelector('[data-testid=smartid-qr]')?.dataset.link !== link", arg=first_link
    )  # the QR code is regenerated while the person looks at it
    scanner = browser.new_page()
    scanner.goto(page.get_by_test_id("smartid-qr").get_attribute("data-link"))
    scanner.get_by_label("Anna Bērziņa", exact=False).check()
    with scanner.expect_navigation():  # closing mid-navigation can hang; see confirm_on_smartid_phone
        scanner.get_by_role("button", name="Confirm").click()
    scanner.close()
    assert _identity_after_login(page) == first


def test_a_new_person_gets_a_new_identity(page: Any, browser: Any, eid_simulators: str) -> None:
    vc = _login_with_code(page, eid_simulators, ANNA)
    _confirm_on_phone(browser, eid_simulators, ANNA, vc)
    anna = _identity_after_login(page)
    page.get_by_role("button", name="Log out").click()
    vc = _login_with_code(page, eid_simulators, LIGA)
    _confirm_on_phone(browser, eid_simulators, LIGA, vc)
    assert _identity_after_login(page) != anna


def test_a_smart_id_basic_account_is_refused_with_a_clear_message(page: Any, browser: Any, eid_simulators: str) -> None:
    vc = _login_with_code(page, eid_simulators, ADVANCED_ONLY)
    _confirm_on_phone(browser, eid_simulators, ADVANCED_ONLY, vc)
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Only qualified Smart-ID is accepted" in alert.inner_text()
    assert "/en/dashboard/" not in page.url


def test_on_a_phone_the_same_device_link_opens_the_app_and_returns_the_person_logged_in(
    page: Any, eid_simulators: str
) -> None:
    page.goto(f"{eid_simulators}/en/login/smart-id/")
    page.get_by_role("button", name="Smart-ID app is on this phone").click()
    # The "app" (the simulator's device-link page) opens on the same device, then sends the person back.
    page.get_by_label("Anna Bērziņa", exact=False).check()
    page.get_by_role("button", name="Confirm").click()
    _identity_after_login(page)
    assert page.get_by_test_id("identity-name").inner_text() == "Anna Bērziņa"


def test_a_person_whose_certificate_was_revoked_is_refused_and_told_why(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    revoked = "05128012346"  # the simulator's "Revoked certificate" account: its CA's OCSP responder says so
    vc = _login_with_code(page, eid_simulators, revoked)
    _confirm_on_phone(browser, eid_simulators, revoked, vc)
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Your eID certificate has been revoked" in alert.inner_text()
    assert "/en/login/" in page.url
