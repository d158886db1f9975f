"""The public plan pages in a real browser: chosen from the landing page, compared side by side, usable with the
keyboard and on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from selfcare.offers.tests.factories import offer
from selfcare.portal.tests.pagechecks import check_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_compares_two_plans_from_the_landing_page(page: Any, eid_simulators: str) -> None:
    cache.clear()
    offer(welcome_days=30, title_en="Welcome: 10 GB", link="https://www.tele2.lv/")
    page.goto(f"{eid_simulators}/en/")
    page.get_by_test_id("plans-link").click()
    page.wait_for_url("**/en/plans/")
    assert "Welcome: 10 GB" in page.get_by_test_id("welcome-offers").inner_text()
    check_page(page)  # the welcome offers' section included
    page.get_by_label("Compare Privāts 10 GB").check()
    page.get_by_label("Compare Privāts Bezlimits").press("Space")  # the keyboard ticks it too
    page.get_by_test_id("compare-submit").click()
    page.wait_for_url("**/en/plans/compare/**")
    table = page.get_by_test_id("compare")
    assert "Privāts Bezlimits" in table.inner_text()
    assert "Welcome gift" in table.inner_text()
    check_page(page)
    page.get_by_role("link", name="For companies").click()
    page.wait_for_url("**/en/plans/?for=business")
    assert "excl. VAT" in page.get_by_test_id("plan-bizness-eiropa-5").inner_text()
    check_page(page)
