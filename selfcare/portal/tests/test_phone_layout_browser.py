"""On a phone (375 px wide) the dashboard and a connection page fit the screen: nothing makes the page scroll
sideways, and a fact's value is not squeezed to a few letters a line by a long term beside it."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.demo.loader import load_demo
from selfcare.portal.tests.test_login_smartid_browser import ANNA, log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 800}


def _page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_dashboard_and_a_connection_page_fit_a_phone_screen(page: Any, browser: Any, eid_simulators: str) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, ANNA)
    page.set_viewport_size(PHONE)
    for language in ("", "/en", "/ru"):
        page.goto(f"{eid_simulators}{language}/dashboard/")
        assert _page_width(page) <= PHONE["width"], language
        page.get_by_role("row").nth(1).get_by_role("link").first.click()
        page.wait_for_url("**/connections/*/")
        assert _page_width(page) <= PHONE["width"], language
        # The value column keeps at least a third of the facts' width (the terms wrap instead).
        narrowest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('.facts')].map(
                list => list.querySelector('dd').getBoundingClientRect().width / list.getBoundingClientRect().width))"""
        )
        assert narrowest >= 1 / 3, language


def test_on_a_phone_each_row_of_a_wide_table_reads_as_a_card_of_named_values(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, ANNA)
    company = page.get_by_role("link", name="Company security").first.get_attribute("href")
    assert company is not None
    page.set_viewport_size(PHONE)
    for path in (company, company.replace("/security/", "/connections/")):
        page.goto(f"{eid_simulators}{path}")
        assert _page_width(page) <= PHONE["width"], path
        # Every value is named (the column headers are hidden on a phone) and has the card's whole width, where
        # five columns side by side left a value a few letters a line.
        cells = page.evaluate(
            """() => [...document.querySelectorAll('table.table-stack tbody td:not([colspan])')]
                .filter(cell => cell.offsetParent !== null)
                .map(cell => [cell.dataset.label || '', cell.getBoundingClientRect().width,
                              cell.closest('tr').getBoundingClientRect().width])"""
        )
        assert cells, path
        assert all(label for label, _, _ in cells), path
        assert all(width >= row * 0.9 for _, width, row in cells), path
