"""The notice's promise in one journey: all nine ways in lead the same person to the same digital identity."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.portal.tests.test_login_banks_browser import BANKS, _login_with_bank
from selfcare.portal.tests.test_login_eparaksts_browser import BUTTONS as EPARAKSTS_BUTTONS
from selfcare.portal.tests.test_login_smartid_browser import (
    ANNA,
    _confirm_on_phone,
    _identity_after_login,
    _login_with_code,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _with_eparaksts(page: Any, base: str, button: str) -> str:
    import re

    page.goto(f"{base}/en/login/")
    page.get_by_role("link", name=re.compile(f"^{re.escape(button)} ")).click()
    page.get_by_role("button", name="Continue to eParaksts").click()
    page.get_by_label("Anna Bērziņa", exact=False).check()
    page.get_by_role("button", name="Confirm").click()
    return _identity_after_login(page)


def _with_wallet(page: Any, base: str) -> str:
    page.goto(f"{base}/en/login/")
    page.get_by_role("link", name="EU Digital Identity Wallet").click()
    page.get_by_role("button", name="Continue with the wallet").click()
    with page.expect_navigation():
        page.get_by_test_id("wallet-same-device").click()
    page.get_by_label("Anna Bērziņa (LV) — good PID").check()
    page.get_by_role("button", name="Share").click()
    return _identity_after_login(page)


def test_every_one_of_the_nine_login_buttons_leads_anna_to_one_digital_identity(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    page.goto(f"{eid_simulators}/en/login/")
    assert page.get_by_role("link").filter(has_text="Smart-ID").count() >= 1
    identities = []
    vc = _login_with_code(page, eid_simulators, ANNA)
    _confirm_on_phone(browser, eid_simulators, ANNA, vc)
    identities.append(_identity_after_login(page))
    page.get_by_role("button", name="Log out").click()
    for button, _title in EPARAKSTS_BUTTONS:
        identities.append(_with_eparaksts(page, eid_simulators, button))
        page.get_by_role("button", name="Log out").click()
    for bank in BANKS:
        identities.append(_login_with_bank(page, eid_simulators, bank))
        page.get_by_role("button", name="Log out").click()
    identities.append(_with_wallet(page, eid_simulators))
    assert len(identities) == 9
    assert len(set(identities)) == 1
