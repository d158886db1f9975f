"""Journeys in a real browser: a person logs in with the EU wallet simulator by QR code and by a same-device link,
and the wallet's refused cases end on the start page with their message."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.models import AuthenticationRecord, DigitalIdentity
from selfcare.identity.services import identity_for
from selfcare.portal.tests.pagechecks import check_page
from selfcare.portal.tests.test_login_smartid_browser import AFTER_LOGIN

pytestmark = pytest.mark.django_db(transaction=True)


def _start(page: Any, base: str) -> None:
    page.goto(f"{base}/en/login/")
    page.get_by_role("link", name="EU Digital Identity Wallet").click()
    check_page(page)
    page.get_by_role("button", name="Continue with the wallet").click()
    page.get_by_test_id("wallet-qr").wait_for()


def _answer_in_wallet(wallet: Any, account: str, answer: str = "Share") -> None:
    wallet.get_by_label(account).check()
    with wallet.expect_navigation():
        wallet.get_by_role("button", name=answer).click()


def test_a_latvian_person_logs_in_by_qr_code_and_lands_on_their_own_identity(
    page: Any, browser: Any, eid_simulators: str
) -> None:
    anna_before = identity_for(
        VerifiedIdentity("smartid", "LV", "15038512346", "Anna", "Bērziņa", "qualified", evidence={})
    )
    _start(page, eid_simulators)
    check_page(page)
    link = page.get_by_test_id("wallet-qr").get_attribute("data-link")
    phone = browser.new_context(locale="en-GB").new_page()
    phone.goto(link)
    assert "personal_administrative_number" in phone.get_by_test_id("asked").inner_text()
    _answer_in_wallet(phone, "Anna Bērziņa (LV) — good PID")
    assert "Go back" in phone.get_by_test_id("wallet-done").inner_text()
    phone.context.close()
    page.wait_for_url(AFTER_LOGIN)
    anna = DigitalIdentity.objects.get(identifiers__code="15038512346")
    assert anna == anna_before
    assert AuthenticationRecord.objects.filter(identity=anna, method="eudi-wallet", result="success").exists()


def test_a_person_whose_pid_has_no_national_identifier_logs_in_on_the_same_device_as_a_new_identity(
    page: Any, eid_simulators: str
) -> None:
    _start(page, eid_simulators)
    with page.expect_navigation():
        page.get_by_test_id("wallet-same-device").click()
    _answer_in_wallet(page, "Klaus Müller (DE) — PID with no national identifier")
    page.wait_for_url("**/en/work-number/?first=1")
    klaus = DigitalIdentity.objects.get(family_name="Müller")
    assert not klaus.identifiers.exists()


@pytest.mark.parametrize(
    ("account", "answer", "text", "reason"),
    [
        ("Ilze Ozola (LV) — revoked PID", "Share", "has been revoked or suspended", "revoked"),
        ("Jānis Kalniņš (LV) — untrusted issuer", "Share", "from a provider we do not accept", "untrusted_issuer"),
        ("Anna Bērziņa (LV) — wrong nonce", "Share", "not made for this login", "wrong_nonce"),
        ("Anna Bērziņa (LV) — refuses to share", "Share", "You declined to share", "access_denied"),
        ("Anna Bērziņa (LV) — good PID", "Decline", "You declined to share", "access_denied"),
    ],
)
def test_the_wallets_refused_cases_are_refused_with_a_clear_message(
    page: Any, eid_simulators: str, account: str, answer: str, text: str, reason: str
) -> None:
    _start(page, eid_simulators)
    with page.expect_navigation():
        page.get_by_test_id("wallet-same-device").click()
    _answer_in_wallet(page, account, answer)
    page.wait_for_url("**/en/login/wallet/")
    assert text in page.get_by_role("alert").inner_text() or text in page.content()
    assert AuthenticationRecord.objects.filter(
        method="eudi-wallet", result__in=["refused", "cancelled"], reason=reason
    ).exists()
