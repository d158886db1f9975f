"""Browser steps on the simulated Smart-ID phone, shared by every journey that logs someone in."""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings


def confirm_on_smartid_phone(browser: Any, code: str, vc: str | None = None) -> None:
    """Open `code`'s simulated phone, check the verification code if given, confirm, and close the phone.

    The phone's answer is a form post followed by a redirect. Closing the page while that navigation is still in
    flight once hung Chromium's page close for the whole 900 s test timeout in CI, and could lose the answer; so
    the step waits for the navigation to finish before it closes the page.
    """
    phone = browser.new_page()
    phone.goto(f"{django_settings.SELFCARE_SIMULATORS_URL}/simulators/smartid/phone/{code}/?lang=en")
    if vc is not None:
        assert phone.locator(".verification-code").first.inner_text() == vc
    with phone.expect_navigation():
        phone.get_by_role("button", name="Confirm").first.click()
    phone.close()


def sms_code(browser: Any, msisdn: str) -> str:
    """The six-digit code of the newest SMS to `msisdn` (E.164), read on the simulated SMS phone."""
    import re

    phone = browser.new_page()
    phone.goto(f"{django_settings.SELFCARE_SIMULATORS_URL}/simulators/sms/{msisdn}/")
    found = re.search(r"\b(\d{6})\b", phone.get_by_test_id("sms").first.inner_text())
    phone.close()
    assert found is not None
    return found.group(1)
