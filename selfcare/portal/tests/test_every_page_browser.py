"""Every main page in a real browser, as a new user meets it: axe-core finds nothing, every aria-describedby
points at something, and at 375 px wide nothing scrolls sideways — in Latvian, English and Russian."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from selfcare.access.contexts import ContextKind, contexts_of
from selfcare.access.policy import mandates_in
from selfcare.customers.models import Connection, CustomerAccount
from selfcare.demo.loader import load_demo
from selfcare.identity.models import NationalIdentifier
from selfcare.mandates.models import Mandate, MandateStatus
from selfcare.portal.login.banklink import BANKS
from selfcare.portal.login.eparaksts import START_URL_NAMES as EPARAKSTS_METHODS
from selfcare.portal.tests.pagechecks import DESKTOP, PHONE, check_page
from selfcare.portal.tests.test_login_smartid_browser import ANNA, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _last_months_bill(company_id: int) -> str:
    """The id of the billing simulator's newest bill of the company's first account."""
    account = CustomerAccount.objects.filter(company_id=company_id).order_by("account_number").first()
    assert account is not None
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return f"{account.account_number}-{last_month:%Y%m}"


def _annas_pages() -> list[str]:
    anna = NationalIdentifier.objects.get(code=ANNA).identity
    contexts = contexts_of(anna)
    company = next(c for c in contexts if c.kind == ContextKind.COMPANY)
    private = Connection.objects.filter(account__holder_personal_code__in=["150385-12346", ANNA]).first()
    assert private is not None
    return [
        "/",
        "/dashboard/",
        "/me/",
        "/me/security/",
        "/acting/private/connections/",
        f"/acting/private/connections/{private.pk}/",
        "/acting/private/offers/",
        f"/acting/{company.key}/connections/",
        f"/acting/{company.key}/mandates/",
        f"/acting/{company.key}/mandates/new/",
        f"/acting/{company.key}/security/",
        f"/acting/{company.key}/bills/",
        f"/acting/{company.key}/bills/{_last_months_bill(company.company_id or 0)}/",
        "/work-number/",
    ]


def test_the_pages_before_login_pass_the_checks(page: Any, eid_simulators: str) -> None:
    login_pages = [
        "/login/smart-id/",
        *(f"/login/{m}/" for m in EPARAKSTS_METHODS),
        *(f"/login/{b}/" for b in BANKS),
        "/login/wallet/",
    ]
    for language in ("", "/en", "/ru"):
        for path in ("/", "/login/", *login_pages):
            response = page.goto(f"{eid_simulators}{language}{path}")
            assert response is not None, path
            assert response.status == 200, path
            check_page(page)
        # The portal's own "not found" page, not a server's default.
        response = page.goto(f"{eid_simulators}{language}/no-such-page/")
        assert response is not None
        assert response.status == 404
        check_page(page)


def test_every_main_page_of_a_person_with_everything_passes_the_checks(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, ANNA)
    for language in ("/en", "", "/ru"):
        for path in _annas_pages():
            response = page.goto(f"{eid_simulators}{language}{path}")
            assert response is not None, path
            assert response.status == 200, path
            check_page(page)


def test_form_errors_are_announced_the_mandate_form_says_what_is_wrong_next_to_each_field(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, ANNA)
    company = next(c for c in contexts_of(NationalIdentifier.objects.get(code=ANNA).identity) if c.kind == "company")
    page.goto(f"{eid_simulators}/en/acting/{company.key}/mandates/new/")
    # The dates come filled in: from today for the longest term allowed.
    assert page.get_by_label("Valid from").input_value()
    assert page.get_by_label("Valid until").input_value() > page.get_by_label("Valid from").input_value()
    page.get_by_label("Valid from").fill("")
    page.get_by_role("textbox", name="Attorney's personal code").fill("12345")
    page.get_by_role("textbox", name="Attorney's mobile number (for the activation SMS)").fill("abc")
    page.get_by_role("button", name="Prepare the power of attorney").click()
    page.wait_for_load_state()
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 4
    for index in range(invalid.count()):
        field = invalid.nth(index)
        described = (field.get_attribute("aria-describedby") or "").split()
        assert any(page.locator(f"#{target}").count() == 1 for target in described), field.get_attribute("name")
        assert any(target.endswith("_error") for target in described)
    # Help texts are linked too.
    numbers = page.get_by_role("textbox", name="Numbers (only for selected connections)")
    assert "id_numbers_helptext" in (numbers.get_attribute("aria-describedby") or "")
    check_page(page)


def test_on_a_phone_the_header_folds_into_a_menu_and_leaves_the_first_screen_to_the_page(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, ANNA)
    page.set_viewport_size(PHONE)
    page.goto(f"{eid_simulators}/en/dashboard/")
    header = page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] <= PHONE["height"] / 8
    log_out = page.get_by_role("button", name="Log out")
    assert not log_out.is_visible()
    menu = page.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false"
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert log_out.is_visible()
    check_page(page)
    # On a desktop there is no menu button: the tools are in the header.
    page.set_viewport_size(DESKTOP)
    assert not menu.is_visible()
    assert log_out.is_visible()


@pytest.mark.parametrize("code", ["22079018761", "12047811230"])  # an employee; a board member (representative)
def test_the_main_pages_of_an_employee_and_of_a_representative_pass_the_checks(
    page: Any, browser: Any, eid_simulators: str, code: str
) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, code)
    identity = NationalIdentifier.objects.get(code=code).identity
    paths = ["/dashboard/", "/me/", "/me/security/"]
    for context in contexts_of(identity):
        if context.kind == ContextKind.WORK:
            connection = Connection.objects.filter(bindings__identity=identity).first()
            assert connection is not None
            paths += [f"/acting/{context.key}/connections/{connection.pk}/", f"/acting/{context.key}/offers/"]
        if context.kind == ContextKind.REPRESENTATIVE:
            paths += [f"/acting/{context.key}/mandates/", f"/acting/{context.key}/mandates/new/"]
    assert len(paths) > 3
    for language in ("/en", "", "/ru"):
        for path in paths:
            response = page.goto(f"{eid_simulators}{language}{path}")
            assert response is not None, path
            assert response.status == 200, path
            check_page(page)


def test_a_mandate_a_refused_upload_the_company_offers_and_the_rights_ended_page_pass_the_checks(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    log_in(page, browser, eid_simulators, ANNA)
    anna = NationalIdentifier.objects.get(code=ANNA).identity
    company = next(c for c in contexts_of(anna) if c.kind == ContextKind.COMPANY)
    mandate = mandates_in(company).first()
    assert mandate is not None
    for language in ("/en", "", "/ru"):
        for path in (f"/acting/{company.key}/mandates/{mandate.pk}/", f"/acting/{company.key}/offers/"):
            response = page.goto(f"{eid_simulators}{language}{path}")
            assert response is not None, path
            assert response.status == 200, path
            check_page(page)

    # A draft's upload sent without a file: refused, said next to the field and announced.
    draft = Mandate.objects.get(pk=mandate.pk)
    draft.pk = None
    draft.status = MandateStatus.DRAFT
    draft.reference = uuid.uuid4()
    draft.save()
    page.goto(f"{eid_simulators}/en/acting/{company.key}/mandates/{draft.pk}/")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() == 1
    check_page(page)

    # Her rights for the company end: the page says so, and passes the checks like any other.
    Mandate.objects.filter(pk__in=mandates_in(company).filter(status=MandateStatus.ACTIVE)).filter(
        attorney_code=ANNA
    ).update(status=MandateStatus.REVOKED)
    for language in ("/en", "", "/ru"):
        response = page.goto(f"{eid_simulators}{language}/acting/{company.key}/connections/")
        assert response is not None
        assert response.status == 404
        assert page.get_by_test_id("rights-ended").count() == 1
        check_page(page)


def test_a_representative_revoking_a_power_of_attorney_passes_the_checks(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    load_demo()
    code = "12047811230"  # a board member
    log_in(page, browser, eid_simulators, code)
    identity = NationalIdentifier.objects.get(code=code).identity
    representative = next(c for c in contexts_of(identity) if c.kind == ContextKind.REPRESENTATIVE)
    active = mandates_in(representative).filter(status=MandateStatus.ACTIVE).first()
    assert active is not None
    url = f"/acting/{representative.key}/mandates/{active.pk}/revoke/"
    for language in ("/en", "", "/ru"):
        response = page.goto(f"{eid_simulators}{language}{url}")
        assert response is not None
        assert response.status == 200
        check_page(page)
    page.goto(f"{eid_simulators}/en{url}")
    page.get_by_test_id("confirm-revoke").click()  # no reason given: refused, said next to the field
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() == 1
    check_page(page)
