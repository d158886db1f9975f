"""A login from a browser new to the person is announced by SMS (bound work number, else a private number) and,
if they asked for it, by e-mail; a login from a known browser is not."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from selfcare.access.tests import factories as people
from selfcare.binding.models import SmsMessage
from selfcare.customers.tests import factories
from selfcare.security.models import KnownDevice, NotificationContact
from selfcare.security.tests.helpers import IPHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def peteris_bound() -> str:
    """Pēteris, an employee with a bound work number (and a private number, which the work number wins over)."""
    company = factories.company(name="SIA Alfa")
    work = factories.connection(account=factories.business_account(company=company), msisdn="+37125500001")
    factories.connection(account=factories.private_account(personal_code="220790-18761"), msisdn="+37126999999")
    people.binding(work, people.person("22079018761", "PĒTERIS", "OZOLS"))
    return "+37125500001"


def test_a_login_from_a_new_browser_sends_an_sms_to_the_bound_work_number(peteris_bound: str) -> None:
    log_in(Client(), "22079018761", user_agent=IPHONE)
    (sms,) = SmsMessage.objects.all()
    assert sms.to == peteris_bound
    assert "new device" in sms.text or "jaunas ierīces" in sms.text
    assert "iOS" in sms.text


def test_a_second_login_from_the_same_browser_sends_nothing_but_another_browser_does(peteris_bound: str) -> None:
    browser = Client()
    log_in(browser, "22079018761")
    log_in(browser, "22079018761")
    assert SmsMessage.objects.count() == 1
    log_in(Client(), "22079018761")
    assert SmsMessage.objects.count() == 2


def test_the_device_cookie_is_long_lived_httponly_and_lax_and_only_its_hash_is_stored(peteris_bound: str) -> None:
    browser = Client()
    log_in(browser, "22079018761")
    cookie = browser.cookies["selfcare_device"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) > 300 * 24 * 3600
    device_id = cookie.value.split(":")[0]
    assert not KnownDevice.objects.filter(device_digest__contains=device_id).exists()


def test_a_forged_device_cookie_counts_as_a_new_browser(peteris_bound: str) -> None:
    browser = Client()
    browser.cookies["selfcare_device"] = "made-up:signature"
    log_in(browser, "22079018761")
    assert SmsMessage.objects.count() == 1


def test_a_browser_known_to_one_person_is_new_to_another(peteris_bound: str) -> None:
    factories.connection(account=factories.private_account(personal_code="150385-12346"), msisdn="+37129111111")
    family_computer = Client()
    log_in(family_computer, "22079018761")
    log_in(family_computer, "15038512346")
    assert sorted(SmsMessage.objects.values_list("to", flat=True)) == ["+37125500001", "+37129111111"]


def test_without_a_bound_number_the_notice_goes_to_a_private_number() -> None:
    factories.connection(account=factories.private_account(personal_code="150385-12346"), msisdn="+37129111111")
    log_in(Client(), "15038512346")
    assert list(SmsMessage.objects.values_list("to", flat=True)) == ["+37129111111"]


def test_a_person_with_no_number_gets_no_sms_and_the_login_still_works() -> None:
    client = Client()
    log_in(client, "32579104511")
    assert SmsMessage.objects.count() == 0
    assert client.get("/en/me/").status_code == 200


def test_the_notice_also_goes_by_email_when_configured_and_an_address_is_given(settings: Any) -> None:
    settings.NEW_DEVICE_NOTIFY = ["email"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    liga = log_in(client, "32579104511")
    assert client.post("/en/me/security/email/", {"email": "not-an-address"}).status_code == 400
    assert client.post("/en/me/security/email/", {"email": "liga@example.lv"}).status_code == 302
    assert NotificationContact.objects.get(identity=liga).email == "liga@example.lv"
    log_in(Client(), "32579104511")
    (message,) = mail.outbox
    assert message.to == ["liga@example.lv"]
    assert SmsMessage.objects.count() == 0


def test_notices_can_be_switched_off(settings: Any, peteris_bound: str) -> None:
    settings.NEW_DEVICE_NOTIFY = []
    log_in(Client(), "22079018761")
    assert SmsMessage.objects.count() == 0
