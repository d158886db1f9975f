"""The simulators' pages are what a demo visitor holds in their hand (the Smart-ID app, the demo phone's SMS, a
bank's login page, the eParaksts signing page): in a real browser they pass the same checks as the portal's pages —
axe-core, described-by targets, 375 px — in each language they speak."""

from __future__ import annotations

import re
from typing import Any

import pytest

from selfcare.demo.loader import load_demo
from selfcare.portal.tests.pagechecks import check_page
from selfcare.portal.tests.test_login_smartid_browser import ANNA, _login_with_code

pytestmark = pytest.mark.django_db(transaction=True)

PETERIS_WORK_NUMBER = "+37125500001"


def test_the_simulated_phones_and_the_signing_page_pass_the_checks(
    page: Any, browser: Any, eid_simulators: str, simulators_url: str
) -> None:
    load_demo()
    _login_with_code(page, eid_simulators, ANNA)  # a request waits on Anna's phone
    phone = browser.new_page()
    for language in ("lv", "en", "ru"):
        for path in (
            f"/simulators/smartid/phone/?lang={language}",
            f"/simulators/smartid/phone/{ANNA}/?lang={language}",
            f"/simulators/sms/?lang={language}",
            f"/simulators/sms/{PETERIS_WORK_NUMBER}/?lang={language}",
            f"/simulators/eparaksts/sign/?lang={language}",
        ):
            response = phone.goto(simulators_url + path)
            assert response is not None, path
            assert response.status == 200, path
            check_page(phone)
    phone.close()
    # The portal's page still waits on Anna's login and polls the server; left polling, a request in flight while
    # the test database is flushed at teardown locked SQLite's tables ("database table is locked").
    page.goto("about:blank")


def test_a_simulated_bank_login_page_passes_the_checks(page: Any, eid_simulators: str) -> None:
    load_demo()
    page.goto(f"{eid_simulators}/en/login/swedbank/")
    page.get_by_role("button").filter(has_text="Swedbank").last.click()
    page.get_by_role("button", name=re.compile("Continue to")).click()
    page.wait_for_url(re.compile("/simulators/banks/"))
    check_page(page)
