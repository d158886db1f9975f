"""The back office's pages in a real browser, as staff meet them: axe-core finds nothing, every aria-describedby
points at something, and at 375 px (an agent on a phone at a shop counter) nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.backoffice.tests.browser import MARTINS, staff_log_in
from selfcare.demo.loader import load_demo
from selfcare.identity.models import NationalIdentifier
from selfcare.mandates.models import Mandate
from selfcare.portal.tests.pagechecks import check_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_back_office_pages_pass_the_checks(page: Any, browser: Any, eid_simulators: str) -> None:
    load_demo()
    staff_log_in(page, browser, eid_simulators, MARTINS)
    check_page(page)  # the console's first page
    lists = page.locator("#content-main a[href*='/backoffice/'][href$='/']").evaluate_all(
        "links => [...new Set(links.map(link => link.getAttribute('href')))]"
    )
    assert len(lists) >= 5, lists
    mandate = Mandate.objects.order_by("pk").first()
    assert mandate is not None
    martins = NationalIdentifier.objects.get(code=MARTINS).identity  # his own, made at his login
    pages = [
        *lists,
        f"/backoffice/mandates/mandate/{mandate.pk}/change/",
        f"/backoffice/identity/digitalidentity/{martins.pk}/change/",
        "/backoffice/mandates/mandate/?q=150385",
    ]
    for path in pages:
        response = page.goto(f"{eid_simulators}{path}")
        assert response is not None, path
        assert response.status == 200, path
        check_page(page)
