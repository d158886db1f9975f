"""Browser steps shared by journeys that go through the back office: a staff person logs in with Smart-ID."""

from __future__ import annotations

import re
from typing import Any

from selfcare.demo import dataset
from selfcare.simulators.tests.browser import confirm_on_smartid_phone

STAFF = [p for p in dataset.PERSONS if p.staff_roles]
ILZE = next(p.personal_code for p in STAFF if p.given_name == "Ilze")  # customer service, mandate officer
MARTINS = next(p.personal_code for p in STAFF if p.given_name == "Mārtiņš")  # mandate officer, administrator, …
DACE = next(p.personal_code for p in STAFF if p.given_name == "Dace")  # administrator, offers editor, auditor


def staff_log_in(page: Any, browser: Any, base: str, code: str) -> None:
    """Open the back office, get sent to the eID login, log in with Smart-ID on the simulated phone, come back."""
    page.goto(f"{base}/backoffice/")
    page.wait_for_url(re.compile(r"/login/\?next="))  # the back office sends staff to the eID login
    # The back office speaks Latvian (no language prefix); these steps read the English login page.
    page.goto(page.url.replace(f"{base}/login/", f"{base}/en/login/"))
    page.get_by_role("link", name="Smart-ID").click()
    page.get_by_role("textbox", name="Personal code").fill(f"{code[:6]}-{code[6:]}")
    page.get_by_role("button", name="Continue").click()
    vc = page.get_by_test_id("verification-code").inner_text()
    assert vc.isdigit()
    confirm_on_smartid_phone(browser, code, vc)
    page.wait_for_url(re.compile(r"/backoffice/"))
