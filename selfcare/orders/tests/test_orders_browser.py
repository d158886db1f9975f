"""Journeys in a real browser against the ordering simulator on the simulator service (real HTTP both ways: the
portal's client to the simulator, the simulator's signed events to our callback): a plan change and a bulk roaming
barring followed to completed, an employee's roaming pack approved by the main user, a lost SIM blocked at phone
width, and an eSIM whose QR code decodes to the LPA string shown beside it."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from selfcare.customers.models import Company, Connection, SimState
from selfcare.demo.loader import load_demo
from selfcare.portal.tests.pagechecks import PHONE, check_page, page_width
from selfcare.portal.tests.test_login_smartid_browser import ANNA, _confirm_on_phone, _login_with_code

pytestmark = pytest.mark.django_db(transaction=True)
PETERIS = "22079018761"
COMPANY = "40003111115"  # SIA Ziemeļu Loģistika: 60 numbers in the demo, Pēteris's among them


@pytest.fixture
def ordering(eid_simulators: str, settings: Any) -> str:
    """The portal's live server; ordering defaults to the simulator service (SELFCARE_SIMULATORS_URL) and the
    callback the simulator posts to defaults to this portal (SELFCARE_PORTAL_URL), as in `make run`."""
    settings.ORDERING_REGISTER_HUB = True
    settings.SIMULATOR_TMF_ORDER_SECONDS = 2.0
    load_demo()
    return eid_simulators


def _login(page: Any, browser: Any, base: str, code: str) -> None:
    vc = _login_with_code(page, base, code)
    _confirm_on_phone(browser, base, code, vc)
    page.wait_for_url("**/en/dashboard/")


def _wait_for_state(page: Any, state: str) -> None:
    # The order page follows the operator by itself (HTMX every 2 s; the simulator's events reach our callback).
    page.get_by_test_id("state").filter(has_text=re.compile(f"^{state}$")).wait_for(timeout=20_000)


def _company_key() -> str:
    return f"company-{Company.objects.get(registration_number=COMPANY).pk}"


def test_anna_changes_a_plan_and_bars_roaming_on_forty_numbers_and_follows_both_to_completed(
    page: Any, browser: Any, ordering: str
) -> None:
    _login(page, browser, ordering, ANNA)
    context = _company_key()
    number = Connection.objects.get(msisdn="+37125100003")
    target = (
        "bizness-eiropa-bezlimits" if number.tariff_plan.code != "bizness-eiropa-bezlimits" else "bizness-eiropa-15"
    )
    page.goto(f"{ordering}/en/acting/{context}/connections/{number.pk}/")
    page.get_by_test_id("manage").click()
    check_page(page)
    page.locator(f"input[name=offering][value={target}]").check()
    page.get_by_test_id("plan-submit").click()
    assert "€" in page.get_by_test_id("confirm-summary").inner_text()
    page.get_by_test_id("confirm").click()
    _wait_for_state(page, "Completed")
    check_page(page)
    number.refresh_from_db()
    assert number.tariff_plan.code == target

    page.goto(f"{ordering}/en/acting/{context}/orders/")
    page.get_by_test_id("bulk-link").click()
    page.get_by_test_id("bulk-kind").select_option("bar")
    page.get_by_test_id("bulk-offering").select_option("bar-roaming-outside-eu")
    picks = page.get_by_test_id("pick")
    for index in range(40):
        picks.nth(index).check()
    page.get_by_test_id("bulk-submit").click()
    assert page.get_by_test_id("confirm-count").inner_text() == "40"
    page.get_by_test_id("confirm").click()
    _wait_for_state(page, "Completed")
    barred = [c for c in Connection.objects.filter(account__company__registration_number=COMPANY) if c.barrings]
    assert len(barred) == 40
    page.goto(f"{ordering}/en/acting/{context}/orders/")
    states = page.get_by_test_id("order-state").all_inner_texts()
    assert states[:2] == ["Completed", "Completed"]


def test_peteris_asks_for_a_roaming_pack_anna_approves_and_he_sees_it_active(
    page: Any, browser: Any, ordering: str
) -> None:
    _login(page, browser, ordering, PETERIS)
    work = Connection.objects.get(msisdn="+37125500001")
    page.get_by_role("link", name="+371 25 500 001").first.click()
    page.get_by_test_id("manage").click()
    assert page.get_by_test_id("request-note").is_visible()
    page.get_by_test_id("pack-add-pack-roaming-world-1gb").click()
    page.get_by_test_id("confirm").click()
    assert page.get_by_test_id("state").inner_text() == "Waiting for the main user"

    anna = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    _login(anna, browser, ordering, ANNA)
    anna.goto(f"{ordering}/en/acting/{_company_key()}/orders/")
    waiting = anna.get_by_test_id("waiting")
    assert "Pēteris Ozols asks" in waiting.inner_text()
    waiting.get_by_test_id("approve").first.click()
    _wait_for_state(anna, "Completed")

    page.goto(f"{ordering}/en/acting/work-{work.account.company_id}/connections/{work.pk}/")
    assert "Roaming World 1 GB" in page.get_by_test_id("packs").inner_text()


def test_a_lost_sim_is_blocked_in_one_step_from_a_phone(page: Any, browser: Any, ordering: str) -> None:
    _login(page, browser, ordering, PETERIS)
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="+371 25 500 001").first.click()
    page.get_by_test_id("manage").click()
    page.wait_for_url("**/manage/")  # measured before the page is there, the width is of nothing
    assert page_width(page) <= PHONE["width"]
    page.get_by_test_id("block-lost").click()
    _wait_for_state(page, "Completed")
    assert page_width(page) <= PHONE["width"]
    assert Connection.objects.get(msisdn="+37125500001").sim_state == SimState.LOST


def test_an_esim_replacement_shows_a_qr_code_that_decodes_to_the_lpa_string(
    page: Any, browser: Any, ordering: str
) -> None:
    _login(page, browser, ordering, ANNA)
    mine = Connection.objects.get(msisdn="+37129100001")
    page.goto(f"{ordering}/en/acting/private/connections/{mine.pk}/manage/")
    page.get_by_test_id("esim").click()
    page.get_by_test_id("confirm").click()
    _wait_for_state(page, "Completed")
    code = page.get_by_test_id("esim-code").inner_text()
    assert code.startswith("LPA:1$rsp.simulator.selfcare.test$")
    picture = Image.open(io.BytesIO(page.get_by_test_id("esim-qr").screenshot()))
    assert [found.text for found in zxingcpp.read_barcodes(picture)] == [code]
    check_page(page)
