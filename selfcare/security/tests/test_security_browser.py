"""In a real browser: no page breaks the Content-Security-Policy (HTMX polling included), a login from a new
browser puts a notice on the demo phone while a login from the same browser again does not, and the security
pages work."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings

from selfcare.backoffice.tests.browser import MARTINS, staff_log_in
from selfcare.demo.loader import load_demo
from selfcare.portal.tests.test_login_smartid_browser import (
    AFTER_LOGIN,
    ANNA,
    log_in,
)

pytestmark = pytest.mark.django_db(transaction=True)

PETERIS = "22079018761"
PETERIS_WORK_NUMBER = "+37125500001"


def _watch_for_csp_violations(context: Any) -> list[str]:
    violations: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)
    context.on("weberror", lambda error: violations.append(f"page error: {error.error}"))
    return violations


def test_the_main_pages_and_the_simulators_run_without_a_single_csp_violation(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    violations = _watch_for_csp_violations(page.context)
    base = eid_simulators
    for path in ("/en/", "/en/login/", "/login/", "/ru/login/smart-id/", "/en/login/eparaksts-mobile/"):
        page.goto(base + path)
    page.goto(f"{base}/en/login/swedbank/")
    page.get_by_role("button").filter(has_text="Swedbank").last.click()
    page.get_by_role("button", name=re.compile("Continue to")).click()
    page.wait_for_url(re.compile("/simulators/banks/"))

    log_in(page, browser, base, ANNA, AFTER_LOGIN)
    page.goto(f"{base}/en/dashboard/")
    page.get_by_role("link", name="Company security").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Company security"
    assert page.get_by_test_id("mandates").locator("tbody tr").count() >= 1
    page.goto(f"{base}/en/me/")
    page.get_by_role("link", name="My security").click()
    assert page.get_by_test_id("session-row").count() == 1
    page.goto(f"{base}/en/acting/private/connections/")
    for path in ("/simulators/smartid/phone/", f"/simulators/smartid/phone/{ANNA}/?lang=en", "/simulators/sms/"):
        page.goto(django_settings.SELFCARE_SIMULATORS_URL + path)
    page.wait_for_timeout(2500)  # the simulated phone polls with HTMX every 2 s

    staff = browser.new_context(locale="en-GB")  # the back office (Django's admin) under the same policy
    violations.extend(_watch_for_csp_violations(staff))
    office = staff.new_page()
    staff_log_in(office, staff, base, MARTINS)  # staff log in with eID like everyone
    office.locator("#content-main a[href*='/backoffice/']").first.click()  # the first list of the console
    office.wait_for_load_state()
    assert "/backoffice/" in office.url
    staff.close()
    assert violations == []


def test_a_login_from_a_new_browser_puts_a_notice_on_the_demo_phone_and_the_same_browser_again_does_not(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    base = eid_simulators
    phone = f"{django_settings.SELFCARE_SIMULATORS_URL}/simulators/sms/{PETERIS_WORK_NUMBER}/"

    def notices() -> int:
        viewer = browser.new_page()
        viewer.goto(phone)
        count = viewer.get_by_test_id("sms").filter(has_text="new device").count()
        viewer.close()
        return int(count)

    log_in(page, browser, base, PETERIS, AFTER_LOGIN)
    first = notices()
    assert first == 1  # his first login ever is from a browser new to him too

    page.get_by_role("button", name="Log out").click()
    log_in(page, browser, base, PETERIS, AFTER_LOGIN)
    assert notices() == first  # the same browser: known, nothing sent

    other = browser.new_context(locale="en-GB")
    try:
        second_browser = other.new_page()
        log_in(second_browser, browser, base, PETERIS, AFTER_LOGIN)
        assert notices() == first + 1

        # From the new browser, end the first one: it is logged out at its next step.
        second_browser.get_by_role("link", name="My security").click()
        assert second_browser.get_by_test_id("session-row").count() == 2
        second_browser.get_by_test_id("end-others").click()
        assert second_browser.get_by_test_id("session-row").count() == 1
    finally:
        other.close()
    page.goto(f"{base}/en/me/")
    assert "/login/" in page.url
